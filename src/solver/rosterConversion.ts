// Between the public assignment list and the compiled roster array.
import type { Assignment, ShiftAssignment } from '../domain/roster.js';
import type { CompiledProblem } from './compiledProblem.js';
import { OFF } from './compiledProblem.js';

/** Assignment list → roster array. Unknown ids and out-of-range days are ignored; a second shift
 * on the same day replaces the first (the array holds one shift per employee and day). */
export function rosterFromAssignments(p: CompiledProblem, assignments: readonly ShiftAssignment[]): Int16Array {
  const roster = new Int16Array(p.employees * p.days).fill(OFF);
  for (const a of assignments) {
    const e = p.employeeIndex.get(a.employeeId);
    const s = p.shiftIndex.get(a.shiftId);
    if (e !== undefined && s !== undefined && a.day < p.days) roster[e * p.days + a.day] = s;
  }
  return roster;
}

/** Roster array → assignment list, ordered by employee then day. */
export function assignmentsFromRoster(p: CompiledProblem, roster: Int16Array): Assignment[] {
  const out: Assignment[] = [];
  for (let e = 0; e < p.employees; e++) {
    for (let d = 0; d < p.days; d++) {
      const s = roster[e * p.days + d]!;
      if (s !== OFF) out.push({ employeeId: p.employeeIds[e]!, day: d, shiftId: p.shiftIds[s]! } as Assignment);
    }
  }
  return out;
}
