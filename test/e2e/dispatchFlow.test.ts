// A dispatcher's day over HTTP, against real PostgreSQL and Redis: service orders → dispatch →
// routes checked by the routing library's independent evaluator → a visit starts → an urgent
// order arrives → re-dispatch keeps the started visit → an order is cancelled and disappears →
// every unassigned order has its reason. Also: technicians from a published schedule, the
// `dispatch` scope on every route, and no access to another org's orders or dispatches. Runs
// against the whole service as `paiban serve` wires it (routers, projections, job worker).
import assert from 'node:assert/strict';
import type { DispatchRequest } from '../../src/domain/dispatch.js';
import { evaluatePlan } from '../../src/solver/routing/index.js';
import { startPaibanInProcess, waitFor, type ApiClient, type RunningPaiban } from '../support/api.js';
import { weekProblem } from '../support/rosterFixtures.js';
import { postgresUnreachable, redisUnreachable, requireService } from '../support/services.js';

interface DispatchBody {
  dispatchId: string;
  status: string;
  generation: number;
  version: number;
  objective: { unassignedCount: number; techniciansUsed: number; travelDistance: number } | null;
  failureReason: string | null;
}
interface Visit {
  sequence: number;
  orderId: string;
  plannedArrival: number;
  plannedStart: number;
  plannedDeparture: number;
  status: string;
  fixed: boolean;
}
interface RoutesBody {
  generation: number;
  routes: { technicianId: string; departure: number; arrival: number; distance: number; visits: Visit[] }[];
}
interface UnassignedBody {
  unassigned: { orderId: string; reason: string; explanation: string }[];
}

const SOLVER = { timeLimitMs: 1000, unimprovedLimitMs: 150, seed: 7 };

async function waitForGeneration(api: ApiClient, id: string, generation: number): Promise<DispatchBody> {
  const body = await waitFor(`dispatch ${id} generation ${generation} to finish`, async () => {
    const answer = await api.get<DispatchBody>(`/api/v1/dispatches/${id}`);
    return answer.status === 200 && answer.body.generation === generation && ['generated', 'failed'].includes(answer.body.status) ? answer.body : undefined;
  });
  assert.equal(body.status, 'generated', body.failureReason ?? '');
  return body;
}

async function waitForOrder(api: ApiClient, id: string, status = 'open'): Promise<{ version: number; status: string }> {
  return waitFor(`order ${id} to be ${status}`, async () => {
    const answer = await api.get<{ version: number; status: string }>(`/api/v1/service-orders/${id}`);
    return answer.status === 200 && answer.body.status === status ? answer.body : undefined;
  });
}

