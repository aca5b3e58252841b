// The roster breakdown tool (bench/rosterBreakdown.ts): its counts are quoted in bench/RESULTS.md,
// so they are checked here on hand-built rosters and on Instance1/13's empty rosters.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { breakdown } from '../../../bench/rosterBreakdown.js';
import { curtois, tinyProblem, work } from '../solver/fixtures.js';

describe('roster breakdown (bench tool)', () => {
  it("counts an empty roster's cover as all unfilled and every employee's maximum as unused (Instance1)", () => {
    const problem = curtois('Instance1');
    const b = breakdown(problem, []);
    const heads = problem.cover.reduce((n, c) => n + c.required, 0);
    assert.equal(b.score.soft, 7137);
    assert.equal(b.unfilled.heads, heads);
    assert.equal(b.unfilled.minutes, b.demandMinutes);
    assert.equal(b.overFilled.heads, 0);
    assert.equal(b.rules[0]?.rule, 'cover (soft)');
    assert.equal(b.unusedMinutes, b.capacityMinutes);
    assert.equal(b.employeesBelowMaximum, problem.employees.length);
    assert.equal(b.shortfallMinutes, 0, 'Instance1 asks for fewer minutes than its staff may work');
  });

  it("finds Instance13's shortfall: cover 941 160 minutes against at most 939 000", () => {
    const b = breakdown(curtois('Instance13'), []);
    assert.equal(b.demandMinutes, 941_160);
    assert.equal(b.capacityMinutes, 939_000);
    assert.equal(b.shortfallMinutes, 2_160);
  });

  it('counts unfilled and over-filled heads in minutes, unused minutes and half-worked weekends', () => {
    // 2024-01-01 is a Monday: days 5 and 6 are the weekend.
    const problem = tinyProblem(
      {
        employees: [
          { id: 'E', contractId: 'C' },
          { id: 'F', contractId: 'C' },
        ],
        cover: [
          { day: 5, shiftId: 'D', required: 2, underWeight: 10, overWeight: 1 },
          { day: 6, shiftId: 'N', required: 0, underWeight: 10, overWeight: 1 },
        ],
      },
      { maxTotalMinutes: 2000 },
    );
    const b = breakdown(problem, [...work('E', 'D', 5), ...work('F', 'N', 6)]);
    assert.deepEqual(b.unfilled, { heads: 1, minutes: 480, cells: ['day 5 D ×1'] });
    assert.deepEqual(b.overFilled, { heads: 1, minutes: 600 });
    assert.equal(b.unusedMinutes, 2000 - 480 + (2000 - 600));
    assert.equal(b.halfWeekends, 2, 'E works only the Saturday, F only the Sunday');
  });

  it('claims no shortfall where a maximum is soft', () => {
    const problem = tinyProblem(
      { cover: [{ day: 0, shiftId: 'D', required: 3, underWeight: 10, overWeight: 1 }] },
      { maxTotalMinutes: 480, rules: { maxTotalMinutes: { level: 'soft', weight: 1 } } },
    );
    const b = breakdown(problem, []);
    assert.equal(b.capacityMinutes, undefined);
    assert.equal(b.shortfallMinutes, 0);
  });
});
