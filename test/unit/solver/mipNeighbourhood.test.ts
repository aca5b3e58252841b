// MIP neighbourhoods re-plan parts of a feasible roster exactly: every step they take must leave a
// roster the independent evaluator scores better and still feasible; repeated, they reach the
// proven optimum of a small benchmark instance, as does one solve of the whole instance, which also
// ends a portfolio's run early; and a portfolio using them stays deterministic under a move budget.
import assert from 'node:assert/strict';
import { compileProblem } from '../../../src/solver/compiledProblem.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { buildRosterMip } from '../../../src/solver/mipModel.js';
import { loadMipEngine, MipNeighbourhoodSearch } from '../../../src/solver/mipNeighbourhood.js';
import { assignmentsFromRoster, rosterFromAssignments } from '../../../src/solver/rosterConversion.js';
import type { SolveResult } from '../../../src/solver/solve.js';
import { solve, solveSync } from '../../../src/solver/solve.js';
import type { Score } from '../../../src/domain/roster.js';
import { curtois } from './fixtures.js';

/** A MIP search over Instance1 and a feasible, not yet optimal roster of it (from a short search). */
async function searchFromFeasibleInstance1(): Promise<{ roster: Int16Array; search: MipNeighbourhoodSearch; score: () => Score }> {
  const problem = curtois('Instance1');
  const p = compileProblem(problem);
  const start = solveSync(problem, { moveBudget: 2_000, seed: 1 });
  assert.ok(start.ok);
  const roster = rosterFromAssignments(p, start.result.assignments);
  const score = (): Score => evaluateRoster(problem, assignmentsFromRoster(p, roster)).score;
  assert.equal(score().hard, 0, 'the start must be feasible');
  assert.ok(score().soft > 607, `the start is already optimal (${score().soft}); the tests need room`);
  const built = buildRosterMip(p);
  assert.ok(built.ok);
  const highs = await loadMipEngine();
  assert.ok(highs !== undefined, 'HiGHS did not load');
  return { roster, search: new MipNeighbourhoodSearch(highs, p, built.mip, 1), score };
}

describe('MIP neighbourhoods', () => {
  it('improve a feasible Instance1 roster step by step to its proven optimum, 607', async function () {
    this.timeout(60_000);
    const { roster, search, score } = await searchFromFeasibleInstance1();
    let current = score();
    try {
      for (let step = 0; step < 200 && current.soft > 607; step++) {
        const before = Int16Array.from(roster);
        const improved = search.step(roster, { timeLimitSeconds: undefined, deterministic: true });
        const after = score();
        if (improved) {
          assert.equal(after.hard, 0);
          assert.ok(after.soft < current.soft, `step ${step}: ${current.soft} → ${after.soft}`);
        } else {
          assert.deepEqual(roster, before, 'a step that finds nothing better leaves the roster alone');
        }
        current = after;
      }
    } finally {
      search.dispose();
    }
    assert.equal(current.soft, 607);
  });

  it('solve Instance1 whole from a feasible roster and prove 607 optimal', async function () {
    this.timeout(60_000);
    const { roster, search, score } = await searchFromFeasibleInstance1();
    try {
      assert.deepEqual(search.solveWhole(roster, 30), { improved: true, proved: true });
    } finally {
      search.dispose();
    }
    assert.deepEqual(score(), { hard: 0, medium: 0, soft: 607 });
  });

  it('let a two-thread portfolio on a clock end early once the whole problem is proved optimal', async function () {
    this.timeout(60_000);
    const problem = curtois('Instance1');
    const outcome = await solve(problem, { timeLimitMs: 30_000, seed: 1, threads: 2 });
    assert.ok(outcome.ok);
    const { stats, assignments } = outcome.result;
    assert.equal(stats.stopReason, 'optimal');
    assert.ok(stats.durationMs < 30_000, `ran ${stats.durationMs} ms`);
    assert.deepEqual(evaluateRoster(problem, assignments).score, { hard: 0, medium: 0, soft: 607 });
  });

  it('let a cancelled portfolio stop promptly while HiGHS is solving a problem whole', async function () {
    this.timeout(60_000);
    // Instance5 takes HiGHS tens of seconds whole; it starts at a quarter of the 40 s limit.
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 12_000);
    const outcome = await solve(curtois('Instance5'), { timeLimitMs: 40_000, seed: 1, threads: 2, signal: controller.signal });
    assert.ok(outcome.ok);
    assert.equal(outcome.result.stats.stopReason, 'cancelled');
    assert.ok(outcome.result.stats.durationMs < 20_000, `stopped after ${outcome.result.stats.durationMs} ms`);
    assert.equal(outcome.result.score.hard, 0);
  });

  it('keep a two-thread portfolio deterministic for a seed and move budget', async function () {
    this.timeout(60_000);
    const problem = curtois('Instance2');
    const run = async (): Promise<SolveResult> => {
      const outcome = await solve(problem, { moveBudget: 400_000, seed: 5, threads: 2 });
      assert.ok(outcome.ok);
      return outcome.result;
    };
    const [a, b] = [await run(), await run()];
    assert.ok(a.stats.mipSteps > 0, 'the second thread ran no MIP neighbourhood');
    assert.deepEqual(a.stats, { ...b.stats, durationMs: a.stats.durationMs });
    assert.deepEqual(a.assignments, b.assignments);
  });
});
