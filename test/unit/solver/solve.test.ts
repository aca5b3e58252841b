import assert from 'node:assert/strict';
import type { Score } from '../../../src/domain/roster.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { solve, solveSync, type SolveResult } from '../../../src/solver/solve.js';
import { curtois, tinyProblem } from './fixtures.js';

function solved(outcome: ReturnType<typeof solveSync>): SolveResult {
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
  return outcome.result;
}

describe('solve', () => {
  const instance1 = curtois('Instance1');

  it('finds a roster without hard violations for Curtois Instance1, scored like the evaluator', () => {
    const result = solved(solveSync(instance1, { moveBudget: 300_000, seed: 1 }));
    const evaluation = evaluateRoster(instance1, result.assignments);
    assert.equal(evaluation.hardViolations, 0);
    assert.deepEqual(result.score, evaluation.score);
    // Far better than the empty roster (7137) — the search did real work.
    assert.ok(result.score.soft < 1000, `objective ${result.score.soft}`);
    assert.equal(result.stats.movesEvaluated, 300_000);
    assert.ok(result.stats.constraintEvaluations > result.stats.movesEvaluated);
    assert.equal(result.stats.stopReason, 'moveBudget');
  });

  it('is deterministic for a seed and move budget, and seeds matter', () => {
    const a = solved(solveSync(instance1, { moveBudget: 50_000, seed: 7 }));
    const b = solved(solveSync(instance1, { moveBudget: 50_000, seed: 7 }));
    assert.deepEqual(a.assignments, b.assignments);
    // Short runs: with 50 000 moves both seeds may end on the same near-optimal roster.
    const [c, d] = [7, 8].map((seed) => solved(solveSync(instance1, { moveBudget: 10_000, seed })));
    assert.notDeepEqual(c!.assignments, d!.assignments);
  });

  it('runs a deterministic two-thread portfolio in worker threads', async () => {
    const run = async (): Promise<SolveResult> => {
      const outcome = await solve(instance1, { moveBudget: 40_000, seed: 3, threads: 2 });
      if (!outcome.ok) throw new Error(JSON.stringify(outcome.errors));
      return outcome.result;
    };
    const [a, b] = [await run(), await run()];
    assert.equal(a.stats.threads, 2);
    assert.equal(a.stats.movesEvaluated, 80_000);
    assert.deepEqual(a.assignments, b.assignments);
    assert.equal(evaluateRoster(instance1, a.assignments).score.soft, a.score.soft);
  });

  it('stops on the time limit, the target score and cancellation', async () => {
    const timed = solved(solveSync(instance1, { timeLimitMs: 200 }));
    assert.equal(timed.stats.stopReason, 'timeLimit');
    assert.ok(timed.stats.durationMs < 1500, `took ${timed.stats.durationMs} ms`);

    const target = solved(solveSync(instance1, { timeLimitMs: 10_000, targetScore: { hard: 0, medium: 0, soft: 5000 } }));
    assert.equal(target.stats.stopReason, 'target');
    assert.ok(target.score.soft <= 5000);

    const controller = new AbortController();
    const pending = solve(instance1, { timeLimitMs: 10_000, threads: 2, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const cancelled = await pending;
    assert.ok(cancelled.ok);
    assert.equal(cancelled.result.stats.stopReason, 'cancelled');
    assert.ok(Date.now() - started < 5000);
  });

  it('does not even build a start roster once cancelled, on one thread or in the portfolio', async () => {
    // The construction checks the stop rules too: on a large request it can outlast the time limit.
    for (const threads of [1, 2]) {
      const outcome = await solve(instance1, { timeLimitMs: 10_000, threads, signal: AbortSignal.abort() });
      assert.ok(outcome.ok);
      assert.equal(outcome.result.stats.stopReason, 'cancelled', `threads ${threads}`);
      assert.equal(outcome.result.assignments.length, 0, `threads ${threads}`);
    }
  });

  it('stops when the best has not improved for the unimproved limit', () => {
    const result = solved(solveSync(tinyProblem(), { timeLimitMs: 10_000, unimprovedLimitMs: 100 }));
    assert.equal(result.stats.stopReason, 'unimproved');
  });

  it('reports improving best scores to onProgress, ending with the final one', () => {
    const seen: Score[] = [];
    const result = solved(solveSync(instance1, { moveBudget: 200_000, onProgress: (best) => seen.push(best) }));
    assert.ok(seen.length >= 1);
    for (let i = 1; i < seen.length; i++) {
      const [x, y] = [seen[i - 1]!, seen[i]!];
      assert.ok(y.hard < x.hard || (y.hard === x.hard && (y.medium < x.medium || (y.medium === x.medium && y.soft < x.soft))));
    }
    assert.deepEqual(seen[seen.length - 1], result.score);
  });

  it('never moves pins, even when they break hard rules, and explains them', () => {
    const problem = tinyProblem(
      {
        employees: [{ id: 'E', contractId: 'C', unavailableDays: [3] }, { id: 'F', contractId: 'C' }],
        cover: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, shiftId: 'D', required: 1, underWeight: 10, overWeight: 10 })),
        pins: [{ employeeId: 'E', day: 3, shiftId: 'D' }, { employeeId: 'F', day: 1, shiftId: null }],
      },
      { maxConsecutiveWorkDays: 3 },
    );
    const result = solved(solveSync(problem, { moveBudget: 20_000 }));
    assert.ok(result.assignments.some((a) => a.employeeId === 'E' && a.day === 3 && a.shiftId === 'D'));
    assert.ok(!result.assignments.some((a) => a.employeeId === 'F' && a.day === 1));
    const unavailable = result.explanation.constraints.find((c) => c.constraint === 'unavailable');
    assert.deepEqual(unavailable?.matches.map((m) => [m.employeeId, m.day]), [['E', 3]]);
    assert.equal(result.score.hard, 1);
  });

  it('never moves pins in the portfolio either, whose MIP proves the rest optimal', async () => {
    // Pins that cost: nobody on day 1 (one head short) and both on day 5 (one head over). Any
    // search free to move them would fill day 1 and empty half of day 5.
    const problem = tinyProblem(
      {
        employees: [{ id: 'E', contractId: 'C' }, { id: 'F', contractId: 'C' }],
        cover: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, shiftId: 'D', required: 1, underWeight: 10, overWeight: 10 })),
        pins: [
          { employeeId: 'E', day: 1, shiftId: null },
          { employeeId: 'F', day: 1, shiftId: null },
          { employeeId: 'E', day: 5, shiftId: 'D' },
          { employeeId: 'F', day: 5, shiftId: 'D' },
        ],
      },
      { maxConsecutiveWorkDays: 3 },
    );
    const result = solved(await solve(problem, { timeLimitMs: 10_000, threads: 2 }));
    assert.equal(result.stats.stopReason, 'optimal');
    assert.deepEqual(result.assignments.filter((a) => a.day === 1), []);
    assert.deepEqual(result.assignments.filter((a) => a.day === 5).map((a) => a.employeeId).sort(), ['E', 'F']);
    assert.equal(result.score.hard, 0);
    assert.equal(result.score.soft, 20, 'the two pinned cover penalties, and nothing else');
  });

  it('keeps the published baseline when nothing is worth changing, on one thread and in the portfolio', async () => {
    const baseline = [0, 1, 2].map((day) => ({ employeeId: 'E', day, shiftId: 'D' }));
    const problem = tinyProblem({
      employees: [{ id: 'E', contractId: 'C' }, { id: 'F', contractId: 'C' }],
      cover: [0, 1, 2].map((day) => ({ day, shiftId: 'D', required: 1, underWeight: 10, overWeight: 10 })),
      baseline: { assignments: baseline, changePenalty: 50 },
    });
    for (const result of [solved(solveSync(problem, { moveBudget: 20_000 })), solved(await solve(problem, { timeLimitMs: 10_000, threads: 2 }))]) {
      assert.deepEqual(result.assignments, baseline);
      assert.deepEqual(result.score, { hard: 0, medium: 0, soft: 0 });
    }
  });

  it('returns the referential errors of an invalid problem instead of solving', () => {
    const problem = tinyProblem({ cover: [{ day: 9, shiftId: 'X', required: 1, underWeight: 1, overWeight: 1 }] });
    const outcome = solveSync(problem, { moveBudget: 10 });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) assert.deepEqual(outcome.errors.map((e) => e.path).sort(), ['cover.0.day', 'cover.0.shiftId']);
  });
});
