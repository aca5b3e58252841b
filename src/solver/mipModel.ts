// The roster problem as a mixed-integer program, for the MIP neighbourhoods (mipNeighbourhood.ts).
// One binary x[e, d, s] per shift an employee may work on a day; the contract rules are linear
// constraints; the objective is the soft score: cell penalties (requests, cost, baseline) plus
// under- and over-cover. Only problems whose penalised rules are all linear in x fit: not a
// contract rule set to soft (its penalty counts violations, not a linear amount), fairness
// (squared), runs at the horizon's edges that count as short, or rest required while overlaps are
// allowed; nor a problem no roster can keep (a pin on a shift the employee cannot work, a rule no
// choice meets). For those `buildRosterMip` says why it cannot.
//
// Pure data (typed arrays in HiGHS's sparse row form), so it can be checked without a solver.
import type { RuleKind } from '../domain/roster.js';
import { RULE_KINDS } from '../domain/roster.js';
import type { CompiledProblem } from './compiledProblem.js';
import { isOption, OFF, RULE, ruleCount } from './compiledProblem.js';
import { restReach } from './rosterScore.js';

export interface RosterMip {
  readonly columns: number;
  readonly rows: number;
  readonly colCost: Float64Array;
  readonly colLower: Float64Array;
  readonly colUpper: Float64Array;
  readonly integer: Uint8Array;
  readonly rowLower: Float64Array;
  readonly rowUpper: Float64Array;
  /** Constraint matrix by rows: row r holds entries rowStart[r] .. rowStart[r + 1] - 1. */
  readonly rowStart: Int32Array;
  readonly entryColumn: Int32Array;
  readonly entryValue: Float64Array;
  /** Objective of the all-off roster's cell penalties; objective = offset + cost · x. */
  readonly offset: number;
  /** Column of x[e, d, s] at (e * days + d) * shifts + s, or -1 where the search may not put s. */
  readonly cellColumn: Int32Array;
  /** True when every objective coefficient is an integer (then so is every roster's objective). */
  readonly integralObjective: boolean;
  /** A complete column vector for a roster (`a[e * days + d]`), e.g. to start the solver from. */
  columnValues(roster: Int16Array): Float64Array;
}

export type RosterMipOutcome = { ok: true; mip: RosterMip } | { ok: false; reason: string };

// Rules that couple an employee's days, linear only as hard constraints: all but the cell-local
// ones, whose penalties (hard or soft) are the cells' own and so sit in the columns' costs.
const CELL_RULES: readonly RuleKind[] = ['unavailable', 'skills'];
const ROW_RULES = RULE_KINDS.filter((kind) => !CELL_RULES.includes(kind));

