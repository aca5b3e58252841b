import assert from 'node:assert/strict';
import { evaluateRoster, type ConstraintMatch } from '../../../src/solver/evaluator.js';
import { curtois, tinyProblem, work } from './fixtures.js';

function only(matches: ConstraintMatch[], constraint: string): ConstraintMatch[] {
  return matches.filter((m) => m.constraint === constraint);
}

describe('independent evaluator', () => {
  describe('Curtois check values (README)', () => {
    const problem = curtois('Instance1');

    it('scores the empty roster of Instance1 at 7137', () => {
      assert.equal(evaluateRoster(problem, []).score.soft, 7137);
    });

    it('scores "only A works D on days 2 and 3" at 6933', () => {
      assert.equal(evaluateRoster(problem, work('A', 'D', 2, 3)).score.soft, 6933);
    });
  });

  it('counts two shifts on one day as a hard violation', () => {
    const e = evaluateRoster(tinyProblem(), [...work('E', 'D', 0), ...work('E', 'N', 0)]);
    assert.equal(only(e.matches, 'oneShiftPerDay').length, 1);
  });

  it('flags overlapping shifts across midnight, not a normal next-day shift', () => {
    const problem = tinyProblem({ shiftTypes: [{ id: 'N', start: '22:00', durationMinutes: 600 }, { id: 'E', start: '06:00', durationMinutes: 480 }] });
    // N on day 0 runs to 08:00 on day 1; E on day 1 starts 06:00.
    assert.equal(only(evaluateRoster(problem, [...work('E', 'N', 0), ...work('E', 'E', 1)]).matches, 'overlap').length, 1);
    assert.equal(only(evaluateRoster(problem, [...work('E', 'N', 0), ...work('E', 'E', 2)]).matches, 'overlap').length, 0);
  });

  it('flags too little rest between shifts', () => {
    const problem = tinyProblem({}, { minRestMinutes: 11 * 60 });
    // N on day 0 ends 08:00 on day 1, when D on day 1 starts: no rest. D on day 0 ends 16:00,
    // N on day 1 starts 30 h later: enough.
    assert.equal(only(evaluateRoster(problem, [...work('E', 'N', 0), ...work('E', 'D', 1)]).matches, 'minRest').length, 1);
    assert.equal(only(evaluateRoster(problem, [...work('E', 'D', 0), ...work('E', 'N', 1)]).matches, 'minRest').length, 0);
  });

  it('flags a forbidden succession only on the next day', () => {
    const problem = tinyProblem({ forbiddenSuccessions: [{ from: 'N', to: 'D' }] });
    const next = evaluateRoster(problem, [...work('E', 'N', 2), ...work('E', 'D', 3)]);
    assert.deepEqual(only(next.matches, 'forbiddenSuccession').map((m) => m.day), [3]);
    assert.equal(only(evaluateRoster(problem, [...work('E', 'N', 2), ...work('E', 'D', 4)]).matches, 'forbiddenSuccession').length, 0);
    assert.equal(only(evaluateRoster(problem, [...work('E', 'D', 2), ...work('E', 'N', 3)]).matches, 'forbiddenSuccession').length, 0);
  });

  it('penalises each shift above the per-type maximum', () => {
    const e = evaluateRoster(tinyProblem({}, { maxShiftsPerType: { D: 2 } }), work('E', 'D', 0, 1, 3, 4));
    assert.equal(only(e.matches, 'maxShiftsPerType')[0]?.penalty, 2);
  });

  it('penalises total minutes outside the limits in started hours', () => {
    const problem = tinyProblem({}, { minTotalMinutes: 1000, maxTotalMinutes: 1500 });
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 0)).matches, 'minTotalMinutes')[0]?.penalty, 9); // 520 min short
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 0, 2, 4, 6)).matches, 'maxTotalMinutes')[0]?.penalty, 7); // 420 min over
    assert.equal(evaluateRoster(problem, work('E', 'D', 0, 2, 4)).hardViolations, 0);
  });

  it('penalises runs of work that are too long, also at the edges', () => {
    const e = evaluateRoster(tinyProblem({}, { maxConsecutiveWorkDays: 3 }), work('E', 'D', 0, 1, 2, 3, 4));
    assert.deepEqual(only(e.matches, 'maxConsecutiveWorkDays').map((m) => [m.day, m.penalty]), [[0, 2]]);
  });

  it('penalises short runs of work except those touching the period edges', () => {
    const problem = tinyProblem({}, { minConsecutiveWorkDays: 2 });
    assert.deepEqual(only(evaluateRoster(problem, work('E', 'D', 3)).matches, 'minConsecutiveWorkDays').map((m) => m.day), [3]);
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 0)).matches, 'minConsecutiveWorkDays').length, 0);
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 6)).matches, 'minConsecutiveWorkDays').length, 0);
    const strict = tinyProblem({ exemptEdgeRuns: false }, { minConsecutiveWorkDays: 2 });
    assert.equal(only(evaluateRoster(strict, work('E', 'D', 6)).matches, 'minConsecutiveWorkDays').length, 1);
  });

  it('penalises short runs of days off except at the edges', () => {
    const problem = tinyProblem({}, { minConsecutiveDaysOff: 2 });
    const e = evaluateRoster(problem, work('E', 'D', 1, 2, 4, 5));
    // Day 0 off touches the start (exempt); day 3 alone is short; day 6 touches the end.
    assert.deepEqual(only(e.matches, 'minConsecutiveDaysOff').map((m) => [m.day, m.penalty]), [[3, 1]]);
  });

  it('counts weekends from the calendar, whatever weekday the period starts on', () => {
    // 2024-01-03 is a Wednesday: days 3, 4 are Sat/Sun of week 0; days 10, 11 of week 1.
    const problem = tinyProblem({ startDate: '2024-01-03', days: 14 }, { maxWeekends: 1 });
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 3, 4)).matches, 'maxWeekends').length, 0);
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 4, 10)).matches, 'maxWeekends')[0]?.penalty, 1);
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 0, 1, 2, 5, 6)).matches, 'maxWeekends').length, 0);
  });

  it('flags work on unavailable days and shifts needing skills the employee lacks', () => {
    const problem = tinyProblem({
      employees: [{ id: 'E', contractId: 'C', unavailableDays: [2], skills: ['first-aid'] }],
      shiftTypes: [{ id: 'D', start: '08:00', durationMinutes: 480 }, { id: 'X', start: '08:00', durationMinutes: 480, requiredSkills: ['xray'] }],
    });
    const e = evaluateRoster(problem, [...work('E', 'D', 2), ...work('E', 'X', 4)]);
    assert.deepEqual(only(e.matches, 'unavailable').map((m) => m.day), [2]);
    assert.deepEqual(only(e.matches, 'skills').map((m) => m.day), [4]);
  });

  it('scores shift-on and shift-off requests, with and without a shift', () => {
    const problem = tinyProblem({
      shiftOnRequests: [{ employeeId: 'E', day: 0, shiftId: 'D', weight: 3 }, { employeeId: 'E', day: 1, weight: 2 }],
      shiftOffRequests: [{ employeeId: 'E', day: 2, shiftId: 'N', weight: 5 }, { employeeId: 'E', day: 3, weight: 7 }],
    });
    assert.equal(evaluateRoster(problem, []).score.soft, 5);
    assert.equal(evaluateRoster(problem, [...work('E', 'N', 0, 1, 2, 3)]).score.soft, 3 + 5 + 7);
    assert.equal(evaluateRoster(problem, [...work('E', 'D', 0, 1, 2)]).score.soft, 0);
  });

  it('scores cover under and over, per skill, and hard minimums as medium', () => {
    const problem = tinyProblem({
      employees: [
        { id: 'A', contractId: 'C', skills: ['senior'] },
        { id: 'B', contractId: 'C' },
        { id: 'F', contractId: 'C' },
      ],
      cover: [
        { day: 0, shiftId: 'D', required: 1, underWeight: 10, overWeight: 1 },
        { day: 0, shiftId: 'D', required: 1, underWeight: 50, overWeight: 0, skill: 'senior' },
        { day: 1, shiftId: 'D', required: 2, underWeight: 10, overWeight: 1, hardMinimum: true },
      ],
    });
    const e = evaluateRoster(problem, [...work('B', 'D', 0, 1), ...work('F', 'D', 0)]);
    // Day 0: 2 on D (1 over → 1), no senior (50). Day 1: 1 of 2 with a hard minimum → medium 1.
    assert.deepEqual(e.score, { hard: 0, medium: 1, soft: 51 });
  });

  it('scores fairness as weighted squared deviation of hours within a contract', () => {
    const problem = tinyProblem({ employees: [{ id: 'A', contractId: 'C' }, { id: 'B', contractId: 'C' }], weights: { fairness: 2 } });
    // A 16 h, B 0 h: mean 8, deviations 8 and 8 → 2 × (64 + 64) = 256.
    assert.equal(evaluateRoster(problem, work('A', 'D', 0, 1)).score.soft, 256);
  });

  it('scores cost per shift and changes against a baseline', () => {
    const problem = tinyProblem({
      employees: [{ id: 'E', contractId: 'C', hourlyCost: 20 }],
      weights: { cost: 1 },
      baseline: { assignments: [{ employeeId: 'E', day: 0, shiftId: 'D' }], changePenalty: 100 },
    });
    assert.equal(evaluateRoster(problem, work('E', 'D', 0)).score.soft, 160);
    assert.equal(evaluateRoster(problem, work('E', 'N', 0)).score.soft, 200 + 100);
    assert.equal(evaluateRoster(problem, []).score.soft, 100);
  });

  it('reports broken pins as hard', () => {
    const problem = tinyProblem({ pins: [{ employeeId: 'E', day: 1, shiftId: 'D' }, { employeeId: 'E', day: 2, shiftId: null }] });
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 1)).matches, 'pin').length, 0);
    assert.equal(only(evaluateRoster(problem, work('E', 'D', 2)).matches, 'pin').length, 2);
  });

  it('moves a rule to the soft score with its weight, per request or per contract', () => {
    const request = tinyProblem({ rules: { maxShiftsPerType: { level: 'soft', weight: 40 } } }, { maxShiftsPerType: { D: 1 } });
    assert.deepEqual(evaluateRoster(request, work('E', 'D', 0, 3)).score, { hard: 0, medium: 0, soft: 40 });
    const contract = tinyProblem({ rules: { maxShiftsPerType: { level: 'soft', weight: 40 } } }, { maxShiftsPerType: { D: 1 }, rules: { maxShiftsPerType: { level: 'hard', weight: 3 } } });
    assert.deepEqual(evaluateRoster(contract, work('E', 'D', 0, 3)).score, { hard: 3, medium: 0, soft: 0 });
  });
});
