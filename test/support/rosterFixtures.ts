// Small, readable roster problems for tests, decoded through the public codec like a user's.
import { decodeRosterProblem, type RosterProblem } from '../../src/domain/roster.js';

/**
 * One week from Monday 2026-01-05: day (07:00, 8 h) and night (22:00, 8 h) shifts, a night may not
 * be followed by a day shift (hard), `employees` staff on one contract (at most 5 shifts, 2 nights),
 * one person wanted on each shift each day.
 */
export function weekProblem(employees = 4, overrides: Partial<Record<keyof RosterProblem, unknown>> = {}): RosterProblem {
  const days = 7;
  const input = {
    startDate: '2026-01-05',
    days,
    shiftTypes: [
      { id: 'D', start: '07:00', durationMinutes: 480 },
      { id: 'N', start: '22:00', durationMinutes: 480 },
    ],
    contracts: [{ id: 'full', maxShiftsPerType: { N: 2 }, maxTotalMinutes: 5 * 480, maxConsecutiveWorkDays: 5, minRestMinutes: 600 }],
    employees: Array.from({ length: employees }, (_, i) => ({ id: `e${i + 1}`, name: `Employee ${i + 1}`, contractId: 'full' })),
    cover: Array.from({ length: days }, (_, day) =>
      ['D', 'N'].map((shiftId) => ({ day, shiftId, required: 1, underWeight: 100, overWeight: 10 })),
    ).flat(),
    forbiddenSuccessions: [{ from: 'N', to: 'D' }],
    ...overrides,
  };
  const decoded = decodeRosterProblem(input);
  if (!decoded.ok) throw new Error(`fixture does not decode: ${JSON.stringify(decoded.errors)}`);
  return decoded.problem;
}
