// The window planner's ejections on a hand-built case: the short shift needs a skill the planned
// employee lacks, so the only way to fill it is to take a colleague's shift and move her over.
import assert from 'node:assert/strict';
import { compileProblem, OFF, type CompiledProblem } from '../../../src/solver/compiledProblem.js';
import { rosterFromAssignments } from '../../../src/solver/rosterConversion.js';
import { RosterScore } from '../../../src/solver/rosterScore.js';
import { WindowPlanner } from '../../../src/solver/windowReplan.js';
import { tinyProblem, work } from './fixtures.js';

const WEIGHTS = { hard: 1000, medium: 1000 };

/** Day shifts D and X (X needs the X-ray skill), one of each wanted every day; Ann lacks the
 * skill, the `xray` colleagues have it. */
function xrayProblem(days: number, xray: string[]): CompiledProblem {
  return compileProblem(
    tinyProblem({
      days,
      shiftTypes: [
        { id: 'D', start: '08:00', durationMinutes: 480 },
        { id: 'X', start: '08:00', durationMinutes: 480, requiredSkills: ['xray'] },
      ],
      employees: [{ id: 'Ann', contractId: 'C' }, ...xray.map((id) => ({ id, contractId: 'C', skills: ['xray'] }))],
      cover: Array.from({ length: days }, (_, day) => [
        { day, shiftId: 'D', required: 1, underWeight: 100, overWeight: 1 },
        { day, shiftId: 'X', required: 1, underWeight: 100, overWeight: 1 },
      ]).flat(),
    }),
  );
}

function setUp(): { planner: WindowPlanner; state: RosterScore; index: (id: string) => number; shift: (id: string) => number } {
  const p = xrayProblem(1, ['Bea']);
  // Bea works the day shift; the X-ray shift is short and Ann cannot work it.
  const state = new RosterScore(p, rosterFromAssignments(p, work('Bea', 'D', 0)));
  return { planner: new WindowPlanner(p, 1), state, index: (id) => p.employeeIndex.get(id)!, shift: (id) => p.shiftIndex.get(id)! };
}

describe('window planner ejections', () => {
  it('takes a fully staffed shift and moves its worker to the short one', () => {
    const { planner, state, index, shift } = setUp();
    assert.equal(state.soft, 100, 'X-ray shift short');
    assert.equal(planner.plan(state, index('Ann'), 0, 0, WEIGHTS, true), true);
    assert.equal(planner.result[0], shift('D'));
    assert.equal(planner.ejectedEmployee(0, shift('D')), index('Bea'));
    assert.equal(planner.ejectedShift(0, shift('D')), shift('X'));
    // Pricing the move left the roster as it was.
    assert.deepEqual([state.a[index('Bea')], state.soft], [shift('D'), 100]);
  });

  it('without ejections keeps the employee off: the day shift alone would only be over-staffed', () => {
    const { planner, state, index } = setUp();
    assert.equal(planner.plan(state, index('Ann'), 0, 0, WEIGHTS), false);
    assert.equal(state.a[index('Ann')], OFF);
  });
});

describe('window planner ejections over several days', () => {
  it("moves each day's own worker: Bea on day 0, Cat on day 1", () => {
    const p = xrayProblem(2, ['Bea', 'Cat']);
    const state = new RosterScore(p, rosterFromAssignments(p, [...work('Bea', 'D', 0), ...work('Cat', 'D', 1)]));
    const [ann, bea, cat] = ['Ann', 'Bea', 'Cat'].map((id) => p.employeeIndex.get(id)!);
    const [D, X] = ['D', 'X'].map((id) => p.shiftIndex.get(id)!);
    const planner = new WindowPlanner(p, 2);
    assert.equal(planner.plan(state, ann!, 0, 1, WEIGHTS, true), true);
    assert.deepEqual([...planner.result], [D, D]);
    assert.deepEqual([planner.ejectedEmployee(0, D!), planner.ejectedEmployee(1, D!)], [bea, cat]);
    assert.deepEqual([planner.ejectedShift(0, D!), planner.ejectedShift(1, D!)], [X, X]);
    // Pricing left the roster and its totals as they were.
    const fresh = new RosterScore(p, state.a);
    assert.deepEqual([state.hard, state.soft, state.employeeHard[bea!], state.employeeSoft[cat!]], [fresh.hard, fresh.soft, fresh.employeeHard[bea!], fresh.employeeSoft[cat!]]);
    assert.equal(state.soft, 200, 'both X-ray shifts still short');
  });
});
