// The roster problem as a mixed-integer program, for the MIP neighbourhoods (mipNeighbourhood.ts).
// One binary x[e, d, s] per shift an employee may work on a day; the contract rules are linear
// constraints, those on runs of days as a flow of runs per employee (addRunFlow); the objective is
// the soft score: cell penalties (requests, cost, baseline) plus under- and over-cover. Only problems whose penalised rules are all linear in x fit: not a
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

  // Columns: x cells, then under/over per cover requirement, then weekend-worked indicators, then
  // the arcs of the run flows (with their rows, after the cover rows).
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
            if (c2 >= 0 && shiftsConflict(p, e, s1, s2, k, hard)) addRow(-Infinity, 1, [c1, c2], [1, 1]);
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
    if (p.weekendCount > 0 && weekendColumn[e * p.weekendCount]! >= 0) {
      for (let d = 0; d < D; d++) {
        const w = p.weekendOf[d]!;
        if (w < 0) continue;
        addRow(-Infinity, 0, [...days[d]!, weekendColumn[e * p.weekendCount + w]!], [...ones(days[d]!.length), -1]);
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

  // The rules on runs of days: a path of runs per employee.
  const runFlows = new Map<number, RunFlow>();
  for (let e = 0; e < E; e++) {
    const days = Array.from({ length: D }, (_, d) => worked(e, d));
    const flow = addRunFlow(p, e, hard, days, () => addColumn(0, 0, 1, false), addRow);
    if (flow !== undefined) runFlows.set(e, flow);
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
    for (const [e, flow] of runFlows) flow.setPath(roster.subarray(e * D, (e + 1) * D), x);
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

/** One employee's runs as a path; `setPath` sets the arcs of a roster row's path in `x`. */
interface RunFlow {
  setPath(row: Int16Array, x: Float64Array): void;
}

/**
 * The rules on runs (maximum and minimum consecutive working days, minimum consecutive days off,
 * runs touching the horizon's edges exempt) as a unit flow along the days: a roster row is a path
 * that alternates runs of work and runs of days off. Arcs (continuous, 0..1):
 *   work(s, l): days s .. s+l-1 worked, for every length the rules allow there;
 *   firstOff(l): days 0 .. l-1 off (an edge run, any length), then ready to work on day l;
 *   offMin(t): a work run ended on day t-1; days t .. t+minOff-1 off, then ready to work;
 *   offMore(t): still off on day t (the off run is already long enough), ready on day t+1;
 *   lastOff(t): a work run ended on day t-1 and the rest, shorter than minOff, is off (edge run).
 * Linking row per day: the shifts worked equal the work arcs covering it. For integral x the flow
 * is integral too (each path of a decomposition covers exactly the worked days, so all are the same
 * path), so these rows alone keep the run rules; and relaxed, they allow only mixtures of allowed
 * patterns, far tighter than rows over windows of days: on Instance5 the first bound rises from 846
 * to 1137 (optimum 1143), which is what lets HiGHS prove neighbourhoods and small problems whole.
 * Returns undefined when the employee has no run rule to model.
 */
function addRunFlow(
  p: CompiledProblem,
  e: number,
  hard: (e: number, rule: RuleKind) => boolean,
  /** The employee's shift columns per day. */
  worked: readonly (readonly number[])[],
  addArc: () => number,
  addRow: (lo: number, up: number, columns: readonly number[], values: readonly number[]) => number,
): RunFlow | undefined {
  const D = p.days;
  const maxRun = hard(e, 'maxConsecutiveWorkDays') && p.maxConsecutive[e]! >= 0 ? p.maxConsecutive[e]! : D;
  const minRun = hard(e, 'minConsecutiveWorkDays') ? Math.max(1, p.minConsecutive[e]!) : 1;
  const minOff = hard(e, 'minConsecutiveDaysOff') ? Math.max(1, p.minDaysOff[e]!) : 1;
  if (maxRun >= D && minRun <= 1 && minOff <= 1) return undefined;

  const none = (): Int32Array => new Int32Array(D + 1).fill(-1);
  // Flow into and out of "a work run ended on day t-1" (endedWork) and "ready to work on day t" (ready).
  const into = { endedWork: lists(D + 1), ready: lists(D + 1) };
  const outOf = { endedWork: lists(D + 1), ready: lists(D + 1) };
  const fromSource: number[] = [];
  const covering = lists(D);
  const work = new Map<number, number>();
  const firstOff = none();
  const offMin = none();
  const offMore = none();
  const lastOff = none();
  const workable = worked.map((shifts) => shifts.length > 0);

  for (let s = 0; s < D; s++) {
    for (let l = 1; l <= maxRun && s + l <= D && workable[s + l - 1]; l++) {
      if (l < minRun && s > 0 && s + l < D) continue;
      const c = addArc();
      work.set(s * (D + 1) + l, c);
      (s === 0 ? fromSource : outOf.ready[s]!).push(c);
      into.endedWork[s + l]!.push(c);
      for (let d = s; d < s + l; d++) covering[d]!.push(c);
    }
  }
  for (let l = 1; l <= D; l++) {
    firstOff[l] = addArc();
    fromSource.push(firstOff[l]!);
    into.ready[l]!.push(firstOff[l]!);
  }
  for (let t = 1; t < D; t++) {
    if (t + minOff <= D) {
      offMin[t] = addArc();
      outOf.endedWork[t]!.push(offMin[t]!);
      into.ready[t + minOff]!.push(offMin[t]!);
    } else {
      lastOff[t] = addArc();
      outOf.endedWork[t]!.push(lastOff[t]!);
    }
    offMore[t] = addArc();
    outOf.ready[t]!.push(offMore[t]!);
    into.ready[t + 1]!.push(offMore[t]!);
  }

  addRow(1, 1, fromSource, fromSource.map(() => 1));
  for (let t = 1; t < D; t++) {
    for (const node of ['endedWork', 'ready'] as const) {
      const columns = [...into[node][t]!, ...outOf[node][t]!];
      addRow(0, 0, columns, [...into[node][t]!.map(() => 1), ...outOf[node][t]!.map(() => -1)]);
    }
  }
  for (let d = 0; d < D; d++) {
    const shifts = worked[d]!;
    addRow(0, 0, [...shifts, ...covering[d]!], [...shifts.map(() => 1), ...covering[d]!.map(() => -1)]);
  }

  return {
    setPath(row, x) {
      // Runs of the row in order; a run the rules do not allow has no arc and is left at 0 (the
      // flow rows then fail, as the compact rows do).
      let start = 0;
      for (let d = 1; d <= D; d++) {
        if (d < D && (row[d] === OFF) === (row[start] === OFF)) continue;
        const length = d - start;
        if (row[start] !== OFF) {
          const c = work.get(start * (D + 1) + length);
          if (c !== undefined) x[c] = 1;
        } else if (start === 0) {
          x[firstOff[length]!] = 1;
        } else if (d === D && lastOff[start]! >= 0) {
          x[lastOff[start]!] = 1;
        } else if (length >= minOff) {
          x[offMin[start]!] = 1;
          for (let t = start + minOff; t < d; t++) x[offMore[t]!] = 1;
        }
        start = d;
      }
    },
  };
}

function lists(n: number): number[][] {
  return Array.from({ length: n }, () => []);
}

/**
 * True when shift s1 on some day and s2 k days later break a hard rule: a forbidden succession, an
 * overlap, or (not overlapping) too little rest. The scores measure rest and overlap between
 * consecutive worked shifts only; pairs further apart give the same feasible rosters because a shift
 * between them would be closer still (buildRosterMip turns down the one case where that fails).
 */
export function shiftsConflict(p: CompiledProblem, e: number, s1: number, s2: number, k: number, hard: (e: number, rule: RuleKind) => boolean): boolean {
  if (k === 1 && p.forbidden[s1 * p.shifts + s2] === 1 && hard(e, 'forbiddenSuccession')) return true;
  const gap = k * 1440 + p.shiftStart[s2]! - (p.shiftStart[s1]! + p.shiftDuration[s1]!);
  if (gap < 0) return hard(e, 'overlap');
  return p.minRest[e]! >= 0 && gap < p.minRest[e]! && hard(e, 'minRest');
}
