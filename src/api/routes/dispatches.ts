// /api/v1/dispatches: route open service orders to technicians (given, or the people on shift in
// a published schedule), follow the generation, read the routes and the unassigned orders with
// their reasons, and report the day's changes — each of which re-dispatches around the visits
// already started or completed.
import Router from '@koa/router';
import type { Context } from 'koa';
import * as t from 'io-ts';
import { handleCommand, type CommandContext } from '../../commands/commandHandler.js';
import { dispatchAggregate } from '../../commands/dispatchAggregate.js';
import { serviceOrderAggregate } from '../../commands/serviceOrderAggregate.js';
import { FixedVisitStatus, Location, ObjectiveConfig, Technician, TravelModel, type DispatchRequest } from '../../domain/dispatch.js';
import { FiniteNumber, NonNegativeInteger, NonNegativeNumber, strictObject } from '../../domain/dispatchCodecKit.js';
import { DEFAULT_DISPATCH_SOLVER, streamIdOfDispatch, type DispatchCommand, type DispatchSolverSettings, type TechnicianSource } from '../../domain/dispatchService.js';
import { validateDispatchRequest } from '../../domain/dispatchValidation.js';
import type { ServiceOrderCommand } from '../../domain/serviceOrders.js';
import type { Services } from '../../infra/services.js';
import { getDispatch, getDispatchRequest, listDispatches, listRoutes, listUnassigned, type DispatchView } from '../../projections/dispatchQueries.js';
import { getProblem, getSchedule, listAssignments } from '../../projections/scheduleQueries.js';
import { getServiceOrder, getServiceOrders, openServiceOrders, specOf } from '../../projections/serviceOrderQueries.js';
import { acceptedOrThrow, commandContextOf } from '../commandRequest.js';
import { requireScope } from '../middleware/apiKeyAuth.js';
import { HttpProblem, invalidInput, type FieldError } from '../problem.js';
import { decodeBody, decodeCursor, encodeCursor, newResourceId, notModified, queryInt, queryString, requireStream } from './httpHelpers.js';
import { OrderId } from './serviceOrders.js';

const MAX_ORDERS = 5000;
const MAX_TECHNICIANS = 500;

const intIn = (min: number, max: number) =>
  new t.Type<number, number, unknown>(
    `integer ${min}-${max}`,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => (typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max ? t.success(u) : t.failure(u, c, `must be an integer ${min}-${max}`)),
    t.identity,
  );

export const DispatchSolverBody = strictObject('DispatchSolverBody', {}, { timeLimitMs: intIn(100, 600_000), unimprovedLimitMs: intIn(50, 600_000), seed: intIn(0, 2 ** 31 - 1) });

/** Where and with what an employee on shift works; the shift window comes from the schedule. */
export const TechnicianOnShift = strictObject(
  'TechnicianOnShift',
  { employeeId: OrderId },
  { startLocation: Location, endLocation: Location, capacity: NonNegativeNumber, fixedCost: NonNegativeNumber },
);
export const FromSchedule = strictObject(
  'FromSchedule',
  { scheduleId: OrderId, day: NonNegativeInteger },
  {
    technicians: t.array(TechnicianOnShift),
    /** Start (and end) location of anyone on shift without their own. Times of such a dispatch
   * (order windows, `now`) are minutes from midnight of that day, like the shift windows. */
    defaultLocation: Location,
  },
);

export const RequestDispatchBody = strictObject(
  'RequestDispatchBody',
  { travel: TravelModel },
  {
    name: t.string,
    /** The service orders to route (default: every open order of the org). */
    orderIds: t.array(OrderId),
    technicians: t.array(Technician),
    fromSchedule: FromSchedule,
    objective: ObjectiveConfig,
    solver: DispatchSolverBody,
  },
);
export const ReportVisitBody = strictObject('ReportVisitBody', { orderId: OrderId, technicianId: OrderId, status: FixedVisitStatus, serviceStart: FiniteNumber }, {});
export const OffSickBody = strictObject('OffSickBody', { now: FiniteNumber }, { reason: t.string });
export const AddOrderBody = strictObject('AddOrderBody', { orderId: OrderId, now: FiniteNumber }, {});
export const CancelOrderBody = strictObject('CancelOrderBody', { now: FiniteNumber }, { reason: t.string });
export const RedispatchBody = strictObject('RedispatchBody', { now: FiniteNumber }, { solver: DispatchSolverBody });

