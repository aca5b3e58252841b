// /api/v1/schedules: request a roster, follow it, change it, publish it, replan it, explain it.
// Commands go through the schedule decider; queries read the read models (cached), or fold the
// stream itself for history and `asOf` time travel.
import Router from '@koa/router';
import type { Context } from 'koa';
import * as t from 'io-ts';
import { handleCommand } from '../../commands/commandHandler.js';
import { stateAsOf, streamHistory, type AsOf } from '../../commands/history.js';
import { scheduleAggregate } from '../../commands/scheduleAggregate.js';
import { currentAssignments } from '../../commands/scheduleDecider.js';
import { CoverRequirement, NonNegativeInt, RosterProblem, type Assignment } from '../../domain/roster.js';
import { strictObject } from '../../domain/rosterCodecSupport.js';
import { CoverKey, resolveSolverSettings, SolverSettings, streamIdOfSchedule, type ScheduleCommand } from '../../domain/schedule.js';
import type { AppConfig } from '../../infra/config.js';
import type { Services } from '../../infra/services.js';
import type { ReadCache, Served } from '../../projections/readCache.js';
import { getProblem, getSchedule, listAssignments, listSchedules, listUnfilled, type ScheduleView } from '../../projections/scheduleQueries.js';
import { explain, recommend } from '../../solver/explain.js';
import { validateProblem } from '../../solver/validateProblem.js';
import { acceptedOrThrow, commandContextOf, etagOf } from '../commandRequest.js';
import { requireScope } from '../middleware/apiKeyAuth.js';
import { HttpProblem, invalidInput, type FieldError } from '../problem.js';
import { saneIdParam } from '../params.js';
import { decodeBody, decodeCursor, encodeCursor, newResourceId, notModified, queryInt, queryString, sendJson } from './httpHelpers.js';
import { followSchedule } from './scheduleEvents.js';

const Name = t.refinement(t.string, (s) => s.length <= 200, 'a name of at most 200 characters');
const ChangePenalty = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0 && n <= 1_000_000, 'an integer 0-1000000');
const Id = t.refinement(t.string, (s) => s.length > 0 && s.length <= 100, 'an id (1-100 characters)');

/** Bodies of the schedule routes. Unknown fields are refused, so a typo never passes silently. */
export const RequestScheduleBody = strictObject('RequestScheduleBody', { problem: RosterProblem }, { name: Name, solver: SolverSettings });
export const AssignShiftBody = strictObject('AssignShiftBody', { employeeId: Id, day: NonNegativeInt, shiftId: Id }, { force: t.boolean });
export const UnavailabilityBody = strictObject('UnavailabilityBody', { employeeId: Id, days: t.array(NonNegativeInt) }, { reason: t.string });
export const DemandBody = strictObject('DemandBody', {}, { set: t.array(CoverRequirement), remove: t.array(CoverKey) });
export const ReplanBody = strictObject('ReplanBody', {}, { changePenalty: ChangePenalty, solver: SolverSettings });

/** Default penalty per changed published assignment when a replan does not say. */
export const DEFAULT_CHANGE_PENALTY = 100;

function limitErrors(problem: RosterProblem, limits: AppConfig['limits']): FieldError[] {
  const errors: FieldError[] = [];
  if (problem.employees.length > limits.employees_per_request) errors.push({ path: 'problem.employees', message: `at most ${limits.employees_per_request} employees per request` });
  if (problem.shiftTypes.length > limits.shift_types_per_request) errors.push({ path: 'problem.shiftTypes', message: `at most ${limits.shift_types_per_request} shift types per request` });
  if (problem.days > limits.days_per_request) errors.push({ path: 'problem.days', message: `at most ${limits.days_per_request} days per request` });
  const cells = problem.days * Math.max(1, problem.shiftTypes.length) * 4;
  if (problem.cover.length > cells) errors.push({ path: 'problem.cover', message: `at most ${cells} cover requirements for this period` });
  return errors;
}

function parseAsOf(raw: string): AsOf {
  if (/^\d+$/.test(raw)) return { version: Number(raw) };
  const at = Date.parse(raw);
  if (Number.isNaN(at)) throw invalidInput([{ path: 'asOf', message: 'expected a version number or an ISO 8601 timestamp' }]);
  return { at: new Date(at) };
}

