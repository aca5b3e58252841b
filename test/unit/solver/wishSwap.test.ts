import assert from 'node:assert/strict';
import { DEFAULT_ANNEALING } from '../../../src/solver/localSearch.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import type { RosterProblem, ShiftAssignment } from '../../../src/domain/roster.js';
import { searchFrom, tinyProblem, work } from './fixtures.js';

// Every simple move is a wish swap (no re-plans, nothing else drawn): what these searches find,
// only wish swaps can have found.
const WISH_SWAPS_ONLY = { ...DEFAULT_ANNEALING, replanEffort: 0, wishSwapShare: 1 };

const search = (problem: RosterProblem, start: ShiftAssignment[], moves: number) => searchFrom(problem, start, moves, WISH_SWAPS_ONLY);

const holds = (roster: ShiftAssignment[], employeeId: string, day: number): string | undefined =>
  roster.find((a) => a.employeeId === employeeId && a.day === day)?.shiftId;

describe('wish swaps (requests met by exchanging days)', () => {
  const cover = (days: number[]) => days.map((day) => ({ day, shiftId: 'D', required: 1, underWeight: 100, overWeight: 100 }));

  it('meets a request of an employee at the maximum by exchanging two days with a colleague', () => {
    // A and B may each work two shifts. B asks for day 1, which A works; taking it alone would put
    // B over the maximum, so A takes one of B's days back.
    const problem = tinyProblem(
      {
        employees: [{ id: 'A', contractId: 'C' }, { id: 'B', contractId: 'C' }],
        cover: cover([1, 3, 4, 5]),
        shiftOnRequests: [{ employeeId: 'B', day: 1, shiftId: 'D', weight: 5 }],
      },
      { maxTotalMinutes: 960 },
    );
    const start = [...work('A', 'D', 1, 3), ...work('B', 'D', 4, 5)];
    assert.deepEqual(evaluateRoster(problem, start).score, { hard: 0, medium: 0, soft: 5 });
    const { roster, score } = search(problem, start, 200);
    assert.deepEqual(score, { hard: 0, medium: 0, soft: 0 });
    assert.equal(holds(roster, 'B', 1), 'D');
    assert.equal(roster.filter((a) => a.employeeId === 'A').length, 2);
  });

  it('meets a request by exchanging a whole run of days where one or two days would break a run', () => {
    // A works days 1-2 and B days 4-5: two shifts each, the most either may work, and neither may
    // work a day alone. B asks for day 1. Exchanging one or two days leaves someone a lone day;
    // exchanging days 1-5, the shortest block over which both work as much, hands each the other's run.
    const problem = tinyProblem(
      {
        employees: [{ id: 'A', contractId: 'C' }, { id: 'B', contractId: 'C' }],
        cover: cover([1, 2, 4, 5]),
        shiftOnRequests: [{ employeeId: 'B', day: 1, shiftId: 'D', weight: 5 }],
      },
      { maxTotalMinutes: 960, minConsecutiveWorkDays: 2 },
    );
    const start = [...work('A', 'D', 1, 2), ...work('B', 'D', 4, 5)];
    assert.deepEqual(evaluateRoster(problem, start).score, { hard: 0, medium: 0, soft: 5 });
    const { roster, score } = search(problem, start, 200);
    assert.deepEqual(score, { hard: 0, medium: 0, soft: 0 });
    assert.deepEqual([1, 2, 4, 5].map((day) => [holds(roster, 'A', day), holds(roster, 'B', day)]), [
      [undefined, 'D'],
      [undefined, 'D'],
      ['D', undefined],
      ['D', undefined],
    ]);
  });

  it('grants a day off by trading it for a day of the same length', () => {
    // B asks for day 4 off, where B works a 10-hour night; A is off that day and works a night on
    // day 2 (where B is off) and a day shift on day 6. Both are at the maximum, so B gives A day 4
    // and takes day 2's night, the day that gives both their minutes back.
    const problem = tinyProblem(
      {
        employees: [{ id: 'A', contractId: 'C' }, { id: 'B', contractId: 'C' }],
        cover: [
          { day: 0, shiftId: 'D', required: 1, underWeight: 100, overWeight: 100 },
          { day: 2, shiftId: 'N', required: 1, underWeight: 100, overWeight: 100 },
          { day: 4, shiftId: 'N', required: 1, underWeight: 100, overWeight: 100 },
          { day: 6, shiftId: 'D', required: 1, underWeight: 100, overWeight: 100 },
        ],
        shiftOffRequests: [{ employeeId: 'B', day: 4, weight: 5 }],
      },
      { maxTotalMinutes: 1080 },
    );
    const start = [...work('A', 'N', 2), ...work('A', 'D', 6), ...work('B', 'D', 0), ...work('B', 'N', 4)];
    assert.deepEqual(evaluateRoster(problem, start).score, { hard: 0, medium: 0, soft: 5 });
    const { roster, score } = search(problem, start, 200);
    assert.deepEqual(score, { hard: 0, medium: 0, soft: 0 });
    assert.deepEqual([holds(roster, 'A', 4), holds(roster, 'B', 2), holds(roster, 'B', 4)], ['N', 'N', undefined]);
  });
});
