// Property: on problems within what the window planner models exactly, its plan for a window is as
// good as the best of every possible filling of that window, scored by the real incremental score.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileProblem, OFF, type CompiledProblem } from '../../../src/solver/compiledProblem.js';
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
  it('plans a window as well as trying every filling of it', () => {
    const roster = fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 48, maxLength: 48 });
    fc.assert(
      fc.property(randomProblem({ plannerExact: true }), roster, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 5 }), (problem, values, e0, d0, length) => {
        const p = compileProblem(problem);
        const initial = new Int16Array(p.employees * p.days);
        for (let i = 0; i < initial.length; i++) {
          const v = values[i % values.length]!;
          initial[i] = p.pinned[i] === 1 ? p.pinnedShift[i]! : v >= p.shifts ? OFF : v;
        }
        const state = new RosterScore(p, initial);
        const e = e0 % p.employees;
        const lo = d0 % p.days;
        const hi = Math.min(p.days - 1, lo + length - 1);
        const best = bruteForceBest(p, state, e, lo, hi);
        const planner = new WindowPlanner(p, hi - lo + 1);
        const before = costOf(state);
        const changed = planner.plan(state, e, lo, hi, WEIGHTS);
        if (changed) fill(state, e, lo, Array.from(planner.result.subarray(0, hi - lo + 1)));
        // Either the plan reaches the best, or the window was already at the best (unchanged).
        assert.equal(costOf(state), best, changed ? 'the plan is not the best filling' : `kept a window costing ${before}`);
        // The state stayed consistent with a full recomputation.
        const fresh = new RosterScore(p, state.a);
        assert.deepEqual([state.hard, state.medium, state.soft], [fresh.hard, fresh.medium, fresh.soft]);
      }),
      { numRuns: 1000 },
    );
  });
});
