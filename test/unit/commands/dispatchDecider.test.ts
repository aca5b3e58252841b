// given(events).when(command).then(events | refusal) for the dispatch's business rules, and the
// request each generation solves (fixed visits kept, `now` set on re-dispatch).
import assert from 'node:assert/strict';
import { isLeft } from 'fp-ts/lib/Either.js';
import { fold } from '../../../src/commands/decider.js';
import { dispatchDecider, requestToSolve } from '../../../src/commands/dispatchDecider.js';
import type { DispatchRequest } from '../../../src/domain/dispatch.js';
import { DispatchCommand, type DispatchEvent, type DispatchRejection } from '../../../src/domain/dispatchService.js';

const order = (id: string, x: number, extra: Record<string, unknown> = {}) => ({ id, location: { x, y: 0 }, timeWindows: [{ start: 0, end: 500 }], serviceDuration: 10, ...extra });
const request: DispatchRequest = {
  orders: [order('a', 10), order('b', 20), order('c', 30)],
  technicians: [
    { id: 't1', startLocation: { x: 0, y: 0 }, shift: { start: 0, end: 600 } },
    { id: 't2', startLocation: { x: 0, y: 0 }, shift: { start: 0, end: 600 } },
  ],
  travel: { kind: 'euclidean' },
};
const solver = { timeLimitMs: 1000, unimprovedLimitMs: 200, seed: 4 };
const objective = { mode: 'hierarchical' as const, unassignedCount: 0, unassignedPriority: 0, techniciansUsed: 1, fixedCost: 1, travelDistance: 60, travelCost: 60, weightedTotal: 61 };
const routes = [
  {
    technicianId: 't1', departure: 0, arrival: 90, distance: 60, load: 0,
    visits: [
      { orderId: 'a', arrival: 10, serviceStart: 10, departure: 20, fixed: false },
      { orderId: 'b', arrival: 30, serviceStart: 30, departure: 40, fixed: false },
      { orderId: 'c', arrival: 50, serviceStart: 50, departure: 60, fixed: false },
    ],
  },
];

function given(...history: DispatchEvent[]) {
  const state = fold(dispatchDecider, history);
  return {
    state,
    when(input: Record<string, unknown>) {
      const decoded = DispatchCommand.decode({ dispatchId: 'd1', ...input });
      if (isLeft(decoded)) throw new Error(`test command does not decode: ${JSON.stringify(input)}`);
      const decision = dispatchDecider.decide(decoded.right, state);
      return {
        then(...expected: DispatchEvent[]) {
          assert.ok(decision.ok, `expected events, got refusal ${decision.ok ? '' : JSON.stringify(decision.rejection)}`);
          assert.deepEqual(decision.events, expected);
        },
        refused(code: DispatchRejection['code']): DispatchRejection {
          assert.ok(!decision.ok, `expected refusal ${code}, got ${JSON.stringify(decision.ok && decision.events)}`);
          assert.equal(decision.rejection.code, code, decision.rejection.message);
          return decision.rejection;
        },
      };
    },
  };
}

const requested: DispatchEvent = { type: 'DispatchRequested', dispatchId: 'd1', name: 'Monday', request, source: { kind: 'explicit' }, solver, generation: 1 };
const started: DispatchEvent = { type: 'DispatchGenerationStarted', generation: 1, workerId: 'w1', attempt: 1 };
const planned: DispatchEvent = { type: 'RoutesPlanned', generation: 1, routes, unassigned: [] };
const generated: DispatchEvent = { type: 'DispatchGenerated', generation: 1, objective, stats: { iterations: 10 } };
const aStarted: DispatchEvent = { type: 'VisitStarted', orderId: 'a', technicianId: 't1', serviceStart: 12 };
const redispatch = (generation: number, now: number, reason: string): DispatchEvent => ({ type: 'RedispatchRequested', generation, now, solver, reason });

