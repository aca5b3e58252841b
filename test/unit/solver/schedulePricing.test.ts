// Pricing finds an employee's cheapest schedules for column generation. The table (fast, blind to
// per-type maxima, which it meets with penalties) must agree with the exact label walk: never
// bound the cheapest schedule above the walk's cheapest, match it where no maximum binds, and offer
// only schedules that keep every hard rule of the employee by the independent evaluator.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileProblem, OFF } from '../../../src/solver/compiledProblem.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { buildRosterMip } from '../../../src/solver/mipModel.js';
import { assignmentsFromRoster } from '../../../src/solver/rosterConversion.js';
import { restReach } from '../../../src/solver/rosterScore.js';
import { rulesOf, SchedulePricing } from '../../../src/solver/schedulePricing.js';
import { randomProblem } from './problemArbitrary.js';

const EPSILON = 1e-6;

describe('Schedule pricing', () => {
  // Rules the MIP model takes, rest reaching the next day only: with maxima per shift type and
  // shifts of any length, or without maxima and with shifts of 4, 8 or 10 hours (so that shifts
  // share a length, and the table groups them).
  for (const [kind, plannerExact] of [['with maxima per shift type', false], ['with shifts of equal length', true]] as const) {
    it(`prices by the table as the exact label walk does, and offers only schedules that keep the rules (${kind})`, function () {
      this.timeout(60_000);
      let compared = 0;
      let limited = 0;
      fc.assert(
        fc.property(
          randomProblem({ linear: true, plannerExact }).map((drawn) => ({ ...drawn, pins: [] })),
          fc.array(fc.integer({ min: -40, max: 40 }), { minLength: 1, maxLength: 64 }),
          (problem, drawnValues) => {
            const p = compileProblem(problem);
            if (!buildRosterMip(p).ok || restReach(p) !== 1) return;
            const value = Float64Array.from({ length: p.days * (p.shifts + 1) }, (_, i) => drawnValues[i % drawnValues.length]! / 4);
            const table = new SchedulePricing(p, value, 'table');
            const labels = new SchedulePricing(p, value, 'labels');
            for (let e = 0; e < p.employees; e++) {
              const exact = labels.price(e, Infinity, 1);
              const priced = table.price(e, Infinity, 5);
              compared++;
              const bindingMaxima = rulesOf(p, e).limitedMax.length > 0;
              if (bindingMaxima) limited++;
              assert.ok(priced.lowerBound <= exact.lowerBound + EPSILON, `table bound ${priced.lowerBound} above the cheapest schedule ${exact.lowerBound}`);
              if (!bindingMaxima) assert.ok(Math.abs(priced.lowerBound - exact.lowerBound) < EPSILON || priced.lowerBound === exact.lowerBound, `table ${priced.lowerBound}, labels ${exact.lowerBound}`);
              const costOf = (schedule: Int16Array): number => schedule.reduce((sum, s, d) => sum + value[d * (p.shifts + 1) + s + 1]!, 0);
              if (exact.schedules.length > 0 && priced.schedules.length > 0 && !bindingMaxima) assert.ok(Math.abs(costOf(priced.schedules[0]!) - costOf(exact.schedules[0]!)) < EPSILON);
              for (const schedule of priced.schedules) {
                assert.ok(costOf(schedule) >= exact.lowerBound - EPSILON, 'a schedule cheaper than the exact cheapest');
                const roster = new Int16Array(p.employees * p.days).fill(OFF);
                roster.set(schedule, e * p.days);
                const broken = evaluateRoster(problem, assignmentsFromRoster(p, roster)).matches.filter(
                  (m) => m.level === 'hard' && m.penalty > 0 && m.employeeId === p.employeeIds[e] && m.constraint !== 'cover',
                );
                assert.deepEqual(broken, [], `schedule ${schedule.join(',')} breaks ${JSON.stringify(broken)}`);
              }
            }
          },
        ),
        { numRuns: 1000, seed: 11 },
      );
      assert.ok(compared >= 200 && (plannerExact || limited >= 30), `compared ${compared} employees, ${limited} with binding maxima`);
    });
  }
});
