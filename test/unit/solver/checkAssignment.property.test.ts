// Property: checking a manual assignment on the candidate's own row (checkAssignment) finds exactly
// the hard matches the candidate adds to the whole roster, on random problems using every rule.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ShiftAssignment } from '../../../src/domain/roster.js';
import { type ConstraintMatch, evaluateRoster } from '../../../src/solver/evaluator.js';
import { checkAssignment } from '../../../src/solver/explain.js';
import { randomProblem } from './problemArbitrary.js';

const key = (m: ConstraintMatch): string => `${m.constraint}/${m.employeeId ?? ''}/${m.day ?? ''}/${m.shiftId ?? ''}/${m.penalty}`;

/** The hard matches the candidate adds, by evaluating the whole roster before and after. */
function addedByWholeRoster(problem: Parameters<typeof evaluateRoster>[0], roster: ShiftAssignment[], candidate: ShiftAssignment): string[] {
  const others = roster.filter((a) => !(a.employeeId === candidate.employeeId && a.day === candidate.day));
  const before = new Set(evaluateRoster(problem, others).matches.filter((m) => m.level === 'hard').map(key));
  return evaluateRoster(problem, [...others, candidate]).matches.filter((m) => m.level === 'hard' && !before.has(key(m))).map(key).sort();
}

describe('checkAssignment (property)', () => {
  it('finds the hard matches a candidate adds to the whole roster', () => {
    const case_ = randomProblem().chain((problem) => {
      const cell = fc.record({
        employeeId: fc.constantFrom(...problem.employees.map((e) => e.id)),
        day: fc.integer({ min: 0, max: problem.days - 1 }),
        shiftId: fc.constantFrom(...problem.shiftTypes.map((s) => s.id)),
      });
      return fc.tuple(fc.constant(problem), fc.uniqueArray(cell, { selector: (a) => `${a.employeeId}/${a.day}`, maxLength: 30 }), cell);
    });
    fc.assert(
      fc.property(case_, ([problem, roster, candidate]) => {
        assert.deepEqual(checkAssignment(problem, roster, candidate).map(key).sort(), addedByWholeRoster(problem, roster, candidate));
      }),
      { numRuns: 300 },
    );
  });
});