/** What a dispatcher can do about each reason. */
const REASON_EXPLANATIONS: Record<string, string> = {
  no_skilled_technician: 'No technician in this dispatch has every skill the order requires.',
  capacity: 'No skilled technician has the vehicle capacity left for its demand.',
  window_unreachable: 'No skilled technician can reach it inside any of its time windows within the shift.',
  no_room_within_time: 'It could be served alone, but the routes have no time left for it.',
};

/** Minutes since midnight of `date` for an ISO-like local time `YYYY-MM-DDTHH:MM`. */
function minutesFrom(date: string, time: string): number {
  return (Date.parse(`${time}:00Z`) - Date.parse(`${date}T00:00:00Z`)) / 60_000;
}

export interface DispatchesRouterDeps {
  services: Pick<Services, 'database' | 'eventStore' | 'commands'>;
}

export function dispatchesRouter({ services }: DispatchesRouterDeps): Router {
  const { database, eventStore } = services;
  const { commands } = services;
  const router = new Router({ prefix: '/api/v1/dispatches' });
  router.use(requireScope('dispatch'));

  const orgOf = (ctx: Context): string => ctx.state.auth!.orgId;

  const existing = async (ctx: Context): Promise<DispatchView> => {
    const view = await getDispatch(database, orgOf(ctx), ctx.params.id);
    if (!view) throw new HttpProblem(404, 'not-found', `No dispatch ${ctx.params.id}.`);
    return view;
  };

  /** A change to an existing dispatch (404 before the handler when it never existed). */
  const change = async (ctx: Context, command: Exclude<DispatchCommand, { type: 'RequestDispatch' }>, context = commandContextOf(ctx, orgOf(ctx))) => {
    await requireStream(eventStore, streamIdOfDispatch(orgOf(ctx), command.dispatchId), `dispatch ${command.dispatchId}`);
    return acceptedOrThrow(ctx, await handleCommand(commands, dispatchAggregate, command, context));
  };

  /** A follow-up on the service order itself; its own idempotency key, and a refusal is not an error. */
  const followUpOnOrder = async (context: CommandContext, command: ServiceOrderCommand) => {
    const key = context.idempotencyKey ? `${context.idempotencyKey}:${command.type}` : undefined;
    await handleCommand(commands, serviceOrderAggregate, command, { ...context, commandId: `${context.commandId}:order`, idempotencyKey: key, expectedVersion: undefined });
  };

  const answerChange = (ctx: Context, outcome: { version: number; events: readonly { type: string }[] }) => {
    ctx.status = 202;
    const redispatch = outcome.events.find((e): e is { type: 'RedispatchRequested'; generation: number } => e.type === 'RedispatchRequested');
    ctx.body = { dispatchId: ctx.params.id, version: outcome.version, events: outcome.events, ...(redispatch ? { generation: redispatch.generation } : {}) };
  };

  /** The orders to route: the ones named (each must be open), or every open order of the org. */
  const ordersFor = async (orgId: string, orderIds: readonly string[] | undefined): Promise<DispatchRequest['orders']> => {
    if (orderIds === undefined) return (await openServiceOrders(database, orgId, MAX_ORDERS)).map(specOf);
    if (orderIds.length > MAX_ORDERS) throw invalidInput([{ path: 'orderIds', message: `at most ${MAX_ORDERS} orders per dispatch` }]);
    const found = await getServiceOrders(database, orgId, orderIds);
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    orderIds.forEach((id, i) => {
      const view = found.get(id);
      if (seen.has(id)) errors.push({ path: `orderIds.${i}`, message: `order "${id}" is named twice` });
      else if (!view) errors.push({ path: `orderIds.${i}`, message: `no service order "${id}"` });
      else if (view.status !== 'open') errors.push({ path: `orderIds.${i}`, message: `order "${id}" is ${view.status}` });
      seen.add(id);
    });
    if (errors.length) throw invalidInput(errors, 'Some orders cannot be dispatched.');
    return orderIds.map((id) => specOf(found.get(id)!));
  };

  /** The people on shift that day in a published schedule, with the locations given for them. */
  const techniciansOnShift = async (orgId: string, from: t.TypeOf<typeof FromSchedule>): Promise<Technician[]> => {
    const schedule = await getSchedule(database, orgId, from.scheduleId);
    if (!schedule) throw invalidInput([{ path: 'fromSchedule.scheduleId', message: `no schedule "${from.scheduleId}"` }]);
    if (!schedule.published) throw new HttpProblem(409, 'wrong-state', `Schedule ${from.scheduleId} is not published; dispatch only from a published roster.`);
    if (from.day >= schedule.days) throw invalidInput([{ path: 'fromSchedule.day', message: `outside the schedule (0-${schedule.days - 1})` }]);
    const assignments = await listAssignments(database, orgId, from.scheduleId, { fromDay: from.day, toDay: from.day });
    const skills = new Map(((await getProblem(database, orgId, from.scheduleId))?.problem.employees ?? []).map((e) => [e.id, e.skills ?? []]));
    const given = new Map((from.technicians ?? []).map((tech) => [tech.employeeId, tech]));
    const errors: FieldError[] = [];
    (from.technicians ?? []).forEach((tech, i) => {
      if (!assignments.some((a) => a.employeeId === tech.employeeId)) {
        errors.push({ path: `fromSchedule.technicians.${i}.employeeId`, message: `${tech.employeeId} is not on shift on day ${from.day}` });
      }
    });
    const technicians: Technician[] = [];
    for (const a of assignments) {
      const own = given.get(a.employeeId);
      const startLocation = own?.startLocation ?? from.defaultLocation;
      if (!startLocation) {
        errors.push({ path: 'fromSchedule.technicians', message: `${a.employeeId} is on shift on day ${from.day} but has no startLocation (give one, or a defaultLocation)` });
        continue;
      }
      const employeeSkills = skills.get(a.employeeId) ?? [];
      const endLocation = own?.endLocation;
      technicians.push({
        id: a.employeeId,
        startLocation,
        ...(endLocation ? { endLocation } : {}),
        shift: { start: minutesFrom(a.date, a.start), end: minutesFrom(a.date, a.end) },
        ...(employeeSkills.length ? { skills: employeeSkills } : {}),
        ...(own?.capacity !== undefined ? { capacity: own.capacity } : {}),
        ...(own?.fixedCost !== undefined ? { fixedCost: own.fixedCost } : {}),
      });
    }
    if (errors.length) throw invalidInput(errors, 'The technicians on shift cannot be dispatched as given.');
    return technicians;
  };

  router.post('/', async (ctx) => {
    const body = decodeBody(RequestDispatchBody, ctx.request.body);
    if ((body.technicians === undefined) === (body.fromSchedule === undefined)) {
      throw invalidInput([{ path: 'technicians', message: 'give either `technicians` or `fromSchedule` (exactly one)' }]);
    }
    if ((body.technicians?.length ?? 0) > MAX_TECHNICIANS) throw invalidInput([{ path: 'technicians', message: `at most ${MAX_TECHNICIANS} technicians per dispatch` }]);
    const orgId = orgOf(ctx);
    const context = commandContextOf(ctx, orgId, { expectedVersion: false });
    const orders = await ordersFor(orgId, body.orderIds);
    const technicians = body.technicians ?? (await techniciansOnShift(orgId, body.fromSchedule!));
    const source: TechnicianSource = body.fromSchedule ? { kind: 'schedule', scheduleId: body.fromSchedule.scheduleId, day: body.fromSchedule.day } : { kind: 'explicit' };
    const request: DispatchRequest = { orders, technicians, travel: body.travel, ...(body.objective ? { objective: body.objective } : {}) };
    const errors = validateDispatchRequest(request).map((e) => {
      const order = /^orders\.(\d+)/.exec(e.path);
      return { path: e.path, message: order ? `order "${orders[Number(order[1])].id}": ${e.message}` : e.message };
    });
    if (errors.length) throw invalidInput(errors, 'The dispatch request is not consistent.');
    const solver: DispatchSolverSettings = { ...DEFAULT_DISPATCH_SOLVER, ...body.solver };
    const dispatchId = newResourceId(orgId, context.idempotencyKey);
    const command: DispatchCommand = { type: 'RequestDispatch', dispatchId, name: body.name ?? '', request, source, solver };
    const outcome = acceptedOrThrow(ctx, await handleCommand(commands, dispatchAggregate, command, context));
    const self = `/api/v1/dispatches/${dispatchId}`;
    ctx.status = 202;
    ctx.set('Location', self);
    ctx.body = {
      dispatchId,
      status: 'requested',
      version: outcome.version,
      orders: orders.length,
      technicians: technicians.length,
      solver,
      links: { self, routes: `${self}/routes`, unassigned: `${self}/unassigned` },
    };
  });

  router.get('/', async (ctx) => {
    const limit = queryInt(ctx, 'limit', 1, 200) ?? 50;
    const status = queryString(ctx, 'status');
    const after = decodeCursor(ctx);
    const page = await listDispatches(database, orgOf(ctx), { status, after: after && { createdAt: after.createdAt, dispatchId: after.id }, limit });
    ctx.body = { dispatches: page.dispatches, nextCursor: encodeCursor(page.next && { createdAt: page.next.createdAt, id: page.next.dispatchId }) };
  });

  router.get('/:id', async (ctx) => {
    const view = await existing(ctx);
    if (notModified(ctx, view.version)) return;
    ctx.body = view;
  });

  router.get('/:id/request', async (ctx) => {
    const found = await getDispatchRequest(database, orgOf(ctx), ctx.params.id);
    if (!found) throw new HttpProblem(404, 'not-found', `No dispatch ${ctx.params.id}.`);
    if (notModified(ctx, found.version)) return;
    ctx.body = { dispatchId: ctx.params.id, version: found.version, request: found.request };
  });

  router.get('/:id/routes', async (ctx) => {
    const view = await existing(ctx);
    if (notModified(ctx, view.version)) return;
    ctx.body = { dispatchId: view.dispatchId, status: view.status, generation: view.generation, version: view.version, routes: await listRoutes(database, orgOf(ctx), view.dispatchId) };
  });

  router.get('/:id/unassigned', async (ctx) => {
    const view = await existing(ctx);
    if (notModified(ctx, view.version)) return;
    const unassigned = (await listUnassigned(database, orgOf(ctx), view.dispatchId)).map((u) => ({ ...u, explanation: REASON_EXPLANATIONS[u.reason] ?? u.reason }));
    ctx.body = { dispatchId: view.dispatchId, status: view.status, generation: view.generation, version: view.version, unassigned };
  });

  router.post('/:id/visits', async (ctx) => {
    const body = decodeBody(ReportVisitBody, ctx.request.body);
    const context = commandContextOf(ctx, orgOf(ctx));
    const outcome = await change(ctx, { type: 'ReportVisit', dispatchId: ctx.params.id, ...body }, context);
    if (body.status === 'completed') await followUpOnOrder(context, { type: 'CompleteServiceOrder', orderId: body.orderId });
    answerChange(ctx, outcome);
  });

  router.post('/:id/technicians/:technicianId/off-sick', async (ctx) => {
    const body = decodeBody(OffSickBody, ctx.request.body);
    const outcome = await change(ctx, { type: 'MarkTechnicianOffSick', dispatchId: ctx.params.id, technicianId: ctx.params.technicianId, reason: body.reason ?? 'off sick', now: body.now });
    answerChange(ctx, outcome);
  });

  router.post('/:id/orders', async (ctx) => {
    const body = decodeBody(AddOrderBody, ctx.request.body);
    const order = await getServiceOrder(database, orgOf(ctx), body.orderId);
    if (!order) throw invalidInput([{ path: 'orderId', message: `no service order "${body.orderId}"` }]);
    if (order.status !== 'open') throw invalidInput([{ path: 'orderId', message: `order "${body.orderId}" is ${order.status}` }]);
    const outcome = await change(ctx, { type: 'AddDispatchOrder', dispatchId: ctx.params.id, order: specOf(order), now: body.now });
    answerChange(ctx, outcome);
  });

  router.post('/:id/orders/:orderId/cancel', async (ctx) => {
    const body = decodeBody(CancelOrderBody, ctx.request.body);
    const context = commandContextOf(ctx, orgOf(ctx));
    const outcome = await change(ctx, { type: 'CancelDispatchOrder', dispatchId: ctx.params.id, orderId: ctx.params.orderId, now: body.now }, context);
    await followUpOnOrder(context, { type: 'CancelServiceOrder', orderId: ctx.params.orderId, reason: body.reason ?? 'cancelled during dispatch' });
    answerChange(ctx, outcome);
  });

  router.post('/:id/redispatch', async (ctx) => {
    const body = decodeBody(RedispatchBody, ctx.request.body);
    const outcome = await change(ctx, { type: 'Redispatch', dispatchId: ctx.params.id, now: body.now, solver: body.solver ?? {} });
    answerChange(ctx, outcome);
  });

  return router;
}