/** dispatch_generations_total{status} as the instance's /metrics reports it. */
async function generationsWith(paiban: RunningPaiban, status: string): Promise<number> {
  const metrics = await fetch(`${paiban.api.baseUrl}/metrics`).then((r) => r.text());
  return Number(new RegExp(`^dispatch_generations_total\\{status="${status}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
}

/** Routes as served, judged by the library's evaluator against the request the generation solved. */
async function checkedRoutes(api: ApiClient, id: string): Promise<{ routes: RoutesBody; request: DispatchRequest; unassigned: UnassignedBody }> {
  const routes = (await api.get<RoutesBody>(`/api/v1/dispatches/${id}/routes`)).body;
  const { request } = (await api.get<{ request: DispatchRequest }>(`/api/v1/dispatches/${id}/request`)).body;
  const unassigned = (await api.get<UnassignedBody>(`/api/v1/dispatches/${id}/unassigned`)).body;
  const plan = { routes: routes.routes.map((r) => ({ technicianId: r.technicianId, orderIds: r.visits.map((v) => v.orderId) })) };
  const evaluation = evaluatePlan(request, plan);
  assert.deepEqual(evaluation.violations, [], 'every route is feasible');
  // Every order is either on a route or reported unassigned with a reason, never both.
  const routed = plan.routes.flatMap((r) => r.orderIds);
  const left = unassigned.unassigned.map((u) => u.orderId);
  assert.deepEqual([...routed, ...left].sort(), request.orders.map((o) => o.id).sort());
  // Planned times as the evaluator re-simulates them.
  for (const [k, route] of routes.routes.entries()) {
    const starts = evaluation.routes.find((r) => r.technicianId === route.technicianId)?.serviceStarts ?? [];
    route.visits.forEach((visit, i) => assert.ok(Math.abs(visit.plannedStart - starts[i]) < 1e-6, `route ${k} visit ${i} starts as simulated`));
  }
  return { routes, request, unassigned };
}

describe('dispatch service end to end', function () {
  this.timeout(120_000);
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);

  let paiban: RunningPaiban;
  let api: ApiClient;
  let mondayDispatch: string | undefined;

  const keyFor = (scopes: string[], orgId: string): Promise<ApiClient> => paiban.api.issueKey(scopes, orgId);

  before(async () => {
    paiban = await startPaibanInProcess();
    api = await keyFor(['dispatch'], 'acme');
  });
  after(() => paiban?.stop());

  const depot = { x: 0, y: 0 };
  const order = (id: string, x: number, y: number, extra: Record<string, unknown> = {}) => ({
    id, location: { x, y }, timeWindows: [{ start: 0, end: 480 }], serviceDuration: 20, demand: 1, ...extra,
  });
  const technicians = [
    { id: 't1', startLocation: depot, shift: { start: 0, end: 480 }, skills: ['gas'], capacity: 10 },
    { id: 't2', startLocation: depot, shift: { start: 0, end: 480 }, skills: ['gas', 'electric'], capacity: 10 },
  ];

  it('manages service orders: create, read with ETag, change with If-Match, list with filters and pages, complete', async () => {
    const created = await api.post<{ orderId: string; version: number }>('/api/v1/service-orders', order('crud-1', 5, 5, { requiredSkills: ['gas'], priority: 3 }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('location'), '/api/v1/service-orders/crud-1');
    for (const id of ['crud-2', 'crud-3']) assert.equal((await api.post('/api/v1/service-orders', order(id, 1, 1))).status, 201);
    const unknownField = await api.post<{ errors: { path: string }[] }>('/api/v1/service-orders', { ...order('crud-4', 1, 1), colour: 'red' });
    assert.equal(unknownField.status, 422);
    assert.deepEqual(unknownField.body.errors.map((e) => e.path), ['colour']);
    const badWindow = await api.post<{ errors: { path: string }[] }>('/api/v1/service-orders', { ...order('crud-5', 1, 1), timeWindows: [{ start: 10, end: 5 }] });
    assert.deepEqual(badWindow.body.errors.map((e) => e.path), ['timeWindows.0.end']);

    const { version } = await waitForOrder(api, 'crud-1');
    const read = await api.get('/api/v1/service-orders/crud-1');
    assert.equal(read.headers.get('etag'), `"${version}"`);
    assert.equal((await api.get('/api/v1/service-orders/crud-1', { 'If-None-Match': `"${version}"` })).status, 304);

    assert.equal((await api.request('PATCH', '/api/v1/service-orders/crud-1', { priority: 5 })).status, 428);
    assert.equal((await api.request('PATCH', '/api/v1/service-orders/crud-1', { priority: 5 }, { 'If-Match': `"${version + 7}"` })).status, 412);
    const changed = await api.request<{ version: number }>('PATCH', '/api/v1/service-orders/crud-1', { priority: 5 }, { 'If-Match': `"${version}"` });
    assert.equal(changed.status, 202, JSON.stringify(changed.body));
    const updated = await waitFor('the change to be read', async () => {
      const answer = await api.get<{ priority: number; version: number; requiredSkills: string[] }>('/api/v1/service-orders/crud-1');
      return answer.body.version === changed.body.version ? answer.body : undefined;
    });
    assert.equal(updated.priority, 5);
    assert.deepEqual(updated.requiredSkills, ['gas'], 'fields not changed are kept');

    await waitForOrder(api, 'crud-3');
    const bySkill = await api.get<{ orders: { orderId: string }[] }>('/api/v1/service-orders?skill=gas');
    assert.deepEqual(bySkill.body.orders.map((o) => o.orderId), ['crud-1']);
    const first = await api.get<{ orders: { orderId: string }[]; nextCursor: string | null }>('/api/v1/service-orders?limit=2');
    assert.equal(first.body.orders.length, 2);
    assert.ok(first.body.nextCursor);
    const second = await api.get<{ orders: { orderId: string }[]; nextCursor: string | null }>(`/api/v1/service-orders?limit=2&cursor=${first.body.nextCursor}`);
    assert.deepEqual([...first.body.orders, ...second.body.orders].map((o) => o.orderId).sort(), ['crud-1', 'crud-2', 'crud-3']);
    assert.equal(second.body.nextCursor, null);

    assert.equal((await api.post('/api/v1/service-orders/crud-2/complete')).status, 202);
    await waitForOrder(api, 'crud-2', 'completed');
    assert.equal((await api.post('/api/v1/service-orders/crud-2/cancel', {})).status, 409, 'a completed order cannot be cancelled');
    for (const id of ['crud-1', 'crud-3']) assert.equal((await api.post(`/api/v1/service-orders/${id}/cancel`, { reason: 'test data' })).status, 202);
    await waitForOrder(api, 'crud-3', 'cancelled');
  });

  it('dispatches, keeps a started visit through an urgent re-dispatch, drops a cancelled order, and explains what is left', async () => {
    const orders = [
      order('o1', 10, 0), order('o2', 20, 5), order('o3', -10, 10), order('o4', 0, -15), order('o5', 15, 15, { requiredSkills: ['electric'] }),
      // Nobody has the skill; nobody can get there in time.
      order('o6', 5, 5, { requiredSkills: ['plumbing'] }),
      order('o7', 200, 200, { timeWindows: [{ start: 0, end: 5 }] }),
      // No vehicle carries that much.
      order('o8', 3, 3, { demand: 20 }),
    ];
    const created = await Promise.all(orders.map((o) => api.post('/api/v1/service-orders', o)));
    assert.deepEqual(new Set(created.map((c) => c.status)), new Set([201]));
    await Promise.all(orders.map((o) => waitForOrder(api, o.id)));

    const orderIds = orders.map((o) => o.id);
    const typo = await api.post<{ errors: { path: string }[] }>('/api/v1/dispatches', { orderIds, technicians: [{ ...technicians[0], skils: ['gas'] }], travel: { kind: 'euclidean' } });
    assert.equal(typo.status, 422);
    assert.deepEqual(typo.body.errors.map((e) => e.path), ['technicians.0.skils'], 'unknown fields are refused with their path');
    const body = { name: 'Monday', orderIds, technicians, travel: { kind: 'euclidean' }, solver: SOLVER };
    const requested = await api.post<{ dispatchId: string }>('/api/v1/dispatches', body, { 'Idempotency-Key': 'monday-dispatch' });
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    const retried = await api.post<{ dispatchId: string }>('/api/v1/dispatches', body, { 'Idempotency-Key': 'monday-dispatch' });
    assert.equal(retried.body.dispatchId, requested.body.dispatchId, 'a retried request is the same dispatch');
    assert.equal(retried.headers.get('idempotent-replayed'), 'true');
    const id = requested.body.dispatchId;
    mondayDispatch = id;
    assert.equal(requested.headers.get('location'), `/api/v1/dispatches/${id}`);

    const first = await waitForGeneration(api, id, 1);
    assert.equal(first.objective?.unassignedCount, 3);
    const one = await checkedRoutes(api, id);
    const reasons = Object.fromEntries(one.unassigned.unassigned.map((u) => [u.orderId, u.reason]));
    assert.deepEqual(reasons, { o6: 'no_skilled_technician', o7: 'window_unreachable', o8: 'capacity' });
    assert.ok(one.unassigned.unassigned.every((u) => u.explanation.length > 20), 'each reason is explained');
    const o5Route = one.routes.routes.find((r) => r.visits.some((v) => v.orderId === 'o5'));
    assert.equal(o5Route?.technicianId, 't2', 'only t2 has the electric skill');

    // The first visit of the first route starts.
    const route = one.routes.routes[0];
    const visit = route.visits[0];
    const reported = await api.post(`/api/v1/dispatches/${id}/visits`, { orderId: visit.orderId, technicianId: route.technicianId, status: 'started', serviceStart: visit.plannedStart });
    assert.equal(reported.status, 202, JSON.stringify(reported.body));

    // An urgent order arrives while that visit is under way: re-dispatch from then on.
    const now = visit.plannedStart + 5;
    assert.equal((await api.post('/api/v1/service-orders', order('u1', 12, 3, { priority: 50 }))).status, 201);
    await waitForOrder(api, 'u1');
    const added = await api.post<{ generation: number }>(`/api/v1/dispatches/${id}/orders`, { orderId: 'u1', now });
    assert.equal(added.status, 202, JSON.stringify(added.body));
    assert.equal(added.body.generation, 2);
    await waitForGeneration(api, id, 2);
    const two = await checkedRoutes(api, id);
    assert.deepEqual(two.request.fixedVisits, [{ orderId: visit.orderId, technicianId: route.technicianId, status: 'started', serviceStart: visit.plannedStart }]);
    assert.equal(two.request.now, now);
    const kept = two.routes.routes.find((r) => r.technicianId === route.technicianId)?.visits[0];
    assert.deepEqual(
      kept && { orderId: kept.orderId, plannedStart: kept.plannedStart, status: kept.status, fixed: kept.fixed },
      { orderId: visit.orderId, plannedStart: visit.plannedStart, status: 'started', fixed: true },
      'the started visit stays first on its technician, at the time it started',
    );
    const u1Routed = two.routes.routes.some((r) => r.visits.some((v) => v.orderId === 'u1'));
    assert.ok(u1Routed || two.unassigned.unassigned.some((u) => u.orderId === 'u1'), 'the urgent order is routed or explained');
    assert.ok(u1Routed, 'with room on both routes, the urgent order is routed');
    for (const r of two.routes.routes) for (const v of r.visits.filter((x) => !x.fixed)) assert.ok(v.plannedStart >= now, 'no new visit starts before now');

    // A routed order that has not started is cancelled: it leaves the plan and the order book.
    const cancelledId = two.routes.routes.flatMap((r) => r.visits).find((v) => !v.fixed && v.orderId !== 'u1')!.orderId;
    const startedCancel = await api.post(`/api/v1/dispatches/${id}/orders/${visit.orderId}/cancel`, { now });
    assert.equal(startedCancel.status, 409, 'a started visit cannot be cancelled');
    const cancelled = await api.post<{ generation: number }>(`/api/v1/dispatches/${id}/orders/${cancelledId}/cancel`, { now, reason: 'customer called' });
    assert.equal(cancelled.status, 202, JSON.stringify(cancelled.body));
    await waitForGeneration(api, id, 3);
    const three = await checkedRoutes(api, id);
    assert.ok(!three.routes.routes.some((r) => r.visits.some((v) => v.orderId === cancelledId)), 'the cancelled order is off every route');
    assert.ok(!three.unassigned.unassigned.some((u) => u.orderId === cancelledId), 'and not reported unassigned');
    assert.ok(!three.request.orders.some((o) => o.id === cancelledId));
    await waitForOrder(api, cancelledId, 'cancelled');
    assert.deepEqual(Object.fromEntries(three.unassigned.unassigned.map((u) => [u.orderId, u.reason])), { o6: 'no_skilled_technician', o7: 'window_unreachable', o8: 'capacity' });

    // The started visit is completed (and so is its service order); the other technician goes
    // home sick: everything left is planned on the one still working, around the completed visit.
    const completed = await api.post(`/api/v1/dispatches/${id}/visits`, { orderId: visit.orderId, technicianId: route.technicianId, status: 'completed', serviceStart: visit.plannedStart });
    assert.equal(completed.status, 202, JSON.stringify(completed.body));
    await waitForOrder(api, visit.orderId, 'completed');
    const sick = technicians.find((t) => t.id !== route.technicianId)!.id;
    const offSick = await api.post<{ generation: number }>(`/api/v1/dispatches/${id}/technicians/${sick}/off-sick`, { now: now + 10, reason: 'flu' });
    assert.equal(offSick.status, 202, JSON.stringify(offSick.body));
    assert.equal(offSick.body.generation, 4);
    await waitForGeneration(api, id, 4);
    const four = await checkedRoutes(api, id);
    assert.deepEqual(four.routes.routes.map((r) => r.technicianId), [route.technicianId]);
    assert.deepEqual(four.routes.routes[0].visits[0], { ...four.routes.routes[0].visits[0], orderId: visit.orderId, status: 'completed', fixed: true, plannedStart: visit.plannedStart });
    if (sick === 't2') assert.equal(Object.fromEntries(four.unassigned.unassigned.map((u) => [u.orderId, u.reason])).o5, 'no_skilled_technician', 'only t2 had the electric skill');

    // Every generation counted by outcome.
    const successes = await generationsWith(paiban, 'success');
    assert.ok(successes >= 4, `dispatch_generations_total{status="success"} is ${successes}`);

    // Conditional reads of the dispatch.
    const current = await api.get<DispatchBody>(`/api/v1/dispatches/${id}`);
    assert.equal((await api.get(`/api/v1/dispatches/${id}/routes`, { 'If-None-Match': `"${current.body.version}"` })).status, 304);
  });

  it('a change during a long generation stops it at once and plans the new one instead', async () => {
    const busy = await keyFor(['dispatch'], 'busy-org');
    // 40 open orders in an org of their own: the dispatch takes every open order by default.
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => busy.post('/api/v1/service-orders', order(`b${i}`, ((i * 37) % 101) - 50, ((i * 53) % 97) - 48))));
    assert.deepEqual(new Set(created.map((c) => c.status)), new Set([201]));
    await waitFor('40 open orders', async () => {
      const answer = await busy.get<{ orders: unknown[] }>('/api/v1/service-orders?status=open&limit=100');
      return answer.body.orders.length === 40 ? true : undefined;
    });
    const crew = [1, 2, 3, 4].map((k) => ({ id: `c${k}`, startLocation: depot, shift: { start: 0, end: 2000 } }));
    const long = await busy.post<{ dispatchId: string; orders: number }>('/api/v1/dispatches', { technicians: crew, travel: { kind: 'euclidean' }, solver: { timeLimitMs: 30_000, unimprovedLimitMs: 30_000, seed: 1 } });
    assert.equal(long.status, 202, JSON.stringify(long.body));
    assert.equal(long.body.orders, 40);
    const id = long.body.dispatchId;
    await waitFor('the long generation to run', async () => {
      const answer = await busy.get<DispatchBody>(`/api/v1/dispatches/${id}`);
      return answer.body?.status === 'generating' ? true : undefined;
    });
    const cancelledBefore = await generationsWith(paiban, 'cancelled');
    const changedAt = Date.now();
    const redispatched = await busy.post<{ generation: number }>(`/api/v1/dispatches/${id}/redispatch`, { now: 0, solver: { timeLimitMs: 500, unimprovedLimitMs: 200 } });
    assert.equal(redispatched.status, 202, JSON.stringify(redispatched.body));
    await waitForGeneration(busy, id, 2);
    // One worker runs one job at a time: the second generation could not have run had the first
    // kept its 30 s.
    assert.ok(Date.now() - changedAt < 15_000, `re-dispatched in ${Date.now() - changedAt} ms`);
    assert.equal(await generationsWith(paiban, 'cancelled'), cancelledBefore + 1, 'the superseded generation counts as cancelled');
    await checkedRoutes(busy, id);
  });

  it('takes the technicians on shift from a published schedule', async () => {
    const roster = await keyFor(['schedule'], 'acme');
    const scheduled = await roster.post<{ scheduleId: string }>('/api/v1/schedules', { problem: weekProblem(4), solver: { timeLimitMs: 1000, unimprovedLimitMs: 200, seed: 1 } });
    assert.equal(scheduled.status, 202, JSON.stringify(scheduled.body));
    const scheduleId = scheduled.body.scheduleId;
    await waitFor('the roster', async () => {
      const answer = await roster.get<{ status: string }>(`/api/v1/schedules/${scheduleId}`);
      return answer.body?.status === 'generated' ? true : undefined;
    });
    const body = { orderIds: ['s1'], fromSchedule: { scheduleId, day: 0, defaultLocation: depot }, travel: { kind: 'euclidean' }, solver: SOLVER };
    assert.equal((await api.post('/api/v1/service-orders', order('s1', 3, 4, { timeWindows: [{ start: 420, end: 900 }] }))).status, 201);
    await waitForOrder(api, 's1');
    assert.equal((await api.post('/api/v1/dispatches', body)).status, 409, 'only a published roster');
    assert.equal((await roster.post(`/api/v1/schedules/${scheduleId}/publish`)).status, 202);
    const dispatched = await waitFor('the published roster to be read', async () => {
      const answer = await api.post<{ dispatchId: string; technicians: number }>('/api/v1/dispatches', body);
      return answer.status === 202 ? answer.body : undefined;
    });
    assert.equal(dispatched.technicians, 2, 'the day and the night shift of day 0');
    await waitForGeneration(api, dispatched.dispatchId, 1);
    const { request, routes } = await checkedRoutes(api, dispatched.dispatchId);
    assert.deepEqual(request.technicians.map((t) => t.shift).sort((a, b) => a.start - b.start), [{ start: 420, end: 900 }, { start: 1320, end: 1800 }]);
    assert.equal(routes.routes.length, 1, 'the morning order goes to the day shift');
  });

  it('needs the dispatch scope on every route, and never shows another org’s orders or dispatches', async () => {
    const scheduleOnly = await keyFor(['schedule'], 'acme');
    const calls: [string, string][] = [
      ['GET', '/api/v1/service-orders'], ['POST', '/api/v1/service-orders'], ['GET', '/api/v1/service-orders/o1'], ['PATCH', '/api/v1/service-orders/o1'],
      ['POST', '/api/v1/service-orders/o1/cancel'], ['POST', '/api/v1/service-orders/o1/complete'], ['POST', '/api/v1/dispatches'], ['GET', '/api/v1/dispatches'],
      ['GET', '/api/v1/dispatches/x'], ['GET', '/api/v1/dispatches/x/routes'], ['GET', '/api/v1/dispatches/x/unassigned'], ['GET', '/api/v1/dispatches/x/request'],
      ['POST', '/api/v1/dispatches/x/visits'], ['POST', '/api/v1/dispatches/x/orders'], ['POST', '/api/v1/dispatches/x/orders/o1/cancel'],
      ['POST', '/api/v1/dispatches/x/technicians/t1/off-sick'], ['POST', '/api/v1/dispatches/x/redispatch'],
    ];
    for (const [method, path] of calls) {
      const answer = await scheduleOnly.request(method, path, method === 'GET' ? undefined : {});
      assert.equal(answer.status, 403, `${method} ${path}`);
    }

    const other = await keyFor(['dispatch'], 'other-org');
    assert.equal((await other.get('/api/v1/service-orders/o1')).status, 404);
    assert.equal((await other.post('/api/v1/service-orders/o2/cancel', {})).status, 404);
    const listed = await other.get<{ orders: unknown[] }>('/api/v1/service-orders');
    assert.deepEqual(listed.body.orders, []);
    const foreign = await other.post<{ errors: { path: string }[] }>('/api/v1/dispatches', { orderIds: ['o1'], technicians, travel: { kind: 'euclidean' } });
    assert.equal(foreign.status, 422);
    assert.deepEqual(foreign.body.errors.map((e) => e.path), ['orderIds.0']);
    assert.deepEqual((await other.get<{ dispatches: unknown[] }>('/api/v1/dispatches')).body.dispatches, []);
    const ours = await api.get<{ dispatches: { dispatchId: string }[] }>('/api/v1/dispatches?limit=200');
    assert.ok(mondayDispatch && ours.body.dispatches.some((d) => d.dispatchId === mondayDispatch), 'our own dispatches are listed');
    if (mondayDispatch) {
      assert.equal((await other.get(`/api/v1/dispatches/${mondayDispatch}`)).status, 404);
      assert.equal((await other.get(`/api/v1/dispatches/${mondayDispatch}/routes`)).status, 404);
      assert.equal((await other.post(`/api/v1/dispatches/${mondayDispatch}/redispatch`, { now: 1 })).status, 404);
    }
    const mine = await api.get<{ orders: { orderId: string }[] }>('/api/v1/service-orders?limit=1');
    assert.equal(mine.status, 200);
  });
});
