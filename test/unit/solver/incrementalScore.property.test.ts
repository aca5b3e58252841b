// Property: after any sequence of moves, the incremental score equals a full recomputation, and
// both equal the independent evaluator's score — on random problems using every rule.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { RosterProblem } from '../../../src/domain/roster.js';
import { RULE_KINDS } from '../../../src/domain/roster.js';
import { compileProblem } from '../../../src/solver/compiledProblem.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { RosterSearch, DEFAULT_ANNEALING } from '../../../src/solver/localSearch.js';
import { assignmentsFromRoster } from '../../../src/solver/rosterConversion.js';
import { RosterScore } from '../../../src/solver/rosterScore.js';
import { validateProblem } from '../../../src/solver/validateProblem.js';
import { problemOf } from './fixtures.js';

const maybe = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined });

const problemArbitrary: fc.Arbitrary<RosterProblem> = fc
  .record({
    days: fc.integer({ min: 1, max: 12 }),
    shifts: fc.integer({ min: 1, max: 3 }),
    employees: fc.integer({ min: 1, max: 4 }),
    startDay: fc.integer({ min: 1, max: 28 }),
    seed: fc.integer(),
  })
  .chain(({ days, shifts, employees, startDay }) => {
    const shiftIds = Array.from({ length: shifts }, (_, i) => `S${i}`);
    const employeeIds = Array.from({ length: employees }, (_, i) => `E${i}`);
    const day = fc.integer({ min: 0, max: days - 1 });
    const shiftId = fc.constantFrom(...shiftIds);
    const employeeId = fc.constantFrom(...employeeIds);
    const weight = fc.integer({ min: 0, max: 9 });
    const rules = fc.dictionary(
      fc.constantFrom(...RULE_KINDS),
      fc.record({ level: fc.constantFrom('hard' as const, 'soft' as const), weight: fc.integer({ min: 0, max: 5 }) }),
      { maxKeys: 4 },
    );
    const contract = (id: string): fc.Arbitrary<Record<string, unknown>> =>
      fc.record({
        id: fc.constant(id),
        maxShiftsPerType: maybe(fc.dictionary(shiftId, fc.integer({ min: 0, max: 4 }))),
        minTotalMinutes: maybe(fc.integer({ min: 0, max: 3000 })),
        maxTotalMinutes: maybe(fc.integer({ min: 3000, max: 6000 })),
        maxConsecutiveWorkDays: maybe(fc.integer({ min: 1, max: 5 })),
        minConsecutiveWorkDays: maybe(fc.integer({ min: 1, max: 3 })),
        minConsecutiveDaysOff: maybe(fc.integer({ min: 1, max: 3 })),
        maxWeekends: maybe(fc.integer({ min: 0, max: 2 })),
        minRestMinutes: maybe(fc.integer({ min: 0, max: 900 })),
        rules: maybe(rules),
      });
    return fc.record({
      startDate: fc.constant(`2024-02-${String(startDay).padStart(2, '0')}`),
      days: fc.constant(days),
      shiftTypes: fc.tuple(
        ...shiftIds.map((id) =>
          fc.record({
            id: fc.constant(id),
            start: fc.constantFrom('00:00', '06:00', '14:00', '22:00', '23:30'),
            durationMinutes: fc.integer({ min: 60, max: 1440 }),
            requiredSkills: maybe(fc.subarray(['k1', 'k2'])),
          }),
        ),
      ),
      contracts: fc.tuple(contract('C0'), contract('C1')),
      employees: fc.tuple(
        ...employeeIds.map((id) =>
          fc.record({
            id: fc.constant(id),
            contractId: fc.constantFrom('C0', 'C1'),
            skills: fc.subarray(['k1', 'k2']),
            hourlyCost: maybe(fc.integer({ min: 0, max: 30 })),
            unavailableDays: maybe(fc.uniqueArray(day, { maxLength: 3 })),
          }),
        ),
      ),
      cover: fc.uniqueArray(
        fc.record({
          day,
          shiftId,
          required: fc.integer({ min: 0, max: 3 }),
          underWeight: weight,
          overWeight: weight,
          skill: maybe(fc.constantFrom('k1', 'k2')),
          hardMinimum: maybe(fc.boolean()),
        }),
        { maxLength: 12, selector: (c) => `${c.day}/${c.shiftId}/${c.skill ?? ''}` },
      ),
      forbiddenSuccessions: fc.array(fc.record({ from: shiftId, to: shiftId }), { maxLength: 3 }),
      shiftOnRequests: fc.array(fc.record({ employeeId, day, weight, shiftId: maybe(shiftId) }), { maxLength: 5 }),
      shiftOffRequests: fc.array(fc.record({ employeeId, day, weight, shiftId: maybe(shiftId) }), { maxLength: 5 }),
      pins: fc.uniqueArray(fc.record({ employeeId, day, shiftId: fc.option(shiftId, { nil: null }) }), {
        maxLength: 3,
        selector: (p) => `${p.employeeId}/${p.day}`,
      }),
      baseline: maybe(
        fc.record({
          assignments: fc.uniqueArray(fc.record({ employeeId, day, shiftId }), { maxLength: 6, selector: (a) => `${a.employeeId}/${a.day}` }),
          changePenalty: weight,
        }),
      ),
      rules: maybe(rules),
      weights: maybe(fc.record({ fairness: fc.integer({ min: 0, max: 3 }), cost: fc.integer({ min: 0, max: 2 }) })),
      exemptEdgeRuns: maybe(fc.boolean()),
    });
  })
  .map((raw) => problemOf(JSON.parse(JSON.stringify(raw)))); // drops undefined optional fields

function scoreOf(s: { hard: number; medium: number; soft: number }): [number, number, number] {
  return [s.hard, s.medium, s.soft];
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
        // A high temperature accepts many moves, so both the apply and the undo paths run.
        const initial = p.pinnedShift.map((s, i) => (p.pinned[i] === 1 ? s : -1));
        const search = new RosterSearch(p, seed, initial, { ...DEFAULT_ANNEALING, startTemperature: 50, endTemperature: 5, hardWeight: 3, maxBlock: 4 });
        search.run({ moveBudget: moves }, () => search.moves / moves);
        const fresh = new RosterScore(p, search.state.a);
        assert.deepEqual(scoreOf(search.state), scoreOf(fresh));
        assert.deepEqual(scoreOf(search.state), scoreOf(evaluateRoster(problem, assignmentsFromRoster(p, search.state.a)).score));
        assert.deepEqual(scoreOf(search.bestScore), scoreOf(evaluateRoster(problem, assignmentsFromRoster(p, search.best)).score));
        // Pinned cells never move.
        for (let i = 0; i < p.pinned.length; i++) if (p.pinned[i] === 1) assert.equal(search.best[i], p.pinnedShift[i]);
      }),
      { numRuns: 200 },
    );
  });
});
