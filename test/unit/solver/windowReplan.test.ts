// The window planner's ejections on a hand-built case: the short shift needs a skill the planned
// employee lacks, so the only way to fill it is to take a colleague's shift and move her over.
import assert from 'node:assert/strict';
import { compileProblem, OFF } from '../../../src/solver/compiledProblem.js';
import { rosterFromAssignments } from '../../../src/solver/rosterConversion.js';
import { RosterScore } from '../../../src/solver/rosterScore.js';
import { WindowPlanner } from '../../../src/solver/windowReplan.js';
import { tinyProblem, work } from './fixtures.js';

const WEIGHTS = { hard: 1000, medium: 1000 };

function setUp(): { planner: WindowPlanner; state: RosterScore; index: (id: string) => number; shift: (id: string) => number } {
  const problem = tinyProblem({
    days: 1,
    shiftTypes: [
      { id: 'D', start: '08:00', durationMinutes: 480 },
      { id: 'X', start: '08:00', durationMinutes: 480, requiredSkills: ['xray'] },
    ],
    employees: [
      { id: 'Ann', contractId: 'C' },
      { id: 'Bea', contractId: 'C', skills: ['xray'] },
    ],
    cover: [
      { day: 0, shiftId: 'D', required: 1, underWeight: 100, overWeight: 1 },
      { day: 0, shiftId: 'X', required: 1, underWeight: 100, overWeight: 1 },
    ],
  });
  const p = compileProblem(problem);
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
