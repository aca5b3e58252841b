// /api/v1/service-orders: create, list, read, change, cancel and complete service orders. Commands
// go through the service-order decider; queries read the service_orders read model.
import Router from '@koa/router';
import type { Context } from 'koa';
import * as t from 'io-ts';
import { handleCommand } from '../../commands/commandHandler.js';
import { serviceOrderAggregate } from '../../commands/serviceOrderAggregate.js';
import { Location, TimeWindow } from '../../domain/dispatch.js';
import { NonEmptyString, NonNegativeNumber, PositiveInteger, nonEmptyArray, strictObject } from '../../domain/dispatchCodecKit.js';
import { ServiceOrderChanges, streamIdOfServiceOrder, type ServiceOrderCommand, type ServiceOrderSpec } from '../../domain/serviceOrders.js';
import type { Services } from '../../infra/services.js';
import { getServiceOrder, listServiceOrders, type ServiceOrderView } from '../../projections/serviceOrderQueries.js';
import { acceptedOrThrow, commandContextOf } from '../commandRequest.js';
import { requireScope } from '../middleware/apiKeyAuth.js';
import { HttpProblem, invalidInput } from '../problem.js';
import { decodeBody, decodeCursor, encodeCursor, newResourceId, notModified, queryInt, queryString, requireStream } from './httpHelpers.js';

const ORDER_ID = /^[A-Za-z0-9._:-]{1,100}$/;
export const OrderId = new t.Type<string, string, unknown>(
  'OrderId',
  (u): u is string => typeof u === 'string' && ORDER_ID.test(u),
  (u, c) => (typeof u === 'string' && ORDER_ID.test(u) ? t.success(u) : t.failure(u, c, 'must be 1-100 letters, digits or . _ : -')),
  t.identity,
);

/** Body of POST /service-orders; `id` is optional (one is made up when absent). */
export const CreateServiceOrderBody = strictObject(
  'CreateServiceOrderBody',
  { location: Location, timeWindows: nonEmptyArray(TimeWindow, 'TimeWindows'), serviceDuration: NonNegativeNumber },
  { id: OrderId, requiredSkills: t.array(NonEmptyString), priority: PositiveInteger, demand: NonNegativeNumber },
);
export const CancelServiceOrderBody = strictObject('CancelServiceOrderBody', {}, { reason: t.string });

const STATUSES = new Set(['open', 'cancelled', 'completed']);

function windowErrors(windows: readonly TimeWindow[] | undefined): { path: string; message: string }[] {
  return (windows ?? []).flatMap((w, i) => (w.start <= w.end ? [] : [{ path: `timeWindows.${i}.end`, message: 'must not be before start' }]));
}

export interface ServiceOrdersRouterDeps {
  services: Pick<Services, 'database' | 'eventStore' | 'commands'>;
}

export function serviceOrdersRouter({ services }: ServiceOrdersRouterDeps): Router {
  const { database, eventStore } = services;
  const { commands } = services;
  const router = new Router({ prefix: '/api/v1/service-orders' });
  router.use(requireScope('dispatch'));

  const orgOf = (ctx: Context): string => ctx.state.auth!.orgId;

  /** The order's read model, or 404 (also for another org's order: no existence leak). */
  const existing = async (ctx: Context): Promise<ServiceOrderView> => {
    const view = await getServiceOrder(database, orgOf(ctx), ctx.params.id);
    if (!view) throw new HttpProblem(404, 'not-found', `No service order ${ctx.params.id}.`);
    return view;
  };

  const send = async (ctx: Context, command: Exclude<ServiceOrderCommand, { type: 'CreateServiceOrder' }>) => {
    await requireStream(eventStore, streamIdOfServiceOrder(orgOf(ctx), command.orderId), `service order ${command.orderId}`);
    return acceptedOrThrow(ctx, await handleCommand(commands, serviceOrderAggregate, command, commandContextOf(ctx, orgOf(ctx))));
  };

  const answerChange = (ctx: Context, version: number, status: string) => {
    ctx.status = 202;
    ctx.body = { orderId: ctx.params.id, status, version };
  };

  router.post('/', async (ctx) => {
    const { id, ...order } = decodeBody(CreateServiceOrderBody, ctx.request.body);
    const errors = windowErrors(order.timeWindows);
    if (errors.length) throw invalidInput(errors);
    const context = commandContextOf(ctx, orgOf(ctx), { expectedVersion: false });
    const orderId = id ?? newResourceId(context.orgId, context.idempotencyKey);
    const spec: ServiceOrderSpec = order;
    const outcome = acceptedOrThrow(ctx, await handleCommand(commands, serviceOrderAggregate, { type: 'CreateServiceOrder', orderId, order: spec }, context));
    ctx.status = 201;
    ctx.set('Location', `/api/v1/service-orders/${orderId}`);
    ctx.body = { orderId, status: 'open', version: outcome.version, ...spec };
  });

  router.get('/', async (ctx) => {
    const limit = queryInt(ctx, 'limit', 1, 200) ?? 50;
    const status = queryString(ctx, 'status');
    if (status !== undefined && !STATUSES.has(status)) throw invalidInput([{ path: 'status', message: 'expected open, cancelled or completed' }]);
    const skill = queryString(ctx, 'skill');
    const minPriority = queryInt(ctx, 'minPriority', 1, 1_000_000_000);
    const after = decodeCursor(ctx);
    const page = await listServiceOrders(database, orgOf(ctx), { status, skill, minPriority, after: after && { createdAt: after.createdAt, orderId: after.id }, limit });
    ctx.body = { orders: page.orders, nextCursor: encodeCursor(page.next && { createdAt: page.next.createdAt, id: page.next.orderId }) };
  });

  router.get('/:id', async (ctx) => {
    const view = await existing(ctx);
    if (notModified(ctx, view.version)) return;
    ctx.body = view;
  });

  router.patch('/:id', async (ctx) => {
    if (!ctx.get('If-Match')) throw new HttpProblem(428, 'if-match-required', 'Send If-Match with the ETag of the order you changed.');
    const changes = decodeBody(ServiceOrderChanges, ctx.request.body);
    const errors = windowErrors(changes.timeWindows);
    if (errors.length) throw invalidInput(errors);
    if (Object.keys(changes).length === 0) throw invalidInput([{ path: '', message: 'give at least one field to change' }]);
    const outcome = await send(ctx, { type: 'UpdateServiceOrder', orderId: ctx.params.id, changes });
    answerChange(ctx, outcome.version, 'open');
  });

  router.post('/:id/cancel', async (ctx) => {
    const body = decodeBody(CancelServiceOrderBody, ctx.request.body);
    const outcome = await send(ctx, { type: 'CancelServiceOrder', orderId: ctx.params.id, reason: body.reason ?? '' });
    answerChange(ctx, outcome.version, 'cancelled');
  });

  router.post('/:id/complete', async (ctx) => {
    decodeBody(strictObject('CompleteServiceOrderBody', {}, {}), ctx.request.body);
    const outcome = await send(ctx, { type: 'CompleteServiceOrder', orderId: ctx.params.id });
    answerChange(ctx, outcome.version, 'completed');
  });

  return router;
}
