// Small hand-built roster problems for the solver tests, decoded through the public codec so the
// tests exercise the same model a user submits.
import { readFileSync } from 'node:fs';
import type { ShiftAssignment, RosterProblem } from '../../../src/domain/roster.js';
import { decodeRosterProblem } from '../../../src/domain/roster.js';
import { loadCurtoisInstance } from '../../../src/solver/curtoisLoader.js';
import { compileProblem } from '../../../src/solver/compiledProblem.js';
import { evaluateRoster } from '../../../src/solver/evaluator.js';
import { RosterSearch, type AnnealingSettings } from '../../../src/solver/localSearch.js';
import { assignmentsFromRoster, rosterFromAssignments } from '../../../src/solver/rosterConversion.js';

export const CURTOIS_DIR = new URL('../../../../shared/bench/curtois/', import.meta.url);

/** Decodes `input` or throws with the codec's errors. */
export function problemOf(input: unknown): RosterProblem {
  const decoded = decodeRosterProblem(input);
  if (!decoded.ok) throw new Error(JSON.stringify(decoded.errors));
  return decoded.problem;
}

/** One employee `E` on one contract `C`, one 8-hour day shift `D`, unless overridden. */
export function tinyProblem(overrides: Record<string, unknown> = {}, contract: Record<string, unknown> = {}): RosterProblem {
  return problemOf({
    startDate: '2024-01-01', // a Monday
    days: 7,
    shiftTypes: [
      { id: 'D', start: '08:00', durationMinutes: 480 },
      { id: 'N', start: '22:00', durationMinutes: 600 },
    ],
    contracts: [{ id: 'C', ...contract }],
    employees: [{ id: 'E', contractId: 'C' }],
    cover: [],
    ...overrides,
  });
}

export function work(employeeId: string, shiftId: string, ...days: number[]): ShiftAssignment[] {
  return days.map((day) => ({ employeeId, day, shiftId }) );
}

export function curtois(instance: string): RosterProblem {
  const loaded = loadCurtoisInstance(readFileSync(new URL(`${instance}.txt`, CURTOIS_DIR), 'utf8'));
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.problem;
}

/** Anneals from `start` for `moves` moves (seed 1) and returns the best roster as assignments,
 * with its score by the evaluator. */
export function searchFrom(problem: RosterProblem, start: ShiftAssignment[], moves: number, settings: AnnealingSettings) {
  const p = compileProblem(problem);
  const run = new RosterSearch(p, 1, rosterFromAssignments(p, start), settings);
  run.run({ moveBudget: moves }, () => run.moves / moves);
  const roster = assignmentsFromRoster(p, run.best);
  return { roster, score: evaluateRoster(problem, roster).score };
}
