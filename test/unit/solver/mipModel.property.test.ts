// The MIP model against the independent evaluator: for random problems and random rosters, the
// model's constraints hold exactly when the evaluator finds no hard violation and no unfilled
// hard-minimum cover, and then the model's objective is the evaluator's soft score. So the MIP
// neighbourhoods can neither hand the search a roster that breaks a rule nor miss a better one.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileProblem } from '../../../src/solver/compiledProblem.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import type { RosterMip } from '../../../src/solver/mipModel.js';
import { buildRosterMip } from '../../../src/solver/mipModel.js';
import { assignmentsFromRoster, rosterFromAssignments } from '../../../src/solver/rosterConversion.js';
import { solveSync } from '../../../src/solver/solve.js';
import type { RosterProblem } from '../../../src/domain/roster.js';
import { tinyProblem } from './fixtures.js';
import { randomProblem } from './problemArbitrary.js';

const TOLERANCE = 1e-9;

/** The first row or column bound that `x` breaks, or undefined. */
function brokenBound(mip: RosterMip, x: Float64Array): string | undefined {
  for (let c = 0; c < mip.columns; c++) {
    if (x[c]! < mip.colLower[c]! - TOLERANCE || x[c]! > mip.colUpper[c]! + TOLERANCE) return `column ${c} = ${x[c]}`;
  }
  for (let r = 0; r < mip.rows; r++) {
    let activity = 0;
    for (let k = mip.rowStart[r]!; k < mip.rowStart[r + 1]!; k++) activity += mip.entryValue[k]! * x[mip.entryColumn[k]!]!;
    if (activity < mip.rowLower[r]! - TOLERANCE || activity > mip.rowUpper[r]! + TOLERANCE) return `row ${r}: ${activity} outside [${mip.rowLower[r]}, ${mip.rowUpper[r]}]`;
  }
  return undefined;
}

describe('MIP model of a roster problem', () => {
  it('holds exactly the rosters the evaluator finds feasible, and prices them as it does', function () {
    this.timeout(60_000);
    let modelled = 0;
    let feasible = 0;
    fc.assert(
      fc.property(randomProblem({ linear: true }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }), (problem, changes) => {
        const p = compileProblem(problem);
        const built = buildRosterMip(p);
        if (!built.ok) return;
        modelled++;
        // Rosters near the edge of feasibility: a short search's best (often feasible), then up to
        // two cells changed to other options (often breaking exactly one rule).
        const searched = solveSync(problem, { moveBudget: 300, seed: 1 });
        assert.ok(searched.ok);
        const roster = rosterFromAssignments(p, searched.result.assignments);
        for (const [cellDraw, optionDraw] of changes) {
          const cell = cellDraw % roster.length;
          if (p.pinned[cell] === 1) continue;
          const first = p.optionStart[cell]!;
          roster[cell] = p.optionList[first + (optionDraw % (p.optionStart[cell + 1]! - first))]!;
        }
        const evaluation = evaluateRoster(problem, assignmentsFromRoster(p, roster));
        const x = built.mip.columnValues(roster);
        const broken = brokenBound(built.mip, x);
        const evaluatorFeasible = evaluation.score.hard === 0 && evaluation.score.medium === 0;
        assert.equal(broken === undefined, evaluatorFeasible, `model: ${broken ?? 'feasible'}; evaluator: ${JSON.stringify(evaluation.matches.filter((m) => m.level !== 'soft'))}`);
        if (!evaluatorFeasible) return;
        feasible++;
        let objective = built.mip.offset;
        for (let c = 0; c < built.mip.columns; c++) objective += built.mip.colCost[c]! * x[c]!;
        assert.ok(Math.abs(objective - evaluation.score.soft) < 1e-6, `objective ${objective}, evaluator ${evaluation.score.soft}`);
      }),
      { numRuns: 2000, seed: 20261128 },
    );
    // The check means something only if both kinds of roster were met often enough.
    assert.ok(modelled >= 500 && feasible >= 25, `modelled ${modelled}, feasible ${feasible}`);
  });

  // The run rules are modelled twice (compact rows and a flow of runs); a flow missing an arc would
  // cut off good rosters without the test above noticing, since short searches rarely produce every
  // shape of run. So: every work/off pattern of one employee, against the evaluator.
  it('keeps every pattern of runs the rules allow, and only those', function () {
    this.timeout(60_000);
    const limit = (max: number): fc.Arbitrary<number | undefined> => fc.option(fc.integer({ min: 1, max }), { nil: undefined });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), limit(5), limit(3), limit(3), (days, maxRun, minRun, minOff) => {
        const contract = { maxConsecutiveWorkDays: maxRun, minConsecutiveWorkDays: minRun, minConsecutiveDaysOff: minOff };
        const problem = tinyProblem({ days, shiftTypes: [{ id: 'D', start: '08:00', durationMinutes: 480 }] }, contract);
        const p = compileProblem(problem);
        const built = buildRosterMip(p);
        assert.ok(built.ok);
        for (let pattern = 0; pattern < 1 << days; pattern++) {
          const roster = Int16Array.from({ length: days }, (_, d) => ((pattern >> d) & 1) === 1 ? 0 : -1);
          const evaluation = evaluateRoster(problem, assignmentsFromRoster(p, roster));
          const broken = brokenBound(built.mip, built.mip.columnValues(roster));
          assert.equal(broken === undefined, evaluation.score.hard === 0, `pattern ${pattern.toString(2).padStart(days, '0')}: model ${broken ?? 'feasible'}, evaluator hard ${evaluation.score.hard}`);
        }
      }),
      { numRuns: 300, seed: 20261128 },
    );
  });

  it('says why it cannot model a problem', () => {
    const reason = (problem: RosterProblem): unknown => buildRosterMip(compileProblem(problem));
    assert.deepEqual(reason(tinyProblem({ weights: { fairness: 2 } })), { ok: false, reason: 'fairness is quadratic' });
    assert.deepEqual(reason(tinyProblem({ rules: { maxWeekends: { level: 'soft', weight: 3 } } }, { maxWeekends: 1 })), { ok: false, reason: 'rule maxWeekends is soft' });
    assert.equal(buildRosterMip(compileProblem(tinyProblem())).ok, true);
  });
});
