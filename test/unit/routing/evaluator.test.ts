import assert from 'node:assert/strict';
import { evaluatePlan, evaluateResult } from '../../../src/solver/routing/index.js';
import { order, planarRequest, technician } from './fixtures.js';

const request = planarRequest(
  [
    order('a', 3, 4, { demand: 2, serviceDuration: 1 }),
    order('b', 6, 8, { demand: 2, timeWindows: [{ start: 0, end: 5 }] }),
    order('gas', 0, 5, { requiredSkills: ['gas'] }),
  ],
  [technician('t', { capacity: 3, shift: { start: 0, end: 30 } }), technician('u')],
);

describe('route evaluator', () => {
  it('measures distance and load of a feasible plan', () => {
    const evaluation = evaluatePlan(request, { routes: [{ technicianId: 't', orderIds: ['a'] }] });
    assert.deepEqual(evaluation.violations, []);
    assert.equal(evaluation.distance, 10);
    assert.deepEqual(evaluation.routes, [{ technicianId: 't', distance: 10, duration: 11, load: 2, serviceStarts: [5] }]);
    assert.equal(evaluation.unassignedCount, 2);
    assert.equal(evaluation.techniciansUsed, 1);
  });

  it('finds late arrival, overload, missing skill, overtime, duplicates and unknown ids', () => {
    const evaluation = evaluatePlan(request, {
      routes: [
        { technicianId: 't', orderIds: ['a', 'b', 'gas', 'gas'] },
        { technicianId: 'ghost', orderIds: [] },
        { technicianId: 'u', orderIds: ['nope'] },
      ],
    });
    assert.deepEqual(
      evaluation.violations.map((v) => `${v.kind}:${v.orderId ?? v.technicianId}`),
      [
        'duplicate_visit:gas',
        'time_window:b',
        'missing_skill:gas',
        'missing_skill:gas',
        'capacity:t',
        'unknown_technician:ghost',
        'unknown_order:nope',
      ],
    );
    assert.equal(evaluation.feasible, false);
  });

  it('flags a route that comes back after the shift ends', () => {
    const evaluation = evaluatePlan(planarRequest([order('x', 20, 0)], [technician('t', { shift: { start: 0, end: 30 } })]), {
      routes: [{ technicianId: 't', orderIds: ['x'] }],
    });
    assert.deepEqual(evaluation.violations.map((v) => v.kind), ['shift_end']);
  });
});

describe('result evaluator', () => {
  it('catches a planned time that disagrees with the route, and an order the result forgot', () => {
    const small = planarRequest([order('a', 3, 4), order('b', 6, 8)], [technician('t')]);
    const evaluation = evaluateResult(small, {
      routes: [
        {
          technicianId: 't',
          departure: 0,
          visits: [{ orderId: 'a', arrival: 5, serviceStart: 7, departure: 7, fixed: false }],
          arrival: 12,
          distance: 10,
          load: 0,
        },
      ],
      unassigned: [],
      objective: {
        mode: 'hierarchical',
        unassignedCount: 0,
        unassignedPriority: 0,
        techniciansUsed: 1,
        fixedCost: 1,
        travelDistance: 10,
        travelCost: 10,
        weightedTotal: 11,
      },
      stats: { seed: 1, iterations: 0, elapsedMs: 0, stopReason: 'nothingToDo', fleetIterations: 0, improvements: 0 },
    });
    assert.deepEqual(
      evaluation.violations.map((v) => `${v.kind}:${v.orderId}`),
      ['timeline_mismatch:a', 'unaccounted_order:b'],
    );
  });
});
