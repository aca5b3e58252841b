// A RosterProblem flattened into typed arrays indexed by position (employee e, day d, shift s),
// so that the incremental score and the search never touch strings or maps on the hot path.
// A roster is one Int16Array `a[e * days + d]` holding a shift index or OFF (-1).
import type { RosterProblem, RuleKind } from '../domain/roster.js';
import { RULE_KINDS } from '../domain/roster.js';
import { minutesOfDay, weekendIndexByDay } from './calendar.js';

export const OFF = -1;

/** Index of each rule in the per-employee weight tables. */
export const RULE = Object.fromEntries(RULE_KINDS.map((k, i) => [k, i])) as Record<RuleKind, number>;
const RULE_COUNT = RULE_KINDS.length;

export interface CompiledProblem {
  readonly problem: RosterProblem;
  readonly employees: number;
  readonly days: number;
  readonly shifts: number;
  readonly employeeIds: readonly string[];
  readonly shiftIds: readonly string[];
  readonly employeeIndex: ReadonlyMap<string, number>;
  readonly shiftIndex: ReadonlyMap<string, number>;
  readonly shiftStart: Int32Array;
  readonly shiftDuration: Int32Array;
  /** True when some shift can run into a shift of the next day (otherwise no overlap is possible). */
  readonly shiftsCanOverlap: boolean;
  /** Per (e, d, option) with option = shift + 1 (0 = off): penalties that depend on that cell alone. */
  readonly dayHard: Float64Array;
  readonly daySoft: Float64Array;
  /** forbidden[s1 * shifts + s2] = 1 when s2 may not follow s1 on the next day. */
  readonly forbidden: Uint8Array;
  /** Rule weights per employee: ruleHard[e * RULE_COUNT + r] (0 when the rule is soft or absent). */
  readonly ruleHard: Float64Array;
  readonly ruleSoft: Float64Array;
  /** Contract limits per employee; -1 = no limit. */
  readonly maxPerType: Int32Array; // e * shifts + s
  readonly minMinutes: Int32Array;
  readonly maxMinutes: Int32Array;
  readonly maxConsecutive: Int32Array;
  readonly minConsecutive: Int32Array;
  readonly minDaysOff: Int32Array;
  readonly maxWeekends: Int32Array;
  readonly minRest: Int32Array;
  readonly weekendOf: Int32Array;
  readonly weekendCount: number;
  /** Days of each weekend inside the period (2, or 1 where the period cuts a weekend). */
  readonly weekendLength: Int32Array;
  readonly exemptEdgeRuns: boolean;
  /** Cover requirements, and for each (d * shifts + s) cell the list of requirement indexes. */
  readonly coverRequired: Int32Array;
  readonly coverUnder: Float64Array;
  readonly coverOver: Float64Array;
  readonly coverHardMinimum: Uint8Array;
  readonly coverSkill: Int32Array;
  readonly cellCoverStart: Int32Array;
  readonly cellCoverList: Int32Array;
  /** The cell (day * shifts + shift) of each cover requirement. */
  readonly coverCell: Int32Array;
  readonly skillCount: number;
  readonly employeeHasSkill: Uint8Array; // e * skillCount + k
  /** Fairness: contract group per employee and group sizes. */
  readonly fairnessWeight: number;
  readonly groupOf: Int32Array;
  readonly groupSize: Int32Array;
  /** pinned[e * days + d] = 1 when the cell is fixed; its value is in pinnedShift. */
  readonly pinned: Uint8Array;
  readonly pinnedShift: Int16Array;
  /** The options (OFF or shift index) the search may put in each (e, d) cell, CSR-encoded. */
  readonly optionStart: Int32Array;
  readonly optionList: Int16Array;
  /** Baseline roster cell values (OFF where the baseline has nothing). */
  readonly baseline: Int16Array | undefined;
}

