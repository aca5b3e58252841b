import assert from 'node:assert/strict';
import { compileModel, earliestServiceStart, latestArrival } from '../../../src/solver/routing/model.js';
import { solveDispatch } from '../../../src/solver/routing/index.js';
import { order, planarRequest, technician } from './fixtures.js';

describe('routing model', () => {
  const request = planarRequest(
    [
      order('a', 0, 0, { timeWindows: [{ start: 50, end: 60 }, { start: 10, end: 20 }, { start: 15, end: 30 }] }),
      order('b', 5, 0),
      order('c', 1, 0),
      order('d', 3.5, 0),
    ],
    [technician('t1'), technician('t2'), technician('t3', { capacity: 4 })],
  );
  const m = compileModel(request);

  it('merges overlapping windows and finds the earliest start and latest arrival across them', () => {
    assert.deepEqual([...m.twStart.slice(0, 2)], [10, 50]);
    assert.deepEqual([...m.twEnd.slice(0, 2)], [30, 60]);
    assert.equal(earliestServiceStart(m, 0, 5), 10);
    assert.equal(earliestServiceStart(m, 0, 31), 50);
    assert.equal(earliestServiceStart(m, 0, 61), Infinity);
    assert.equal(latestArrival(m, 0, 45), 30);
    assert.equal(latestArrival(m, 0, 5), -Infinity);
  });

  it('lists neighbours nearest first and groups interchangeable technicians', () => {
    assert.deepEqual([...m.neighbours[0]], [2, 3, 1]);
    assert.deepEqual([...m.neighbours[3]], [1, 2, 0]);
    assert.equal(m.technicianClass[0], m.technicianClass[1]);
    assert.notEqual(m.technicianClass[0], m.technicianClass[2]);
  });

  it('stops at once when no order fits any technician', () => {
    const outcome = solveDispatch(planarRequest([order('x', 1, 1, { requiredSkills: ['gas'] })], [technician('t')]), { timeLimitMs: 5000 });
    assert.ok(outcome.ok);
    assert.equal(outcome.result.stats.stopReason, 'nothingToDo');
    assert.ok(outcome.result.stats.elapsedMs < 1000);
  });
});