export interface SchedulesRouterDeps {
  services: Pick<Services, 'database' | 'eventStore' | 'commands'>;
  readCache: ReadCache;
  limits: AppConfig['limits'];
}

export function schedulesRouter({ services, readCache, limits }: SchedulesRouterDeps): Router {
  const { database, eventStore } = services;
  const { commands } = services;
  const router = new Router({ prefix: '/api/v1/schedules' });
  router.use(requireScope('schedule'));
  router.param('id', saneIdParam);
  router.param('employeeId', saneIdParam);

  const orgOf = (ctx: Context): string => ctx.state.auth!.orgId;
  const ref = (ctx: Context) => ({ orgId: orgOf(ctx), scheduleId: ctx.params.id as string });

  const loadView = (ctx: Context) => () => getSchedule(database, orgOf(ctx), ctx.params.id);
  const noSuchSchedule = (ctx: Context) => new HttpProblem(404, 'not-found', `No schedule ${ctx.params.id}.`);

  /** The schedule's read model, or 404 (also for another org's schedule: no existence leak). */
  const existing = async (ctx: Context): Promise<ScheduleView> => {
    const view = await readCache.read(ref(ctx), 'view', loadView(ctx));
    if (!view) throw noSuchSchedule(ctx);
    return view;
  };

  /** The same, with its JSON text for sending it as it is. */
  const served = async (ctx: Context): Promise<Served<ScheduleView>> => {
    const view = await readCache.readServed(ref(ctx), 'view', loadView(ctx));
    if (!view) throw noSuchSchedule(ctx);
    return view;
  };

  const send = async (ctx: Context, command: ScheduleCommand, options: { expectedVersion?: boolean } = {}) =>
    acceptedOrThrow(ctx, await handleCommand(commands, scheduleAggregate, command, commandContextOf(ctx, orgOf(ctx), options)));

  // Commands need no read-model lookup: the stream id includes the org, and the decider answers
  // not-found for a schedule that does not exist (in this org).

  /** Commands on an existing schedule answer with its new version, for the next If-Match. */
  const answerChange = (ctx: Context, version: number, extra: Record<string, unknown> = {}) => {
    ctx.status = 202;
    ctx.body = { scheduleId: ctx.params.id, version, ...extra };
  };

  router.post('/', async (ctx) => {
    const body = decodeBody(RequestScheduleBody, ctx.request.body);
    const errors = [...limitErrors(body.problem, limits), ...validateProblem(body.problem).map((e) => ({ ...e, path: `problem.${e.path}` }))];
    if (errors.length) throw invalidInput(errors, 'The roster problem is not consistent.');
    const context = commandContextOf(ctx, orgOf(ctx), { expectedVersion: false });
    const scheduleId = newResourceId(context.orgId, context.idempotencyKey);
    const solver = resolveSolverSettings(body.solver);
    const command = { type: 'RequestSchedule' as const, scheduleId, name: body.name ?? '', problem: body.problem, solver };
    const outcome = acceptedOrThrow(ctx, await handleCommand(commands, scheduleAggregate, command, context));
    ctx.status = 202;
    ctx.set('Location', `/api/v1/schedules/${scheduleId}`);
    ctx.body = { scheduleId, status: 'requested', version: outcome.version, solver, links: { self: `/api/v1/schedules/${scheduleId}`, events: `/api/v1/schedules/${scheduleId}/events` } };
  });

  router.get('/', async (ctx) => {
    const limit = queryInt(ctx, 'limit', 1, 200) ?? 50;
    const status = queryString(ctx, 'status');
    const published = queryString(ctx, 'published');
    if (published !== undefined && published !== 'true' && published !== 'false') throw invalidInput([{ path: 'published', message: 'expected true or false' }]);
    const cursor = decodeCursor(ctx);
    const after = cursor && { createdAt: cursor.createdAt, scheduleId: cursor.id };
    const page = await listSchedules(database, orgOf(ctx), { status, published: published === undefined ? undefined : published === 'true', after, limit });
    ctx.body = {
      schedules: page.schedules,
      nextCursor: encodeCursor(page.next && { createdAt: page.next.createdAt, id: page.next.scheduleId }),
    };
  });

  router.get('/:id', async (ctx) => {
    const asOf = queryString(ctx, 'asOf');
    if (asOf !== undefined) {
      const past = await stateAsOf(eventStore, streamIdOfSchedule(orgOf(ctx), ctx.params.id), { decider: scheduleAggregate.decider, eventCodec: scheduleAggregate.eventCodec }, parseAsOf(asOf));
      if (!past.state.exists) throw new HttpProblem(404, 'not-found', `Schedule ${ctx.params.id} did not exist then.`);
      const { state } = past;
      ctx.body = {
        scheduleId: state.scheduleId,
        name: state.name,
        status: state.status,
        published: state.published !== undefined,
        generation: state.generation,
        score: state.score ?? null,
        version: past.version,
        asOf: past.recordedAt?.toISOString() ?? null,
        assignments: currentAssignments(state),
      };
      return;
    }
    // A hot schedule is answered from memory without a promise on the way.
    const view = readCache.servedFromMemory<ScheduleView>(ref(ctx), 'view') ?? (await served(ctx));
    if (notModified(ctx, view.value.version)) return;
    sendJson(ctx, view.json);
  });

  router.get('/:id/assignments', async (ctx) => {
    const view = await existing(ctx);
    const employeeId = queryString(ctx, 'employee');
    const fromDay = queryInt(ctx, 'fromDay', 0, 100_000);
    const toDay = queryInt(ctx, 'toDay', 0, 100_000);
    if (notModified(ctx, view.version)) return;
    const resource = `assignments:${employeeId ?? ''}:${fromDay ?? ''}:${toDay ?? ''}`;
    const assignments = await readCache.read(ref(ctx), resource, () => listAssignments(database, orgOf(ctx), ctx.params.id, { employeeId, fromDay, toDay }));
    ctx.body = { scheduleId: view.scheduleId, version: view.version, assignments };
  });

  router.get('/:id/unfilled', async (ctx) => {
    const view = await existing(ctx);
    if (notModified(ctx, view.version)) return;
    ctx.body = { scheduleId: view.scheduleId, version: view.version, unfilled: await listUnfilled(database, orgOf(ctx), ctx.params.id) };
  });

  /** The problem and roster of the read model, for explanations and recommendations. */
  const rosterOf = async (ctx: Context) => {
    const stored = await getProblem(database, orgOf(ctx), ctx.params.id);
    if (!stored) throw new HttpProblem(404, 'not-found', `No schedule ${ctx.params.id}.`);
    const assignments: Assignment[] = (await listAssignments(database, orgOf(ctx), ctx.params.id)).map((a) => ({ employeeId: a.employeeId, day: a.day as NonNegativeInt, shiftId: a.shiftId }));
    return { problem: stored.problem, assignments, version: stored.version };
  };

  router.get('/:id/explain', async (ctx) => {
    const view = await existing(ctx);
    if (notModified(ctx, view.version)) return;
    ctx.body = await readCache.read(ref(ctx), 'explain', async () => {
      const { problem, assignments, version } = await rosterOf(ctx);
      return { scheduleId: view.scheduleId, version, ...explain(problem, assignments) };
    });
  });

  router.get('/:id/recommendations', async (ctx) => {
    const view = await existing(ctx);
    const shiftId = queryString(ctx, 'shift');
    const day = queryInt(ctx, 'day', 0, 100_000);
    const limit = queryInt(ctx, 'limit', 1, 100) ?? 5;
    const errors: FieldError[] = [];
    if (!shiftId) errors.push({ path: 'shift', message: 'required: the shift type id' });
    if (day === undefined) errors.push({ path: 'day', message: 'required: the day index' });
    if (errors.length) throw invalidInput(errors);
    const { problem, assignments, version } = await rosterOf(ctx);
    if (!problem.shiftTypes.some((s) => s.id === shiftId)) throw invalidInput([{ path: 'shift', message: `no shift type "${shiftId}" in this schedule` }]);
    if (day! >= problem.days) throw invalidInput([{ path: 'day', message: `outside the period (0-${problem.days - 1})` }]);
    ctx.set('ETag', etagOf(version));
    ctx.body = { scheduleId: view.scheduleId, version, day, shiftId, recommendations: recommend(problem, assignments, day!, shiftId!, limit) };
  });

  router.get('/:id/history', async (ctx) => {
    const fromVersion = queryInt(ctx, 'fromVersion', 1, 10_000_000);
    const limit = queryInt(ctx, 'limit', 1, 1000) ?? 200;
    const from = fromVersion ?? 1;
    // From the stream itself: complete even before the read model has caught up.
    const entries = await streamHistory(eventStore, streamIdOfSchedule(orgOf(ctx), ctx.params.id), { fromVersion: from, toVersion: from + limit - 1 });
    if (entries.length === 0 && from === 1) throw new HttpProblem(404, 'not-found', `No schedule ${ctx.params.id}.`);
    ctx.body = {
      scheduleId: ctx.params.id,
      events: entries.map((entry) => ({
        version: entry.version,
        type: entry.type,
        recordedAt: entry.recordedAt.toISOString(),
        occurredAt: entry.metadata?.occurredAt ?? null,
        actor: entry.metadata?.actorKeyId ?? null,
        commandId: entry.metadata?.commandId ?? null,
        correlationId: entry.metadata?.correlationId ?? null,
        causationId: entry.metadata?.causationId ?? null,
        data: entry.data,
      })),
    };
  });

  router.get('/:id/events', async (ctx) => {
    await followSchedule(ctx, eventStore, streamIdOfSchedule(orgOf(ctx), ctx.params.id));
  });

  router.post('/:id/assignments', async (ctx) => {
    const body = decodeBody(AssignShiftBody, ctx.request.body);
    const outcome = await send(ctx, { type: 'AssignShift', scheduleId: ctx.params.id, ...body });
    answerChange(ctx, outcome.version, { events: outcome.events });
  });

  router.delete('/:id/assignments/:employeeId/:day', async (ctx) => {
    const day = Number(ctx.params.day);
    if (!/^\d+$/.test(ctx.params.day)) throw invalidInput([{ path: 'day', message: 'expected a day index' }]);
    const outcome = await send(ctx, { type: 'UnassignShift', scheduleId: ctx.params.id, employeeId: ctx.params.employeeId, day: day as NonNegativeInt });
    answerChange(ctx, outcome.version);
  });

  router.post('/:id/publish', async (ctx) => {
    const outcome = await send(ctx, { type: 'PublishSchedule', scheduleId: ctx.params.id });
    answerChange(ctx, outcome.version);
  });

  router.post('/:id/cancel', async (ctx) => {
    const outcome = await send(ctx, { type: 'CancelGeneration', scheduleId: ctx.params.id });
    answerChange(ctx, outcome.version);
  });

  router.post('/:id/unavailability', async (ctx) => {
    const body = decodeBody(UnavailabilityBody, ctx.request.body);
    const outcome = await send(ctx, { type: 'MarkEmployeeUnavailable', scheduleId: ctx.params.id, employeeId: body.employeeId, days: body.days, reason: body.reason });
    answerChange(ctx, outcome.version, { events: outcome.events });
  });

  router.post('/:id/demand', async (ctx) => {
    const body = decodeBody(DemandBody, ctx.request.body);
    if (!body.set?.length && !body.remove?.length) throw invalidInput([{ path: '', message: 'give requirements to `set` or to `remove`' }]);
    const outcome = await send(ctx, { type: 'ChangeDemand', scheduleId: ctx.params.id, set: body.set ?? [], remove: body.remove ?? [] });
    answerChange(ctx, outcome.version, { events: outcome.events });
  });

  router.post('/:id/replan', async (ctx) => {
    const body = decodeBody(ReplanBody, ctx.request.body);
    const solver = resolveSolverSettings(body.solver);
    const changePenalty = (body.changePenalty ?? DEFAULT_CHANGE_PENALTY) as NonNegativeInt;
    const outcome = await send(ctx, { type: 'Replan', scheduleId: ctx.params.id, changePenalty, solver });
    answerChange(ctx, outcome.version, { changePenalty, solver });
  });

  return router;
}