describe('dispatch decider', () => {
  it('requests a dispatch once', () => {
    given().when({ type: 'RequestDispatch', name: 'Monday', request, source: { kind: 'explicit' }, solver }).then(requested);
    given(requested).when({ type: 'RequestDispatch', name: 'again', request, source: { kind: 'explicit' }, solver }).refused('already-exists');
    given().when({ type: 'ReportVisit', orderId: 'a', technicianId: 't1', status: 'started', serviceStart: 1 }).refused('not-found');
  });

  it('runs a generation: start, complete with routes, and refuses a stale or repeated one', () => {
    given(requested).when({ type: 'StartDispatchGeneration', generation: 1, workerId: 'w1' }).then(started);
    given(requested).when({ type: 'StartDispatchGeneration', generation: 2, workerId: 'w1' }).refused('stale-generation');
    given(requested, started)
      .when({ type: 'CompleteDispatchGeneration', generation: 1, routes, unassigned: [], objective, stats: { iterations: 10 } })
      .then(planned, generated);
    given(requested, started, planned, generated)
      .when({ type: 'CompleteDispatchGeneration', generation: 1, routes, unassigned: [], objective, stats: {} })
      .refused('stale-generation');
    given(requested, started).when({ type: 'FailDispatchGeneration', generation: 1, reason: 'boom' }).then({ type: 'DispatchFailed', generation: 1, reason: 'boom' });
  });

  it('a reported visit becomes fixed in every later request, at the time it started', () => {
    const history = [requested, started, planned, generated];
    given(...history).when({ type: 'ReportVisit', orderId: 'a', technicianId: 't1', status: 'started', serviceStart: 12 }).then(aStarted);
    // Completing keeps the start time reported when it started.
    given(...history, aStarted)
      .when({ type: 'ReportVisit', orderId: 'a', technicianId: 't1', status: 'completed', serviceStart: 99 })
      .then({ type: 'VisitCompleted', orderId: 'a', technicianId: 't1', serviceStart: 12 });
    given(...history, aStarted).when({ type: 'ReportVisit', orderId: 'a', technicianId: 't2', status: 'completed', serviceStart: 12 }).refused('wrong-state');
    given(...history).when({ type: 'ReportVisit', orderId: 'zz', technicianId: 't9', status: 'started', serviceStart: 1 }).refused('unknown-reference');
    const state = given(...history, aStarted, redispatch(2, 30, 'x')).state;
    assert.deepEqual(requestToSolve(state).fixedVisits, [{ orderId: 'a', technicianId: 't1', status: 'started', serviceStart: 12 }]);
    assert.equal(requestToSolve(state).now, 30);
  });

  it('a visit reported while a generation runs asks for a new one, so the result keeps it', () => {
    given(requested, started).when({ type: 'ReportVisit', orderId: 'a', technicianId: 't1', status: 'started', serviceStart: 12 }).then(aStarted, redispatch(2, 12, 'visit reported during a generation'));
  });

  it('a cancelled order leaves the request and re-dispatches; a started one cannot be cancelled', () => {
    const history = [requested, started, planned, generated];
    given(...history).when({ type: 'CancelDispatchOrder', orderId: 'b', now: 20 }).then({ type: 'DispatchOrderCancelled', orderId: 'b' }, redispatch(2, 20, 'order b cancelled'));
    const after = given(...history, { type: 'DispatchOrderCancelled', orderId: 'b' }, redispatch(2, 20, 'order b cancelled')).state;
    assert.deepEqual(requestToSolve(after).orders.map((o) => o.id), ['a', 'c']);
    assert.equal(after.generation, 2);
    given(...history, aStarted).when({ type: 'CancelDispatchOrder', orderId: 'a', now: 20 }).refused('wrong-state');
    given(...history).when({ type: 'CancelDispatchOrder', orderId: 'nope', now: 20 }).refused('unknown-reference');
  });

  it('a new urgent order joins the request; one that does not fit the travel model is refused with its path', () => {
    const urgent = order('u', 15, { priority: 100 });
    given(requested).when({ type: 'AddDispatchOrder', order: urgent, now: 5 }).then({ type: 'DispatchOrderAdded', order: urgent }, redispatch(2, 5, 'order u added'));
    given(requested).when({ type: 'AddDispatchOrder', order: order('a', 1), now: 5 }).refused('already-exists');
    const refusal = given(requested).when({ type: 'AddDispatchOrder', order: { ...urgent, location: { lat: 1, lon: 2 } }, now: 5 }).refused('unknown-reference');
    assert.deepEqual(refusal.errors?.map((e) => e.path), ['order.location']);
  });

  it('a technician off sick leaves the request: started visits go back to the pool, completed orders are done', () => {
    const aCompleted: DispatchEvent = { type: 'VisitCompleted', orderId: 'a', technicianId: 't1', serviceStart: 12 };
    const bStarted: DispatchEvent = { type: 'VisitStarted', orderId: 'b', technicianId: 't1', serviceStart: 35 };
    const history = [requested, started, planned, generated, aCompleted, bStarted];
    given(...history).when({ type: 'MarkTechnicianOffSick', technicianId: 't1', reason: 'flu', now: 50 })
      .then({ type: 'TechnicianOffSick', technicianId: 't1', reason: 'flu' }, redispatch(2, 50, 'technician t1 off sick'));
    const after = given(...history, { type: 'TechnicianOffSick', technicianId: 't1', reason: 'flu' }, redispatch(2, 50, 'x')).state;
    const next = requestToSolve(after);
    assert.deepEqual(next.technicians.map((t) => t.id), ['t2']);
    assert.deepEqual(next.orders.map((o) => o.id), ['b', 'c']);
    assert.equal(next.fixedVisits, undefined);
    given(...history).when({ type: 'MarkTechnicianOffSick', technicianId: 't9', reason: '', now: 1 }).refused('unknown-reference');
  });

  it('an explicit re-dispatch overrides the solver settings field by field', () => {
    given(requested, started, planned, generated)
      .when({ type: 'Redispatch', now: 40, solver: { seed: 9 } })
      .then({ type: 'RedispatchRequested', generation: 2, now: 40, solver: { ...solver, seed: 9 }, reason: 'requested' });
  });

  it('a newer generation makes the running one stale', () => {
    const history = [requested, started, redispatch(2, 10, 'requested')];
    given(...history).when({ type: 'CompleteDispatchGeneration', generation: 1, routes, unassigned: [], objective, stats: {} }).refused('stale-generation');
    given(...history).when({ type: 'StartDispatchGeneration', generation: 2, workerId: 'w2' }).then({ type: 'DispatchGenerationStarted', generation: 2, workerId: 'w2', attempt: 1 });
  });
});