/** True when the search may put `s` (a shift or OFF) in cell `e * days + d`. */
export function isOption(p: CompiledProblem, cell: number, s: number): boolean {
  for (let k = p.optionStart[cell]!; k < p.optionStart[cell + 1]!; k++) if (p.optionList[k] === s) return true;
  return false;
}

export function ruleCount(): number {
  return RULE_COUNT;
}

/** Compiles a problem that has passed `validateProblem`. */
export function compileProblem(problem: RosterProblem): CompiledProblem {
  const E = problem.employees.length;
  const D = problem.days;
  const S = problem.shiftTypes.length;
  const S1 = S + 1;
  const employeeIds = problem.employees.map((e) => e.id);
  const shiftIds = problem.shiftTypes.map((s) => s.id);
  const employeeIndex = new Map(employeeIds.map((id, i) => [id, i]));
  const shiftIndex = new Map(shiftIds.map((id, i) => [id, i]));
  const contractById = new Map(problem.contracts.map((c) => [c.id, c]));

  const shiftStart = Int32Array.from(problem.shiftTypes, (s) => minutesOfDay(s.start));
  const shiftDuration = Int32Array.from(problem.shiftTypes, (s) => s.durationMinutes);

  const skillNames = new Map<string, number>();
  const skillId = (name: string): number => {
    let id = skillNames.get(name);
    if (id === undefined) skillNames.set(name, (id = skillNames.size));
    return id;
  };
  for (const e of problem.employees) for (const k of e.skills ?? []) skillId(k);
  for (const s of problem.shiftTypes) for (const k of s.requiredSkills ?? []) skillId(k);
  for (const c of problem.cover) if (c.skill !== undefined) skillId(c.skill);
  const K = Math.max(1, skillNames.size);
  const employeeHasSkill = new Uint8Array(E * K);
  problem.employees.forEach((e, i) => (e.skills ?? []).forEach((k) => (employeeHasSkill[i * K + skillId(k)] = 1)));

  // Rule weights per employee: contract setting, else request setting, else hard × 1.
  const ruleHard = new Float64Array(E * RULE_COUNT);
  const ruleSoft = new Float64Array(E * RULE_COUNT);
  problem.employees.forEach((employee, e) => {
    const contract = contractById.get(employee.contractId);
    RULE_KINDS.forEach((kind, r) => {
      const setting = contract?.rules?.[kind] ?? problem.rules?.[kind];
      const weight = setting?.weight ?? 1;
      if ((setting?.level ?? 'hard') === 'hard') ruleHard[e * RULE_COUNT + r] = weight;
      else ruleSoft[e * RULE_COUNT + r] = weight;
    });
  });

  const limit = (pick: (c: NonNullable<ReturnType<typeof contractById.get>>) => number | undefined): Int32Array =>
    Int32Array.from(problem.employees, (e) => {
      const c = contractById.get(e.contractId);
      return c === undefined ? -1 : (pick(c) ?? -1);
    });
  const maxPerType = new Int32Array(E * S).fill(-1);
  problem.employees.forEach((employee, e) => {
    const perType = contractById.get(employee.contractId)?.maxShiftsPerType ?? {};
    for (const [shiftId, max] of Object.entries(perType)) {
      const s = shiftIndex.get(shiftId);
      if (s !== undefined) maxPerType[e * S + s] = max;
    }
  });

  const forbidden = new Uint8Array(S * S);
  for (const f of problem.forbiddenSuccessions ?? []) {
    const from = shiftIndex.get(f.from);
    const to = shiftIndex.get(f.to);
    if (from !== undefined && to !== undefined) forbidden[from * S + to] = 1;
  }

  // Cell-local penalties: requests, unavailability, skills, cost, baseline changes.
  const dayHard = new Float64Array(E * D * S1);
  const daySoft = new Float64Array(E * D * S1);
  const addDay = (e: number, d: number, option: number, hard: number, soft: number): void => {
    dayHard[(e * D + d) * S1 + option] += hard;
    daySoft[(e * D + d) * S1 + option] += soft;
  };
  const costWeight = problem.weights?.cost ?? 0;
  problem.employees.forEach((employee, e) => {
    const rh = (kind: RuleKind): number => ruleHard[e * RULE_COUNT + RULE[kind]]!;
    const rs = (kind: RuleKind): number => ruleSoft[e * RULE_COUNT + RULE[kind]]!;
    for (const d of employee.unavailableDays ?? []) {
      if (d >= D) continue;
      for (let s = 0; s < S; s++) addDay(e, d, s + 1, rh('unavailable'), rs('unavailable'));
    }
    problem.shiftTypes.forEach((shift, s) => {
      const lacksSkill = (shift.requiredSkills ?? []).some((k) => employeeHasSkill[e * K + skillId(k)] === 0);
      const cost = costWeight > 0 ? Math.round((costWeight * (employee.hourlyCost ?? 0) * shift.durationMinutes) / 60) : 0;
      for (let d = 0; d < D; d++) {
        if (lacksSkill) addDay(e, d, s + 1, rh('skills'), rs('skills'));
        if (cost > 0) addDay(e, d, s + 1, 0, cost);
      }
    });
  });
  for (const r of problem.shiftOnRequests ?? []) {
    const e = employeeIndex.get(r.employeeId);
    if (e === undefined || r.day >= D) continue;
    const s = r.shiftId === undefined ? undefined : shiftIndex.get(r.shiftId);
    // Penalised on every option except the requested one(s).
    for (let option = 0; option < S1; option++) {
      const met = s === undefined ? option > 0 : option === s + 1;
      if (!met) addDay(e, r.day, option, 0, r.weight);
    }
  }
  for (const r of problem.shiftOffRequests ?? []) {
    const e = employeeIndex.get(r.employeeId);
    if (e === undefined || r.day >= D) continue;
    const s = r.shiftId === undefined ? undefined : shiftIndex.get(r.shiftId);
    for (let option = 1; option < S1; option++) if (s === undefined || option === s + 1) addDay(e, r.day, option, 0, r.weight);
  }
  let baseline: Int16Array | undefined;
  if (problem.baseline !== undefined) {
    baseline = new Int16Array(E * D).fill(OFF);
    for (const a of problem.baseline.assignments) {
      const e = employeeIndex.get(a.employeeId);
      const s = shiftIndex.get(a.shiftId);
      if (e !== undefined && s !== undefined && a.day < D) baseline[e * D + a.day] = s;
    }
    const penalty = problem.baseline.changePenalty;
    for (let e = 0; e < E; e++) {
      for (let d = 0; d < D; d++) for (let option = 0; option < S1; option++) if (option - 1 !== baseline[e * D + d]) addDay(e, d, option, 0, penalty);
    }
  }

  // Cover requirements grouped by cell.
  const C = problem.cover.length;
  const coverRequired = Int32Array.from(problem.cover, (c) => c.required);
  const coverUnder = Float64Array.from(problem.cover, (c) => c.underWeight);
  const coverOver = Float64Array.from(problem.cover, (c) => c.overWeight);
  const coverHardMinimum = Uint8Array.from(problem.cover, (c) => (c.hardMinimum === true ? 1 : 0));
  const coverSkill = Int32Array.from(problem.cover, (c) => (c.skill === undefined ? -1 : skillId(c.skill)));
  const cellOf = (i: number): number => problem.cover[i]!.day * S + shiftIndex.get(problem.cover[i]!.shiftId)!;
  const cellCoverStart = new Int32Array(D * S + 1);
  for (let i = 0; i < C; i++) cellCoverStart[cellOf(i) + 1]!++;
  for (let c = 0; c < D * S; c++) cellCoverStart[c + 1]! += cellCoverStart[c]!;
  const fill = cellCoverStart.slice(0, D * S);
  const cellCoverList = new Int32Array(C);
  for (let i = 0; i < C; i++) cellCoverList[fill[cellOf(i)]!++] = i;
  const coverCell = Int32Array.from({ length: C }, (_, i) => cellOf(i));

  // Fairness groups = contracts.
  const contractIndex = new Map(problem.contracts.map((c, i) => [c.id, i]));
  const groupOf = Int32Array.from(problem.employees, (e) => contractIndex.get(e.contractId) ?? 0);
  const groupSize = new Int32Array(Math.max(1, problem.contracts.length));
  for (const g of groupOf) groupSize[g]!++;

  // Pins.
  const pinned = new Uint8Array(E * D);
  const pinnedShift = new Int16Array(E * D).fill(OFF);
  for (const pin of problem.pins ?? []) {
    const e = employeeIndex.get(pin.employeeId);
    if (e === undefined || pin.day >= D) continue;
    pinned[e * D + pin.day] = 1;
    const kept = pin.shiftId === null ? OFF : (shiftIndex.get(pin.shiftId) ?? OFF);
    pinnedShift[e * D + pin.day] = kept;
    // The search never moves a pin; the score still says when a roster given to it breaks one.
    for (let option = 0; option < S1; option++) if (option !== kept + 1) addDay(e, pin.day, option, 1, 0);
  }

  // Options the search may use: never a cell-local hard violation (unavailable day, missing skill)
  // nor a type the contract forbids outright; always OFF.
  const optionStart = new Int32Array(E * D + 1);
  const options: number[] = [];
  for (let e = 0; e < E; e++) {
    for (let d = 0; d < D; d++) {
      optionStart[e * D + d] = options.length;
      options.push(OFF);
      for (let s = 0; s < S; s++) {
        if (dayHard[(e * D + d) * S1 + s + 1]! > 0) continue;
        if (maxPerType[e * S + s] === 0 && ruleHard[e * RULE_COUNT + RULE.maxShiftsPerType]! > 0) continue;
        options.push(s);
      }
    }
  }
  optionStart[E * D] = options.length;

  const weekendOf = weekendIndexByDay(problem.startDate, D);
  const weekendCount = Math.max(0, ...weekendOf) + 1;
  const weekendLength = new Int32Array(weekendCount);
  for (const w of weekendOf) if (w >= 0) weekendLength[w]!++;
  return {
    problem,
    employees: E,
    days: D,
    shifts: S,
    employeeIds,
    shiftIds,
    employeeIndex,
    shiftIndex,
    shiftStart,
    shiftDuration,
    shiftsCanOverlap: problem.shiftTypes.some((x, i) => problem.shiftTypes.some((_, j) => shiftStart[i]! + shiftDuration[i]! > 1440 + shiftStart[j]!)),
    dayHard,
    daySoft,
    forbidden,
    ruleHard,
    ruleSoft,
    maxPerType,
    minMinutes: limit((c) => c.minTotalMinutes),
    maxMinutes: limit((c) => c.maxTotalMinutes),
    maxConsecutive: limit((c) => c.maxConsecutiveWorkDays),
    minConsecutive: limit((c) => c.minConsecutiveWorkDays),
    minDaysOff: limit((c) => c.minConsecutiveDaysOff),
    maxWeekends: limit((c) => c.maxWeekends),
    minRest: limit((c) => c.minRestMinutes),
    weekendOf,
    weekendCount,
    weekendLength,
    exemptEdgeRuns: problem.exemptEdgeRuns ?? true,
    coverRequired,
    coverUnder,
    coverOver,
    coverHardMinimum,
    coverSkill,
    cellCoverStart,
    cellCoverList,
    coverCell,
    skillCount: K,
    employeeHasSkill,
    fairnessWeight: problem.weights?.fairness ?? 0,
    groupOf,
    groupSize,
    pinned,
    pinnedShift,
    optionStart,
    optionList: Int16Array.from(options),
    baseline,
  };
}
