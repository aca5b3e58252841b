// Property: after any sequence of moves, the incremental score equals a full recomputation, and
// both equal the independent evaluator's score — on random problems using every rule.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileProblem } from '../../../src/solver/compiledProblem.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { RosterSearch, DEFAULT_ANNEALING } from '../../../src/solver/localSearch.js';
import { assignmentsFromRoster } from '../../../src/solver/rosterConversion.js';
import { RosterScore } from '../../../src/solver/rosterScore.js';
import { validateProblem } from '../../../src/solver/validateProblem.js';
import { randomProblem } from './problemArbitrary.js';
import { tinyProblem } from './fixtures.js';

const problemArbitrary = randomProblem();

function scoreOf(s: { hard: number; medium: number; soft: number }): [number, number, number] {
  return [s.hard, s.medium, s.soft];
}

/** The wasted-capacity counts the search may steer by (see AnnealingSettings.capacityGuideWeight). */
function guideOf(s: RosterScore): [number, number] {
  return [s.stranded, s.weekendDaysLost];
}

describe('incremental score (property)', () => {
  it('generated problems are valid', () => {
    fc.assert(fc.property(problemArbitrary, (problem) => assert.deepEqual(validateProblem(problem), [])), { numRuns: 50 });
  });

  it('equals a full recomputation and the evaluator after random cell changes', () => {
    fc.assert(
      fc.property(problemArbitrary, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: -1, max: 2 })), { minLength: 1, maxLength: 40 }), (problem, changes) => {
        const p = compileProblem(problem);
        const state = new RosterScore(p);
        for (const [e0, d0, s0] of changes) {
          const e = e0 % p.employees;
          const d = d0 % p.days;
          const s = s0 >= p.shifts ? -1 : s0;
          state.setCell(e, d, s);
          state.rescoreEmployee(e);
        }
        const fresh = new RosterScore(p, state.a);
        assert.deepEqual(scoreOf(state), scoreOf(fresh));
        assert.deepEqual(guideOf(state), guideOf(fresh));
        assert.deepEqual(scoreOf(state), scoreOf(evaluateRoster(problem, assignmentsFromRoster(p, state.a)).score));
      }),
      { numRuns: 300 },
    );
  });

  it('equals a full recomputation after windowed re-scoring of random blocks', () => {
    const change = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 6, maxLength: 6 }));
    fc.assert(
      fc.property(problemArbitrary, fc.array(change, { minLength: 1, maxLength: 40 }), (problem, changes) => {
        const p = compileProblem(problem);
        const state = new RosterScore(p);
        for (const [e0, d0, length, values] of changes) {
          const e = e0 % p.employees;
          const lo = d0 % p.days;
          const hi = Math.min(p.days - 1, lo + length - 1);
          state.openWindow(e, lo, hi);
          for (let d = lo; d <= hi; d++) {
            const s = values[d - lo]!;
            state.setCell(e, d, s >= p.shifts ? -1 : s);
          }
          state.closeWindow();
        }
        const fresh = new RosterScore(p, state.a);
        assert.deepEqual(scoreOf(state), scoreOf(fresh));
        assert.deepEqual(guideOf(state), guideOf(fresh));
        assert.deepEqual([...state.employeeHard], [...fresh.employeeHard]);
        assert.deepEqual([...state.employeeSoft], [...fresh.employeeSoft]);
      }),
      { numRuns: 300 },
    );
  });

  it('equals a full recomputation and the evaluator after search moves and undos', () => {
    fc.assert(
      fc.property(problemArbitrary, fc.integer(), fc.integer({ min: 1, max: 400 }), (problem, seed, moves) => {
        const p = compileProblem(problem);
        // A high temperature accepts many moves, so both the apply and the undo paths run; wish
        // swaps and short-cover moves are drawn more often than by default.
        const initial = p.pinnedShift.map((s, i) => (p.pinned[i] === 1 ? s : -1));
        const settings = { ...DEFAULT_ANNEALING, startTemperature: 50, endTemperature: 5, hardWeight: 3, maxBlock: 4, wishSwapShare: 0.3, shortCoverShare: 0.3 };
        const search = new RosterSearch(p, seed, initial, settings);
        search.run({ moveBudget: moves }, () => search.moves / moves);
        const fresh = new RosterScore(p, search.state.a);
        assert.deepEqual(scoreOf(search.state), scoreOf(fresh));
        assert.deepEqual(guideOf(search.state), guideOf(fresh));
        assert.deepEqual(scoreOf(search.state), scoreOf(evaluateRoster(problem, assignmentsFromRoster(p, search.state.a)).score));
        assert.deepEqual(scoreOf(search.bestScore), scoreOf(evaluateRoster(problem, assignmentsFromRoster(p, search.best)).score));
        // Pinned cells never move.
        for (let i = 0; i < p.pinned.length; i++) if (p.pinned[i] === 1) assert.equal(search.best[i], p.pinnedShift[i]);
      }),
      { numRuns: 200 },
    );
  });

  it('counts stranded minutes and the weekend days lost to half-worked weekends', () => {
    // Shifts of 480 and 600 minutes, at most 1500 minutes and one weekend: after three 480 shifts
    // 60 minutes are left, too few for any shift; after two, 540 are left, enough for a 480 shift.
    const p = compileProblem(tinyProblem({ days: 14 }, { maxTotalMinutes: 1500, maxWeekends: 1 }));
    const state = new RosterScore(p);
    const work = (d: number): void => {
      state.setCell(0, d, 0);
      state.rescoreEmployee(0);
    };
    work(5); // Saturday of the first weekend only: the one weekend allowed, half used
    assert.deepEqual(guideOf(state), [0, 1]);
    work(6); // the whole weekend
    assert.deepEqual(guideOf(state), [0, 0]);
    work(12); // Saturday of the second weekend only (breaks maxWeekends), and 60 minutes left
    assert.deepEqual(guideOf(state), [1, 1]);
    // Exactly one shortest shift left is not stranded.
    const roomier = new RosterScore(compileProblem(tinyProblem({ days: 14 }, { maxTotalMinutes: 1440, maxWeekends: 2 })), state.a);
    roomier.setCell(0, 12, -1);
    roomier.rescoreEmployee(0);
    assert.deepEqual(guideOf(roomier), [0, 0]);
    // With a second weekend allowed, a half weekend loses nothing: another could still be worked.
    roomier.setCell(0, 6, -1);
    roomier.rescoreEmployee(0);
    assert.deepEqual(guideOf(roomier), [0, 0]);
  });
});
