// Properties of the window planner: on problems within what it models exactly, its plan for a
// window is as good as the best of every possible filling of that window, scored by the real
// incremental score; and a search that re-plans often stays consistent and reproducible.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RosterProblem } from '../../../src/domain/roster.js';
import { compileProblem, OFF, type CompiledProblem } from '../../../src/solver/compiledProblem.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { DEFAULT_ANNEALING, RosterSearch } from '../../../src/solver/localSearch.js';
import { assignmentsFromRoster } from '../../../src/solver/rosterConversion.js';
import { RosterScore } from '../../../src/solver/rosterScore.js';
import { WindowPlanner } from '../../../src/solver/windowReplan.js';
import { randomProblem } from './problemArbitrary.js';

const WEIGHTS = { hard: 1000, medium: 100 };

const costOf = (s: RosterScore): number => s.hard * WEIGHTS.hard + s.medium * WEIGHTS.medium + s.soft;

/** Sets employee e's days [lo, lo + values.length) through a window, as the search does. */
function fill(state: RosterScore, e: number, lo: number, values: readonly number[]): void {
  state.openWindow(e, lo, lo + values.length - 1);
  values.forEach((s, i) => state.setCell(e, lo + i, s));
  state.closeWindow();
}

/** The lowest cost over every filling of the window from each cell's options (pins kept). */
function bruteForceBest(p: CompiledProblem, state: RosterScore, e: number, lo: number, hi: number): number {
  const choices: number[][] = [];
  for (let d = lo; d <= hi; d++) {
    const cell = e * p.days + d;
    if (p.pinned[cell] === 1) choices.push([state.a[cell]!]);
    else choices.push(Array.from(p.optionList.subarray(p.optionStart[cell]!, p.optionStart[cell + 1]!)));
  }
  const original = Array.from(state.a.subarray(e * p.days + lo, e * p.days + hi + 1));
  let best = Infinity;
  const values: number[] = [];
  const visit = (i: number): void => {
    if (i === choices.length) {
      fill(state, e, lo, values);
      best = Math.min(best, costOf(state));
      return;
    }
    for (const s of choices[i]!) {
      values.push(s);
      visit(i + 1);
      values.pop();
    }
  };
  visit(0);
  fill(state, e, lo, original);
  return best;
}

describe('window planner (property)', () => {
  it('plans a window as well as trying every filling of it, window after window', () => {
    const roster = fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 48, maxLength: 48 });
    const window = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 5 }));
    fc.assert(
      fc.property(randomProblem({ plannerExact: true }), roster, fc.array(window, { minLength: 1, maxLength: 3 }), (problem, values, windows) => {
        const p = compileProblem(problem);
        const initial = new Int16Array(p.employees * p.days);
        for (let i = 0; i < initial.length; i++) {
          const v = values[i % values.length]!;
          initial[i] = p.pinned[i] === 1 ? p.pinnedShift[i]! : v >= p.shifts ? OFF : v;
        }
        const state = new RosterScore(p, initial);
        // One planner for every window, as in the search: its buffers are reused.
        const planner = new WindowPlanner(p, 5);
        for (const [e0, d0, length] of windows) {
          const e = e0 % p.employees;
          const lo = d0 % p.days;
          const hi = Math.min(p.days - 1, lo + length - 1);
          const best = bruteForceBest(p, state, e, lo, hi);
          const before = costOf(state);
          const changed = planner.plan(state, e, lo, hi, WEIGHTS);
          if (changed) fill(state, e, lo, Array.from(planner.result.subarray(0, hi - lo + 1)));
          // Either the plan reaches the best, or the window was already at the best (unchanged).
          assert.equal(costOf(state), best, changed ? 'the plan is not the best filling' : `kept a window costing ${before}`);
        }
        // The state stayed consistent with a full recomputation.
        const fresh = new RosterScore(p, state.a);
        assert.deepEqual([state.hard, state.medium, state.soft], [fresh.hard, fresh.medium, fresh.soft]);
      }),
      { numRuns: 600 },
    );
  });

  it('keeps the search consistent, pins fixed and runs reproducible when re-plans are frequent', () => {
    checkFrequentReplans(randomProblem(), 400);
  });

  it('does so too where re-plans push workers to short shifts (cover on every shift)', () => {
    checkFrequentReplans(randomProblem({ fullCover: true }), 1000);
  });
});

/**
 * Runs searches of up to `maxMoves` moves in which re-plans (single, pair, weekend- and request-aimed pair;
 * short windows, high effort) are a large part of the moves, and checks the score against a full
 * recomputation and the evaluator, the pins, and that the same seed gives the same roster.
 */
function checkFrequentReplans(problems: fc.Arbitrary<RosterProblem>, maxMoves: number): void {
  const settings = { ...DEFAULT_ANNEALING, replanEffort: 0.95, replanDays: 4, replanPairShare: 0.7, replanWishShare: 0.5, startTemperature: 50, endTemperature: 5, hardWeight: 3 };
  fc.assert(
    fc.property(problems, fc.integer(), fc.integer({ min: 1, max: maxMoves }), (problem, seed, moves) => {
      const p = compileProblem(problem);
      const run = (): RosterSearch => {
        const initial = p.pinnedShift.map((s, i) => (p.pinned[i] === 1 ? s : OFF));
        const search = new RosterSearch(p, seed, initial, settings);
        search.run({ moveBudget: moves }, () => search.moves / moves);
        return search;
      };
      const search = run();
      const fresh = new RosterScore(p, search.state.a);
      assert.deepEqual([search.state.hard, search.state.medium, search.state.soft], [fresh.hard, fresh.medium, fresh.soft]);
      const evaluated = evaluateRoster(problem, assignmentsFromRoster(p, search.best)).score;
      assert.deepEqual([search.bestScore.hard, search.bestScore.medium, search.bestScore.soft], [evaluated.hard, evaluated.medium, evaluated.soft]);
      for (let i = 0; i < p.pinned.length; i++) if (p.pinned[i] === 1) assert.equal(search.best[i], p.pinnedShift[i]);
      assert.deepEqual([...run().best], [...search.best], 'same seed and budget, same roster');
    }),
    { numRuns: 150 },
  );
}
