import assert from 'node:assert/strict';
import type { DispatchRequest } from '../../../src/domain/dispatch.js';
import type { DispatchResult } from '../../../src/domain/dispatchResult.js';
import { evaluateResult, solveDispatch } from '../../../src/solver/routing/index.js';
import { order, planarRequest, technician } from './fixtures.js';

/** Solves with a small fixed budget and checks the plan with the independent evaluator. */
function solve(request: DispatchRequest, iterationBudget = 200): DispatchResult {
  const outcome = solveDispatch(request, { iterationBudget, seed: 3 });
  assert.ok(outcome.ok, JSON.stringify(!outcome.ok && outcome.errors));
  const evaluation = evaluateResult(request, outcome.result);
  assert.deepEqual(evaluation.violations, []);
  return outcome.result;
}

function visitIds(result: DispatchResult, technicianId: string): string[] {
  return result.routes.find((r) => r.technicianId === technicianId)?.visits.map((v) => v.orderId) ?? [];
}

describe('solveDispatch', () => {
  it('plans arrival, start of service and departure along the shortest route', () => {
    const result = solve(planarRequest([order('far', 20, 0, { serviceDuration: 5 }), order('near', 10, 0, { serviceDuration: 5 })], [technician('t')]));
    assert.equal(result.routes.length, 1);
    const [near, far] = result.routes[0].visits;
    assert.deepEqual(near, { orderId: 'near', arrival: 10, serviceStart: 10, departure: 15, fixed: false });
    assert.deepEqual(far, { orderId: 'far', arrival: 25, serviceStart: 25, departure: 30, fixed: false });
    assert.equal(result.routes[0].arrival, 50);
    assert.equal(result.objective.travelDistance, 40);
  });

  it('lets time windows decide the order and waits for a window to open', () => {
    const result = solve(
      planarRequest(
        [order('late', 10, 0, { timeWindows: [{ start: 40, end: 100 }] }), order('early', 20, 0, { timeWindows: [{ start: 0, end: 25 }] })],
        [technician('t')],
      ),
    );
    assert.deepEqual(visitIds(result, 't'), ['early', 'late']);
    const late = result.routes[0].visits[1];
    assert.equal(late.arrival, 30);
    assert.equal(late.serviceStart, 40);
  });

  it('uses a later window when the first one cannot be reached', () => {
    const result = solve(planarRequest([order('a', 10, 0, { timeWindows: [{ start: 50, end: 60 }, { start: 0, end: 5 }] })], [technician('t')]));
    assert.equal(result.routes[0].visits[0].serviceStart, 50);
  });

  it('sends only skilled technicians and says why an order no one can do is left out', () => {
    const result = solve(
      planarRequest(
        [order('boiler', 1, 0, { requiredSkills: ['gas'] }), order('rewire', 2, 0, { requiredSkills: ['electric'] })],
        [technician('plain'), technician('fitter', { skills: ['gas'] })],
      ),
    );
    assert.deepEqual(visitIds(result, 'fitter'), ['boiler']);
    assert.deepEqual(result.unassigned, [{ orderId: 'rewire', reason: 'no_skilled_technician' }]);
  });

  it('reports capacity and unreachable windows as reasons', () => {
    const result = solve(
      planarRequest(
        [order('heavy', 1, 0, { demand: 5 }), order('remote', 100, 0, { timeWindows: [{ start: 0, end: 50 }] }), order('ok', 1, 1, { demand: 2 })],
        [technician('t', { capacity: 3 })],
      ),
    );
    assert.deepEqual(visitIds(result, 't'), ['ok']);
    assert.deepEqual(result.unassigned, [
      { orderId: 'heavy', reason: 'capacity' },
      { orderId: 'remote', reason: 'window_unreachable' },
    ]);
  });

  it('serves the higher priority when the shift has room for one order, the other has no room', () => {
    const result = solve(
      planarRequest(
        [order('east', 40, 0, { serviceDuration: 10 }), order('west', -40, 0, { serviceDuration: 10, priority: 5 })],
        [technician('t', { shift: { start: 0, end: 100 } })],
      ),
    );
    assert.deepEqual(visitIds(result, 't'), ['west']);
    assert.deepEqual(result.unassigned, [{ orderId: 'east', reason: 'no_room_within_time' }]);
    assert.equal(result.objective.unassignedPriority, 1);
  });

  it('hierarchical uses fewer technicians even with more travel; weighted trades them against travel', () => {
    const orders = [order('west', 1, 0), order('east', 99, 0)];
    const technicians = [technician('a'), technician('b', { startLocation: { x: 100, y: 0 } })];
    const hierarchical = solve(planarRequest(orders, technicians));
    assert.equal(hierarchical.objective.techniciansUsed, 1);
    assert.equal(Math.round(hierarchical.objective.travelDistance), 198);
    const weighted = solve(planarRequest(orders, technicians, { objective: { mode: 'weighted', technicianFixedCost: 10 } }));
    assert.equal(weighted.objective.techniciansUsed, 2);
    assert.equal(weighted.objective.travelDistance, 4);
    assert.equal(weighted.objective.weightedTotal, 24);
  });

  it('travel distance only when technicians cost nothing', () => {
    const orders = [order('west', 1, 0), order('east', 99, 0)];
    const technicians = [technician('a'), technician('b', { startLocation: { x: 100, y: 0 } })];
    const result = solve(planarRequest(orders, technicians, { objective: { technicianFixedCost: 0 } }));
    assert.equal(result.objective.travelDistance, 4);
  });

  it('measures haversine distance in km and travel time at the given speed', () => {
    const request: DispatchRequest = {
      orders: [{ id: 'o', location: { lat: 0, lon: 1 }, timeWindows: [{ start: 0, end: 1000 }], serviceDuration: 0 }],
      technicians: [{ id: 't', startLocation: { lat: 0, lon: 0 }, shift: { start: 0, end: 1000 } }],
      travel: { kind: 'haversine', speedKmh: 60 },
    };
    const result = solve(request);
    const visit = result.routes[0].visits[0];
    assert.ok(Math.abs(visit.arrival - 111.195) < 0.01, `arrival ${visit.arrival}`);
    assert.ok(Math.abs(result.objective.travelDistance - 222.39) < 0.01);
  });

  it('follows the cheap direction of an asymmetric supplied matrix', () => {
    const at = (matrixIndex: number): { matrixIndex: number } => ({ matrixIndex });
    const request: DispatchRequest = {
      orders: [
        { id: 'a', location: at(1), timeWindows: [{ start: 0, end: 100 }], serviceDuration: 0 },
        { id: 'b', location: at(2), timeWindows: [{ start: 0, end: 100 }], serviceDuration: 0 },
      ],
      technicians: [{ id: 't', startLocation: at(0), shift: { start: 0, end: 100 } }],
      travel: { kind: 'matrix', durations: [[0, 1, 9], [9, 0, 1], [1, 9, 0]] },
    };
    const result = solve(request);
    assert.deepEqual(visitIds(result, 't'), ['a', 'b']);
    assert.equal(result.objective.travelDistance, 3);
  });

  it('returns validation errors instead of solving an inconsistent request', () => {
    const outcome = solveDispatch(planarRequest([order('a', 1, 1), order('a', 2, 2)], [technician('t')]));
    assert.deepEqual(outcome.ok ? [] : outcome.errors.map((e) => e.path), ['orders.1.id']);
  });
});
