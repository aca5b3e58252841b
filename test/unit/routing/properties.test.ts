import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DispatchRequest, ServiceOrder, Technician } from '../../../src/domain/dispatch.js';
import { evaluateResult, solveDispatch } from '../../../src/solver/routing/index.js';

const point = fc.record({ x: fc.integer({ min: 0, max: 50 }), y: fc.integer({ min: 0, max: 50 }) });
const skills = fc.subarray(['gas', 'electric']);
const window = fc
  .record({ start: fc.integer({ min: 0, max: 150 }), width: fc.integer({ min: 0, max: 80 }) })
  .map(({ start, width }) => ({ start, end: start + width }));

const orderArb = (id: string): fc.Arbitrary<ServiceOrder> =>
  fc.record({
    id: fc.constant(id),
    location: point,
    timeWindows: fc.array(window, { minLength: 1, maxLength: 2 }),
    serviceDuration: fc.integer({ min: 0, max: 15 }),
    requiredSkills: skills,
    priority: fc.integer({ min: 1, max: 3 }),
    demand: fc.integer({ min: 0, max: 6 }),
  });

const technicianArb = (id: string): fc.Arbitrary<Technician> =>
  fc.record({
    id: fc.constant(id),
    startLocation: point,
    endLocation: point,
    shift: fc.integer({ min: 60, max: 300 }).map((end) => ({ start: 0, end })),
    skills,
    capacity: fc.integer({ min: 0, max: 15 }),
  });

const requestArb: fc.Arbitrary<DispatchRequest> = fc
  .record({ orders: fc.integer({ min: 0, max: 9 }), technicians: fc.integer({ min: 1, max: 3 }), mode: fc.constantFrom('hierarchical', 'weighted') })
  .chain(({ orders, technicians, mode }) =>
    fc.record({
      orders: fc.tuple(...Array.from({ length: orders }, (_, i) => orderArb(`o${i}`))),
      technicians: fc.tuple(...Array.from({ length: technicians }, (_, i) => technicianArb(`t${i}`))),
      travel: fc.constant({ kind: 'euclidean' as const }),
      objective: fc.constant({ mode: mode as 'hierarchical' | 'weighted' }),
    }),
  );

describe('dispatch solver properties (random small requests)', () => {
  it('every plan is feasible, accounts for each order once, and its figures match the evaluator', () => {
    fc.assert(
      fc.property(requestArb, fc.integer({ min: 0, max: 1000 }), (request, seed) => {
        const outcome = solveDispatch(request, { iterationBudget: 30, seed });
        assert.ok(outcome.ok);
        const { result } = outcome;
        const evaluation = evaluateResult(request, result);
        assert.deepEqual(evaluation.violations, []);
        const routed = result.routes.flatMap((r) => r.visits.map((v) => v.orderId));
        const left = result.unassigned.map((u) => u.orderId);
        assert.deepEqual([...routed, ...left].sort(), request.orders.map((o) => o.id).sort());
        assert.ok(Math.abs(evaluation.distance - result.objective.travelDistance) < 1e-6);
        assert.equal(evaluation.unassignedPriority, result.objective.unassignedPriority);
        for (const { orderId, reason } of result.unassigned) {
          const needed = request.orders.find((o) => o.id === orderId)?.requiredSkills ?? [];
          const someoneSkilled = request.technicians.some((t) => needed.every((s) => (t.skills ?? []).includes(s)));
          assert.equal(reason === 'no_skilled_technician', !someoneSkilled, `${orderId}: ${reason}`);
        }
      }),
      { numRuns: 150, seed: 20261127 },
    );
  });
});
