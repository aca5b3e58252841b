import assert from 'node:assert/strict';
import { compileProblem } from '../../../src/solver/compiledProblem.js';
import { constructRoster } from '../../../src/solver/construction.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { DEFAULT_ANNEALING } from '../../../src/solver/localSearch.js';
import { assignmentsFromRoster } from '../../../src/solver/rosterConversion.js';
import { weekProblem } from '../../support/rosterFixtures.js';
import { curtois } from './fixtures.js';

const { finalHardWeight, mediumWeight } = DEFAULT_ANNEALING;

/** Heads per "day/shift" in a roster's assignments. */
function heads(assignments: readonly { day: number; shiftId: string }[]): Map<string, number> {
  const count = new Map<string, number>();
  for (const a of assignments) count.set(`${a.day}/${a.shiftId}`, (count.get(`${a.day}/${a.shiftId}`) ?? 0) + 1);
  return count;
}

describe('construction', () => {
  it('fills every shift of the week with one person and breaks no hard rule', () => {
    // With four people the greedy paints itself into a corner on Sunday night (each has used up
    // their two nights or five shifts): the search, not the construction, finishes such rosters.
    const problem = weekProblem(5);
    const p = compileProblem(problem);
    const assignments = assignmentsFromRoster(p, constructRoster(p, finalHardWeight, mediumWeight));
    assert.equal(evaluateRoster(problem, assignments).hardViolations, 0);
    const count = heads(assignments);
    for (let day = 0; day < 7; day++) for (const shift of ['D', 'N']) assert.equal(count.get(`${day}/${shift}`), 1, `day ${day} shift ${shift}`);
  });

  it('builds a start far better than the empty roster on Curtois Instance1', () => {
    const problem = curtois('Instance1');
    const p = compileProblem(problem);
    const start = evaluateRoster(problem, assignmentsFromRoster(p, constructRoster(p, finalHardWeight, mediumWeight)));
    const empty = evaluateRoster(problem, []);
    // Instance1's employees must work a minimum of minutes (hard), which the greedy cover filling
    // only partly meets; the search does the rest.
    assert.equal(empty.score.soft, 7137); // the benchmark's check value
    assert.ok(start.hardViolations < empty.hardViolations, `hard ${start.hardViolations} against ${empty.hardViolations}`);
    assert.ok(start.score.soft < 2000, `objective ${start.score.soft}`);
  });

  it('stops filling when told to, in day order, leaving the later days empty', () => {
    const p = compileProblem(weekProblem(4));
    let checks = 0;
    // Four cover cells (days 0 and 1, day and night shifts) are filled, then it is told to stop.
    const assignments = assignmentsFromRoster(p, constructRoster(p, finalHardWeight, mediumWeight, () => checks++ >= 4));
    assert.deepEqual([...heads(assignments).keys()].sort(), ['0/D', '0/N', '1/D', '1/N']);
  });
});
