import assert from 'node:assert/strict';
import type { DispatchRequest } from '../../../src/domain/dispatch.js';
import { evaluatePlan, evaluateResult, solveDispatch } from '../../../src/solver/routing/index.js';
import { order, planarRequest, technician } from './fixtures.js';

// Mid-day: t1 completed "done" and is working on "busy"; an urgent order arrives and t3 is off
// sick (so simply absent from the request). Started and completed visits must stay put.
function midDay(): DispatchRequest {
  return planarRequest(
    [
      order('done', 10, 0, { serviceDuration: 10 }),
      order('busy', 20, 0, { serviceDuration: 30 }),
      order('urgent', 22, 0, { priority: 10 }),
      order('west', -10, 0),
      order('north', 0, 15),
    ],
    [technician('t1'), technician('t2')],
    {
      now: 45,
      fixedVisits: [
        { orderId: 'busy', technicianId: 't1', status: 'started', serviceStart: 40 },
        { orderId: 'done', technicianId: 't1', status: 'completed', serviceStart: 12 },
      ],
    },
  );
}

describe('re-dispatch with fixed visits', () => {
  it('keeps started and completed visits first on their technician, at the times they happened', () => {
    const request = midDay();
    const outcome = solveDispatch(request, { iterationBudget: 200, seed: 5 });
    assert.ok(outcome.ok);
    const t1 = outcome.result.routes.find((r) => r.technicianId === 't1');
    assert.ok(t1 !== undefined);
    assert.deepEqual(
      t1.visits.slice(0, 2).map((v) => [v.orderId, v.serviceStart, v.fixed]),
      [
        ['done', 12, true],
        ['busy', 40, true],
      ],
    );
    const movable = outcome.result.routes.flatMap((r) => r.visits.filter((v) => !v.fixed));
    assert.deepEqual(movable.map((v) => v.orderId).sort(), ['north', 'urgent', 'west']);
    const evaluation = evaluateResult(request, outcome.result);
    assert.deepEqual(evaluation.violations, []);
    // The distance driven includes the legs to the fixed visits.
    assert.ok(Math.abs(evaluation.distance - outcome.result.objective.travelDistance) < 1e-9);
  });

  it('starts new journeys no earlier than now, and after the started visit ends', () => {
    const outcome = solveDispatch(midDay(), { iterationBudget: 200, seed: 5 });
    assert.ok(outcome.ok);
    for (const route of outcome.result.routes) {
      const firstFree = route.visits.find((v) => !v.fixed);
      if (firstFree === undefined) continue;
      const earliest = route.technicianId === 't1' ? 70 : 45;
      assert.ok(firstFree.arrival >= earliest, `${route.technicianId} reaches ${firstFree.orderId} at ${firstFree.arrival}`);
    }
  });

  it('gives the new orders to the technician already out rather than calling in another', () => {
    const outcome = solveDispatch(midDay(), { iterationBudget: 200, seed: 5 });
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.result.routes.map((r) => r.technicianId), ['t1']);
    assert.equal(outcome.result.routes[0].visits[2]?.orderId, 'urgent', 'the order next door comes first');
  });

  it('the evaluator rejects a plan that moves a fixed visit', () => {
    const request = midDay();
    const evaluation = evaluatePlan(request, {
      routes: [
        { technicianId: 't1', orderIds: ['done'] },
        { technicianId: 't2', orderIds: ['busy', 'urgent', 'west', 'north'] },
      ],
    });
    assert.deepEqual(
      evaluation.violations.map((v) => [v.kind, v.orderId]),
      [['fixed_visit_moved', 'busy']],
    );
  });
});