export function buildRosterMip(p: CompiledProblem): RosterMipOutcome {
  const E = p.employees;
  const D = p.days;
  const S = p.shifts;
  const S1 = S + 1;
  const R = ruleCount();
  if (p.fairnessWeight > 0) return { ok: false, reason: 'fairness is quadratic' };
  if (!p.exemptEdgeRuns) return { ok: false, reason: 'runs touching the horizon edges are not exempt' };
  for (let e = 0; e < E; e++) {
    for (const rule of ROW_RULES) {
      if (p.ruleSoft[e * R + RULE[rule]]! > 0) return { ok: false, reason: `rule ${rule} is soft` };
    }
  }
  const hard = (e: number, rule: RuleKind): boolean => p.ruleHard[e * R + RULE[rule]]! > 0;
  for (let e = 0; e < E; e++) {
    // With overlaps allowed, rest after an overlapped shift is measured from the later one only.
    if (p.shiftsCanOverlap && p.minRest[e]! > 0 && hard(e, 'minRest') && !hard(e, 'overlap')) return { ok: false, reason: 'rest is required but overlaps are not' };
  }

  // Columns: x cells, then under/over per cover requirement, then weekend-worked indicators.
  const cost: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const integer: number[] = [];
  const addColumn = (c: number, lo: number, up: number, isInteger: boolean): number => {
    cost.push(c);
    lower.push(lo);
    upper.push(up);
    integer.push(isInteger ? 1 : 0);
    return cost.length - 1;
  };
  const cellColumn = new Int32Array(E * D * S).fill(-1);
  let offset = 0;
  for (let e = 0; e < E; e++) {
    for (let d = 0; d < D; d++) {
      const cell = (e * D + d) * S1;
      const offCost = p.daySoft[cell]!;
      offset += offCost;
      const pin = p.pinned[e * D + d] === 1 ? p.pinnedShift[e * D + d]! : undefined;
      if (pin !== undefined && pin !== OFF && !isOption(p, e * D + d, pin)) return { ok: false, reason: 'a pin asks for a shift the employee cannot work' };
      for (let k = p.optionStart[e * D + d]!; k < p.optionStart[e * D + d + 1]!; k++) {
        const s = p.optionList[k]!;
        if (s === OFF) continue;
        const fixed = pin === undefined ? undefined : pin === s ? 1 : 0;
        cellColumn[(e * D + d) * S + s] = addColumn(p.daySoft[cell + s + 1]! - offCost, fixed ?? 0, fixed ?? 1, true);
      }
    }
  }
  const C = p.coverRequired.length;
  const underColumn = new Int32Array(C);
  const overColumn = new Int32Array(C);
  for (let i = 0; i < C; i++) {
    underColumn[i] = addColumn(p.coverUnder[i]!, 0, p.coverHardMinimum[i] === 1 ? 0 : Infinity, false);
    overColumn[i] = addColumn(p.coverOver[i]!, 0, Infinity, false);
  }
  const weekendColumn = new Int32Array(E * p.weekendCount).fill(-1);
  for (let e = 0; e < E; e++) {
    if (!hard(e, 'maxWeekends') || p.maxWeekends[e]! < 0 || p.maxWeekends[e]! >= p.weekendCount) continue;
    for (let w = 0; w < p.weekendCount; w++) weekendColumn[e * p.weekendCount + w] = addColumn(0, 0, 1, false);
  }

  // Rows.
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const rowStart: number[] = [0];
  const entryColumn: number[] = [];
  const entryValue: number[] = [];
  // A rule that no choice of shifts can meet (e.g. minimum minutes for someone who may work nothing).
  let unmeetable = false;
  const addRow = (lo: number, up: number, columns: readonly number[], values: readonly number[]): number => {
    if (columns.length === 0) {
      if (lo > 0 || up < 0) unmeetable = true;
      return -1;
    }
    rowLower.push(lo);
    rowUpper.push(up);
    for (let k = 0; k < columns.length; k++) {
      entryColumn.push(columns[k]!);
      entryValue.push(values[k]!);
    }
    rowStart.push(entryColumn.length);
    return rowLower.length - 1;
  };
  const worked = (e: number, d: number): number[] => {
    const list: number[] = [];
    for (let s = 0; s < S; s++) if (cellColumn[(e * D + d) * S + s]! >= 0) list.push(cellColumn[(e * D + d) * S + s]!);
    return list;
  };
  // A linear combination Σ sign_j · worked(e, d_j) as column and value lists.
  const combine = (e: number, terms: readonly (readonly [day: number, sign: number])[]): [number[], number[]] => {
    const columns: number[] = [];
    const values: number[] = [];
    for (const [d, sign] of terms) {
      for (const c of worked(e, d)) {
        columns.push(c);
        values.push(sign);
      }
    }
    return [columns, values];
  };
  const ones = (n: number): number[] => new Array<number>(n).fill(1);
  const reach = restReach(p);

  for (let e = 0; e < E; e++) {
    const days = Array.from({ length: D }, (_, d) => worked(e, d));
    for (let d = 0; d < D; d++) addRow(-Infinity, 1, days[d]!, ones(days[d]!.length));
    // Pairs of shifts on nearby days that may not both be worked.
    for (let d = 0; d < D; d++) {
      for (let k = 1; k <= reach && d + k < D; k++) {
        for (let s1 = 0; s1 < S; s1++) {
          const c1 = cellColumn[(e * D + d) * S + s1]!;
          if (c1 < 0) continue;
          for (let s2 = 0; s2 < S; s2++) {
            const c2 = cellColumn[(e * D + d + k) * S + s2]!;
            if (c2 >= 0 && conflict(p, e, s1, s2, k, hard)) addRow(-Infinity, 1, [c1, c2], [1, 1]);
          }
        }
      }
    }
    if (hard(e, 'maxShiftsPerType')) {
      for (let s = 0; s < S; s++) {
        const max = p.maxPerType[e * S + s]!;
        if (max < 0) continue;
        const columns: number[] = [];
        for (let d = 0; d < D; d++) if (cellColumn[(e * D + d) * S + s]! >= 0) columns.push(cellColumn[(e * D + d) * S + s]!);
        if (columns.length > max) addRow(-Infinity, max, columns, ones(columns.length));
      }
    }
    const minMinutes = hard(e, 'minTotalMinutes') ? p.minMinutes[e]! : -1;
    const maxMinutes = hard(e, 'maxTotalMinutes') ? p.maxMinutes[e]! : -1;
    if (minMinutes > 0 || maxMinutes >= 0) {
      const columns: number[] = [];
      const minutes: number[] = [];
      for (let d = 0; d < D; d++) {
        for (let s = 0; s < S; s++) {
          const c = cellColumn[(e * D + d) * S + s]!;
          if (c < 0) continue;
          columns.push(c);
          minutes.push(p.shiftDuration[s]!);
        }
      }
      addRow(minMinutes > 0 ? minMinutes : -Infinity, maxMinutes >= 0 ? maxMinutes : Infinity, columns, minutes);
    }
    const maxRun = hard(e, 'maxConsecutiveWorkDays') ? p.maxConsecutive[e]! : -1;
    if (maxRun >= 0) {
      for (let d = 0; d + maxRun < D; d++) {
        const [columns, values] = combine(e, Array.from({ length: maxRun + 1 }, (_, j) => [d + j, 1] as const));
        addRow(-Infinity, maxRun, columns, values);
      }
    }
    // A run of work starting on day d (worked d, off d - 1) lasts at least minRun days unless it
    // reaches the last day; a run starting on day 0 touches the edge and is exempt.
    const minRun = hard(e, 'minConsecutiveWorkDays') ? p.minConsecutive[e]! : -1;
    for (let d = 1; d < D && minRun > 1; d++) {
      for (let j = 1; j < minRun && d + j < D; j++) {
        const [columns, values] = combine(e, [[d, 1], [d - 1, -1], [d + j, -1]]);
        addRow(-Infinity, 0, columns, values);
      }
    }
    const minOff = hard(e, 'minConsecutiveDaysOff') ? p.minDaysOff[e]! : -1;
    for (let d = 1; d < D && minOff > 1; d++) {
      for (let j = 1; j < minOff && d + j < D; j++) {
        const [columns, values] = combine(e, [[d - 1, 1], [d, -1], [d + j, 1]]);
        addRow(-Infinity, 1, columns, values);
      }
    }
    if (p.weekendCount > 0 && weekendColumn[e * p.weekendCount]! >= 0) {
      for (let d = 0; d < D; d++) {
        const w = p.weekendOf[d]!;
        if (w < 0) continue;
        const [columns, values] = combine(e, [[d, 1]]);
        addRow(-Infinity, 0, [...columns, weekendColumn[e * p.weekendCount + w]!], [...values, -1]);
      }
      const weekends = Array.from({ length: p.weekendCount }, (_, w) => weekendColumn[e * p.weekendCount + w]!);
      addRow(-Infinity, p.maxWeekends[e]!, weekends, ones(weekends.length));
    }
  }
  // Cover: under − over + Σ x (employees with the skill) = required.
  const coverRow = new Int32Array(C);
  for (let d = 0; d < D; d++) {
    for (let s = 0; s < S; s++) {
      for (let k = p.cellCoverStart[d * S + s]!; k < p.cellCoverStart[d * S + s + 1]!; k++) {
        const i = p.cellCoverList[k]!;
        const skill = p.coverSkill[i]!;
        const columns = [underColumn[i]!, overColumn[i]!];
        const values = [1, -1];
        for (let e = 0; e < E; e++) {
          const c = cellColumn[(e * D + d) * S + s]!;
          if (c < 0 || (skill >= 0 && p.employeeHasSkill[e * p.skillCount + skill] === 0)) continue;
          columns.push(c);
          values.push(1);
        }
        coverRow[i] = addRow(p.coverRequired[i]!, p.coverRequired[i]!, columns, values);
      }
    }
  }

  if (unmeetable) return { ok: false, reason: 'no roster can keep every hard rule' };
  const colCost = Float64Array.from(cost);
  const columnValues = (roster: Int16Array): Float64Array => {
    const x = new Float64Array(cost.length);
    for (let cell = 0; cell < E * D; cell++) {
      const s = roster[cell]!;
      if (s !== OFF && cellColumn[cell * S + s]! >= 0) x[cellColumn[cell * S + s]!] = 1;
    }
    for (let i = 0; i < C; i++) {
      // The cover row's x entries (after its two slacks), then the slacks that balance them.
      let staffed = 0;
      for (let k = rowStart[coverRow[i]!]! + 2; k < rowStart[coverRow[i]! + 1]!; k++) staffed += x[entryColumn[k]!]!;
      x[underColumn[i]!] = Math.max(0, p.coverRequired[i]! - staffed);
      x[overColumn[i]!] = Math.max(0, staffed - p.coverRequired[i]!);
    }
    for (let e = 0; e < E; e++) {
      for (let d = 0; d < D; d++) {
        const w = p.weekendOf[d]!;
        const c = w < 0 ? -1 : weekendColumn[e * p.weekendCount + w]!;
        if (c >= 0 && roster[e * D + d] !== OFF) x[c] = 1;
      }
    }
    return x;
  };
  return {
    ok: true,
    mip: {
      columns: cost.length,
      rows: rowLower.length,
      colCost,
      colLower: Float64Array.from(lower),
      colUpper: Float64Array.from(upper),
      integer: Uint8Array.from(integer),
      rowLower: Float64Array.from(rowLower),
      rowUpper: Float64Array.from(rowUpper),
      rowStart: Int32Array.from(rowStart),
      entryColumn: Int32Array.from(entryColumn),
      entryValue: Float64Array.from(entryValue),
      offset,
      cellColumn,
      integralObjective: colCost.every(Number.isInteger) && Number.isInteger(offset),
      columnValues,
    },
  };
}

/**
 * True when shift s1 on some day and s2 k days later break a hard rule: a forbidden succession, an
 * overlap, or (not overlapping) too little rest. The scores measure rest and overlap between
 * consecutive worked shifts only; pairs further apart give the same feasible rosters because a shift
 * between them would be closer still (buildRosterMip turns down the one case where that fails).
 */
function conflict(p: CompiledProblem, e: number, s1: number, s2: number, k: number, hard: (e: number, rule: RuleKind) => boolean): boolean {
  if (k === 1 && p.forbidden[s1 * p.shifts + s2] === 1 && hard(e, 'forbiddenSuccession')) return true;
  const gap = k * 1440 + p.shiftStart[s2]! - (p.shiftStart[s1]! + p.shiftDuration[s1]!);
  if (gap < 0) return hard(e, 'overlap');
  return p.minRest[e]! >= 0 && gap < p.minRest[e]! && hard(e, 'minRest');
}
