import assert from 'node:assert/strict';
import { DEFAULT_ANNEALING } from '../../../src/solver/localSearch.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import type { RosterProblem, ShiftAssignment } from '../../../src/domain/roster.js';
import { searchFrom, tinyProblem, work } from './fixtures.js';

// Every simple move aims at short cover (no re-plans, nothing else drawn): what these searches
// find, only short-cover moves can have found.
const SHORT_COVER_ONLY = { ...DEFAULT_ANNEALING, replanEffort: 0, wishSwapShare: 0, shortCoverShare: 1 };

const search = (problem: RosterProblem, start: ShiftAssignment[], moves: number) => searchFrom(problem, start, moves, SHORT_COVER_ONLY);

const daysOf = (roster: ShiftAssignment[], employeeId: string): string[] =>
  roster.filter((a) => a.employeeId === employeeId).map((a) => `${a.day}${a.shiftId}`);

describe('short-cover moves (someone put on a shift whose cover is short)', () => {
  const need = (day: number, shiftId: string, required: number) => ({ day, shiftId, required, underWeight: 100, overWeight: 10 });

  it('moves an employee from a shift of the same length that day', () => {
    // A works the early shift E on day 1, which nobody needs; the day shift D of the same length is short.
    const problem = tinyProblem({
      shiftTypes: [
        { id: 'D', start: '08:00', durationMinutes: 480 },
        { id: 'E', start: '06:00', durationMinutes: 480 },
      ],
      employees: [{ id: 'A', contractId: 'C' }],
      cover: [need(1, 'D', 1), need(1, 'E', 0)],
    });
    const start = work('A', 'E', 1);
    assert.deepEqual(evaluateRoster(problem, start).score, { hard: 0, medium: 0, soft: 110 });
    const { roster, score } = search(problem, start, 100);
    assert.deepEqual(score, { hard: 0, medium: 0, soft: 0 });
    assert.deepEqual(daysOf(roster, 'A'), ['1D']);
  });

  it('has an employee at the maximum give up a day nobody needs to take the short one', () => {
    // A may work two shifts and works days 3 and 5; day 1 is short and day 3 needs nobody.
    const problem = tinyProblem(
      { employees: [{ id: 'A', contractId: 'C' }], cover: [need(1, 'D', 1), need(3, 'D', 0), need(5, 'D', 1)] },
      { maxTotalMinutes: 960 },
    );
    const start = work('A', 'D', 3, 5);
    assert.deepEqual(evaluateRoster(problem, start).score, { hard: 0, medium: 0, soft: 110 });
    const { roster, score } = search(problem, start, 200);
    assert.deepEqual(score, { hard: 0, medium: 0, soft: 0 });
    assert.deepEqual(daysOf(roster, 'A'), ['1D', '5D']);
  });
});
