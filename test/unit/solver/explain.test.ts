import assert from 'node:assert/strict';
import { checkAssignment, explain, recommend } from '../../../src/solver/explain.js';
import { tinyProblem, work } from './fixtures.js';

const problem = tinyProblem(
  {
    employees: [
      { id: 'A', contractId: 'C' },
      { id: 'B', contractId: 'C', unavailableDays: [2] },
      { id: 'F', contractId: 'C' },
    ],
    cover: [{ day: 2, shiftId: 'D', required: 1, underWeight: 100, overWeight: 5 }],
    shiftOnRequests: [{ employeeId: 'F', day: 2, shiftId: 'D', weight: 4 }],
    shiftOffRequests: [{ employeeId: 'A', day: 2, weight: 3 }],
  },
  { maxConsecutiveWorkDays: 2 },
);

describe('explanation', () => {
  it('sums each constraint with its matches and summarises each employee', () => {
    const roster = work('A', 'D', 0, 1, 2);
    const e = explain(problem, roster);
    assert.deepEqual(e.score, { hard: 1, medium: 0, soft: 3 + 4 });
    const maxCons = e.constraints.find((c) => c.constraint === 'maxConsecutiveWorkDays')!;
    assert.equal(maxCons.level, 'hard');
    assert.deepEqual(maxCons.matches.map((m) => [m.employeeId, m.day, m.penalty]), [['A', 0, 1]]);
    assert.equal(e.constraints[0]!.level, 'hard'); // hard first
    const a = e.employees.find((x) => x.employeeId === 'A')!;
    assert.deepEqual([a.shifts, a.workedMinutes, a.requestsMet, a.requestsBroken, a.hardViolations], [3, 1440, 0, 1, 1]);
    const f = e.employees.find((x) => x.employeeId === 'F')!;
    assert.deepEqual([f.requestsMet, f.requestsBroken], [0, 1]);
  });

  it('ranks who fits an unfilled shift best by score change', () => {
    const ranked = recommend(problem, [], 2, 'D', 3);
    // F asked for it (−100 cover, −4 request); A asked for the day off (−100 + 3); B is unavailable.
    assert.deepEqual(ranked.map((r) => r.employeeId), ['F', 'A', 'B']);
    assert.deepEqual(ranked[0]!.scoreChange, { hard: 0, medium: 0, soft: -104 });
    assert.equal(ranked[2]!.scoreChange.hard, 1);
    assert.equal(recommend(problem, [], 2, 'D', 1).length, 1);
  });

  it('lists the hard rules a manual assignment would break, and nothing for a fine one', () => {
    const broken = checkAssignment(problem, work('A', 'D', 0, 1), { employeeId: 'A', day: 2, shiftId: 'D' });
    assert.deepEqual(broken.map((m) => m.constraint), ['maxConsecutiveWorkDays']);
    assert.deepEqual(checkAssignment(problem, [], { employeeId: 'B', day: 2, shiftId: 'D' }).map((m) => m.constraint), ['unavailable']);
    assert.deepEqual(checkAssignment(problem, work('A', 'D', 0, 1), { employeeId: 'F', day: 2, shiftId: 'D' }), []);
  });
});
