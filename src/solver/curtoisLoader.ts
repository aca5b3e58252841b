// Converts a Curtois benchmark instance (schedulingbenchmarks.org text format) into the product's
// own RosterProblem, so the benchmark goes through the same public model a user submits. The
// instance's objective (requests + cover) becomes the soft score; its hard constraints become
// hard rules. Curtois shifts have no start times: all start at 06:00, so no two shifts on
// consecutive days can overlap (lengths are at most 24 h) and no rest rule is set.
import type { Contract, CoverRequirement, Employee, RosterProblem, ShiftRequest, ShiftType } from '../domain/roster.js';
import { decodeRosterProblem } from '../domain/roster.js';

/** Day 0 of every Curtois instance is a Monday; this one is. */
export const CURTOIS_START_DATE = '2024-01-01';
const CURTOIS_SHIFT_START = '06:00';

export type CurtoisLoadResult = { ok: true; problem: RosterProblem } | { ok: false; error: string };

/** Parses the text of an instance file. */
export function loadCurtoisInstance(text: string): CurtoisLoadResult {
  try {
    return decodeAsProblem(buildProblem(readSections(text)));
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function decodeAsProblem(candidate: unknown): CurtoisLoadResult {
  const decoded = decodeRosterProblem(candidate);
  if (!decoded.ok) return { ok: false, error: decoded.errors.map((e) => `${e.path}: ${e.message}`).join('; ') };
  return { ok: true, problem: decoded.problem };
}

type Sections = Map<string, string[][]>;

function readSections(text: string): Sections {
  const sections: Sections = new Map();
  let current: string[][] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line === '') {
      current = undefined;
      continue;
    }
    if (line.startsWith('SECTION_')) {
      current = [];
      sections.set(line, current);
      continue;
    }
    if (current === undefined) throw new Error(`line outside any section: "${line}"`);
    current.push(line.split(',').map((cell) => cell.trim()));
  }
  return sections;
}

function section(sections: Sections, name: string): string[][] {
  return sections.get(name) ?? [];
}

function int(cell: string | undefined, what: string): number {
  const n = Number(cell);
  if (cell === undefined || cell === '' || !Number.isInteger(n)) throw new Error(`${what}: expected an integer, got "${cell ?? ''}"`);
  return n;
}

function buildProblem(sections: Sections): unknown {
  const horizon = section(sections, 'SECTION_HORIZON')[0];
  if (horizon === undefined) throw new Error('SECTION_HORIZON missing');
  const days = int(horizon[0], 'horizon');

  const shiftRows = section(sections, 'SECTION_SHIFTS');
  const shiftTypes: ShiftType[] = shiftRows.map((row) => ({
    id: row[0]!,
    start: CURTOIS_SHIFT_START as ShiftType['start'],
    durationMinutes: int(row[1], `shift ${row[0]} length`) as ShiftType['durationMinutes'],
  }));
  const forbiddenSuccessions = shiftRows.flatMap((row) =>
    (row[2] ?? '')
      .split('|')
      .filter((to) => to !== '')
      .map((to) => ({ from: row[0]!, to })),
  );

  // One contract per distinct set of limits, so staff with identical terms share a contract.
  const contracts = new Map<string, Contract>();
  const employees: Employee[] = [];
  for (const row of section(sections, 'SECTION_STAFF')) {
    const [id, maxShifts, maxTotal, minTotal, maxCons, minCons, minOff, maxWeekends] = row;
    const key = row.slice(1).join(',');
    let contract = contracts.get(key);
    if (contract === undefined) {
      const maxShiftsPerType: Record<string, number> = {};
      for (const part of (maxShifts ?? '').split('|').filter((p) => p !== '')) {
        const [shiftId, limit] = part.split('=');
        maxShiftsPerType[shiftId!] = int(limit, `staff ${id} MaxShifts ${shiftId}`);
      }
      contract = {
        id: `contract-${contracts.size + 1}`,
        maxShiftsPerType,
        maxTotalMinutes: int(maxTotal, `staff ${id} MaxTotalMinutes`),
        minTotalMinutes: int(minTotal, `staff ${id} MinTotalMinutes`),
        maxConsecutiveWorkDays: int(maxCons, `staff ${id} MaxConsecutiveShifts`),
        minConsecutiveWorkDays: int(minCons, `staff ${id} MinConsecutiveShifts`),
        minConsecutiveDaysOff: int(minOff, `staff ${id} MinConsecutiveDaysOff`),
        maxWeekends: int(maxWeekends, `staff ${id} MaxWeekends`),
      } as Contract;
      contracts.set(key, contract);
    }
    employees.push({ id: id!, contractId: contract.id, unavailableDays: [] });
  }
  const employeeById = new Map(employees.map((e) => [e.id, e]));

  for (const row of section(sections, 'SECTION_DAYS_OFF')) {
    const employee = employeeById.get(row[0]!);
    if (employee === undefined) throw new Error(`days off for unknown staff ${row[0]}`);
    employee.unavailableDays = row.slice(1).filter((c) => c !== '').map((c) => int(c, `staff ${row[0]} day off`)) as Employee['unavailableDays'];
  }

  const request = (row: string[], what: string): ShiftRequest =>
    ({ employeeId: row[0]!, day: int(row[1], `${what} day`), shiftId: row[2]!, weight: int(row[3], `${what} weight`) }) as ShiftRequest;
  const shiftOnRequests = section(sections, 'SECTION_SHIFT_ON_REQUESTS').map((row) => request(row, 'shift-on request'));
  const shiftOffRequests = section(sections, 'SECTION_SHIFT_OFF_REQUESTS').map((row) => request(row, 'shift-off request'));

  const cover = section(sections, 'SECTION_COVER').map(
    (row) =>
      ({
        day: int(row[0], 'cover day'),
        shiftId: row[1]!,
        required: int(row[2], 'cover requirement'),
        underWeight: int(row[3], 'cover under weight'),
        overWeight: int(row[4], 'cover over weight'),
      }) as CoverRequirement,
  );

  return {
    startDate: CURTOIS_START_DATE,
    days,
    shiftTypes,
    contracts: [...contracts.values()],
    employees,
    cover,
    forbiddenSuccessions,
    shiftOnRequests,
    shiftOffRequests,
    exemptEdgeRuns: true,
  };
}
