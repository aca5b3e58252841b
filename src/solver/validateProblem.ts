// Referential checks the codec cannot make: ids must exist and be unique, days must fall inside
// the period, a pin or a baseline may hold one shift per employee and day. Each error carries the
// path of the offending field, like the codec's errors, so the API can answer them the same way.
import type { FieldError, RosterProblem } from '../domain/roster.js';

export function validateProblem(problem: RosterProblem): FieldError[] {
  const errors: FieldError[] = [];
  const err = (path: string, message: string): void => {
    errors.push({ path, message });
  };
  const uniqueIds = (items: readonly { id: string }[], path: string): Set<string> => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (item.id === '') err(`${path}.${i}.id`, 'id must not be empty');
      if (seen.has(item.id)) err(`${path}.${i}.id`, `duplicate id "${item.id}"`);
      seen.add(item.id);
    });
    return seen;
  };
  const shiftIds = uniqueIds(problem.shiftTypes, 'shiftTypes');
  const contractIds = uniqueIds(problem.contracts, 'contracts');
  const employeeIds = uniqueIds(problem.employees, 'employees');

  const day = (value: number, path: string): void => {
    if (value >= problem.days) err(path, `day ${value} is outside the period (0..${problem.days - 1})`);
  };
  const shift = (id: string, path: string): void => {
    if (!shiftIds.has(id)) err(path, `unknown shift type "${id}"`);
  };
  const employee = (id: string, path: string): void => {
    if (!employeeIds.has(id)) err(path, `unknown employee "${id}"`);
  };

  if (problem.days > 3660) err('days', 'the period may be at most 3660 days');
  if (problem.shiftTypes.length > 1000) err('shiftTypes', 'at most 1000 shift types');
  problem.contracts.forEach((c, i) => {
    for (const shiftId of Object.keys(c.maxShiftsPerType ?? {})) shift(shiftId, `contracts.${i}.maxShiftsPerType.${shiftId}`);
    if (c.minTotalMinutes !== undefined && c.maxTotalMinutes !== undefined && c.minTotalMinutes > c.maxTotalMinutes) {
      err(`contracts.${i}.minTotalMinutes`, 'minTotalMinutes is above maxTotalMinutes');
    }
  });
  problem.employees.forEach((e, i) => {
    if (!contractIds.has(e.contractId)) err(`employees.${i}.contractId`, `unknown contract "${e.contractId}"`);
    (e.unavailableDays ?? []).forEach((d, j) => day(d, `employees.${i}.unavailableDays.${j}`));
  });
  const coverKeys = new Set<string>();
  problem.cover.forEach((c, i) => {
    day(c.day, `cover.${i}.day`);
    shift(c.shiftId, `cover.${i}.shiftId`);
    const key = `${c.day}\u0000${c.shiftId}\u0000${c.skill ?? ''}`;
    if (coverKeys.has(key)) err(`cover.${i}`, `a requirement for day ${c.day}, shift ${c.shiftId}${c.skill === undefined ? '' : `, skill ${c.skill}`} is already listed`);
    coverKeys.add(key);
  });
  (problem.forbiddenSuccessions ?? []).forEach((f, i) => {
    shift(f.from, `forbiddenSuccessions.${i}.from`);
    shift(f.to, `forbiddenSuccessions.${i}.to`);
  });
  for (const kind of ['shiftOnRequests', 'shiftOffRequests'] as const) {
    (problem[kind] ?? []).forEach((r, i) => {
      employee(r.employeeId, `${kind}.${i}.employeeId`);
      day(r.day, `${kind}.${i}.day`);
      if (r.shiftId !== undefined) shift(r.shiftId, `${kind}.${i}.shiftId`);
    });
  }
  const pinned = new Set<string>();
  (problem.pins ?? []).forEach((pin, i) => {
    employee(pin.employeeId, `pins.${i}.employeeId`);
    day(pin.day, `pins.${i}.day`);
    if (pin.shiftId !== null) shift(pin.shiftId, `pins.${i}.shiftId`);
    const key = `${pin.employeeId}\u0000${pin.day}`;
    if (pinned.has(key)) err(`pins.${i}`, `employee "${pin.employeeId}" already has a pin on day ${pin.day}`);
    pinned.add(key);
  });
  const published = new Set<string>();
  (problem.baseline?.assignments ?? []).forEach((a, i) => {
    employee(a.employeeId, `baseline.assignments.${i}.employeeId`);
    day(a.day, `baseline.assignments.${i}.day`);
    shift(a.shiftId, `baseline.assignments.${i}.shiftId`);
    const key = `${a.employeeId}\u0000${a.day}`;
    if (published.has(key)) err(`baseline.assignments.${i}`, `employee "${a.employeeId}" already has a shift on day ${a.day}`);
    published.add(key);
  });
  return errors;
}
