// Pricing for column generation (columnGeneration.ts): the cheapest whole schedules of one
// employee under a cost per (day, option), keeping every hard rule of that employee as the MIP
// model (mipModel.ts) reads them, and a lower bound on the cheapest. Two methods:
// - a table: dynamic programming over (day, last option, run, minutes in units of the shifts'
//   greatest common divisor, weekends), one cheapest schedule per state. Per-type maxima are met by
//   penalties, so its bound is exact only when they settle, and valid always;
// - a label walk over the days keeping, per (last option, run, minutes), the schedules no other
//   beats on cost, weekends and per-type counts: exact with any rules, but its labels can grow
//   many (Instance18: past 20 000 a day).
// Every employee starts with the table, 2–5 times the faster on most instances (bench/RESULTS.md,
// "Faster pricing, a bounded pool"); one whose table gives an inexact bound moves to the label
// walk, and one whose labels then pass LABELS_BEFORE_TABLE on a day goes back to the table for good.
import type { RuleKind } from '../domain/roster.js';
import type { CompiledProblem } from './compiledProblem.js';
import { OFF, RULE, ruleCount } from './compiledProblem.js';
import { shiftsConflict } from './mipModel.js';

/** Labels kept on one day of one employee's label walk (counted as they are inserted, before later
 * ones of the same day may displace them) beyond which the problem counts as too large. */
const MAX_LABELS_PER_DAY = 20_000;
/** Labels on one day past which an employee with a table is priced by the table from then on
 * (at most 2 000–4 000 a day on Instance7, 9 and 16; past 20 000 on Instance18). */
const LABELS_BEFORE_TABLE = 6_000;
/** Table cells (days × states) beyond which an employee is priced by the label walk. */
const MAX_TABLE_CELLS = 2_000_000;
/** Tables solved per pricing at most, each with doubled penalties on the maxima broken. */
const PENALTY_ROUNDS = 8;
/** End states whose schedules a table offers. */
const TABLE_ENDS = 20;
const EPSILON = 1e-6;

/** How an employee is priced: by the table alone; by the table while its bound is exact, else by
 * labels; by labels until they grow too many, then by the table. */
const TABLE = 0;
const TABLE_WHILE_EXACT = 1;
const LABELS = 2;

/** Thrown when pricing one employee would take too long to be of use. */
export class TooLarge extends Error {}

/** An employee's rules as pricing needs them. */
export interface ScheduleRules {
  maxRun: number;
  minRun: number;
  minOff: number;
  minMinutes: number;
  maxMinutes: number;
  maxWeekends: number;
  /** Per shift: index among the shifts with a binding per-type maximum, or -1. */
  limitedSlot: Int32Array;
  limitedMax: number[];
  /** conflict[s1 * shifts + s2] = 1 when s2 may not be worked the day after s1. */
  conflict: Uint8Array;
  /** Per day: the options (OFF or a shift) the employee may take. */
  options: number[][];
  /** Run lengths are kept up to R - 1 (longer runs behave alike). */
  R: number;
}

/** Up to `count` schedules of one employee cheaper than `threshold`, cheapest first, and a lower
 * bound on the cost of every schedule of the employee (Infinity: none is cheaper than the
 * threshold). */
export interface Priced {
  schedules: Int16Array[];
  lowerBound: number;
}

/** The hard rules of employee e, as mipModel.ts reads them. */
export function rulesOf(p: CompiledProblem, e: number): ScheduleRules {
  const D = p.days;
  const S = p.shifts;
  const hard = (employee: number, rule: RuleKind): boolean => p.ruleHard[employee * ruleCount() + RULE[rule]]! > 0;
  const limitedSlot = new Int32Array(S).fill(-1);
  const limitedMax: number[] = [];
  const never = new Uint8Array(S);
  for (let s = 0; s < S; s++) {
    const max = p.maxPerType[e * S + s]!;
    if (hard(e, 'maxShiftsPerType') && max === 0) never[s] = 1;
    else if (hard(e, 'maxShiftsPerType') && max > 0 && max < D) {
      limitedSlot[s] = limitedMax.length;
      limitedMax.push(max);
    }
  }
  const options = Array.from({ length: D }, (_, d) => {
    const cell = e * D + d;
    const list: number[] = [];
    for (let k = p.optionStart[cell]!; k < p.optionStart[cell + 1]!; k++) {
      const o = p.optionList[k]!;
      if (p.dayHard[cell * (S + 1) + o + 1] === 0 && (o === OFF || never[o] === 0)) list.push(o);
    }
    return list;
  });
  const conflict = new Uint8Array(S * S);
  for (let s1 = 0; s1 < S; s1++) for (let s2 = 0; s2 < S; s2++) conflict[s1 * S + s2] = shiftsConflict(p, e, s1, s2, 1, hard) ? 1 : 0;
  const maxRun = hard(e, 'maxConsecutiveWorkDays') && p.maxConsecutive[e]! >= 0 ? p.maxConsecutive[e]! : D;
  const minRun = hard(e, 'minConsecutiveWorkDays') ? Math.max(1, p.minConsecutive[e]!) : 1;
  const minOff = hard(e, 'minConsecutiveDaysOff') ? Math.max(1, p.minDaysOff[e]!) : 1;
  return {
    maxRun,
    minRun,
    minOff,
    minMinutes: hard(e, 'minTotalMinutes') ? Math.max(0, p.minMinutes[e]!) : 0,
    maxMinutes: hard(e, 'maxTotalMinutes') && p.maxMinutes[e]! >= 0 ? p.maxMinutes[e]! : D * 1440,
    maxWeekends: hard(e, 'maxWeekends') && p.maxWeekends[e]! >= 0 ? p.maxWeekends[e]! : D,
    limitedSlot,
    limitedMax,
    conflict,
    options,
    R: Math.max(maxRun < D ? maxRun : workRunCap(maxRun, minRun), minOff) + 1,
  };
}

/** Where runs of work are capped when no maximum binds: past the minimum they behave alike. */
function workRunCap(maxRun: number, minRun: number): number {
  return Math.min(maxRun, Math.max(minRun, 1));
}

/**
 * The run after taking option o on day d (d > 0), coming from (last, run); -1 when a rule forbids
 * it. Runs touching the horizon's start are exempt from the minima (run === d: it began on day 0).
 */
function nextRun(rules: ScheduleRules, shifts: number, days: number, d: number, last: number, run: number, o: number): number {
  if (o === OFF) {
    if (last === OFF) return Math.min(run + 1, rules.minOff);
    return run < rules.minRun && run !== d ? -1 : 1;
  }
  if (last === OFF) return run < rules.minOff && run !== d ? -1 : 1;
  if (rules.conflict[last * shifts + o] === 1 || run + 1 > rules.maxRun) return -1;
  return Math.min(run + 1, rules.maxRun < days ? rules.maxRun : workRunCap(rules.maxRun, rules.minRun));
}

/** Whether working day d after `last` on day d - 1 starts a weekend worked. */
function startsWeekend(p: CompiledProblem, d: number, last: number): boolean {
  const w = p.weekendOf[d]!;
  return w >= 0 && !(d > 0 && last !== OFF && p.weekendOf[d - 1] === w);
}

/** Prices employees under `value` (per day and option + 1: the cost of taking it). */
export class SchedulePricing {
  private readonly rules: ScheduleRules[];
  /** Per employee: its table's shape, or undefined where the label walk prices it. */
  private readonly shapes: (TableShape | undefined)[];
  /** Per employee: how it is priced now (TABLE, TABLE_WHILE_EXACT or LABELS). */
  private readonly methodOf: Uint8Array;
  private cost = new Float64Array(0);
  private from = new Int32Array(0);
  private took = new Int16Array(0);
  private lowestMinutes = new Int32Array(0);
  private highestMinutes = new Int32Array(0);
  private readonly penalties: (Float64Array | undefined)[] = [];
  /** Minutes of the longest shift: what one more day can add at most (label walk's bound). */
  private readonly longestShift: number;

  /** `method` other than 'auto' prices every employee by one method alone (tests compare them). */
  constructor(
    private readonly p: CompiledProblem,
    private readonly value: Float64Array,
    method: 'auto' | 'labels' | 'table' = 'auto',
  ) {
    this.rules = Array.from({ length: p.employees }, (_, e) => rulesOf(p, e));
    this.shapes = this.rules.map((rules) => (method === 'labels' ? undefined : tableShape(p, rules)));
    this.methodOf = new Uint8Array(p.employees).fill(method === 'table' ? TABLE : method === 'labels' ? LABELS : TABLE_WHILE_EXACT);
    this.longestShift = Math.max(0, ...p.shiftDuration);
  }

  /** Up to `count` schedules of employee e cheaper than `threshold`; see Priced. */
  price(e: number, threshold: number, count: number): Priced {
    const shape = this.shapes[e];
    if (shape === undefined) return this.priceByLabels(e, threshold, count, MAX_LABELS_PER_DAY);
    if (this.methodOf[e] === TABLE) return this.priceByTable(e, shape, threshold, count).priced;
    if (this.methodOf[e] === TABLE_WHILE_EXACT) {
      const byTable = this.priceByTable(e, shape, threshold, count);
      if (byTable.exact) return byTable.priced;
      this.methodOf[e] = LABELS;
    }
    try {
      return this.priceByLabels(e, threshold, count, LABELS_BEFORE_TABLE);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      this.methodOf[e] = TABLE;
    }
    // Once per employee at most this prices by table a second time in one call (inexact table,
    // then too many labels); the second goes on from the penalties the first left, so it is not
    // the same work twice.
    return this.priceByTable(e, shape, threshold, count).priced;
  }

  /**
   * The table, which does not count shifts per type: when its cheapest schedule breaks a per-type
   * maximum, each shift of that type is charged a penalty, doubled each time (halved when the type
   * is worked less than its maximum), and the table solved again (at most PENALTY_ROUNDS times).
   * Every round bounds the cheapest schedule from below by its cheapest under the penalties less
   * the penalties the maxima allow (a schedule that keeps them pays at most that much), and offers
   * its schedules that keep the maxima. The rounds end when the cheapest keeps the maxima and works
   * every penalised type up to its maximum: then no schedule that keeps them is cheaper (the bound
   * is exact).
   */
  private priceByTable(e: number, shape: TableShape, threshold: number, count: number): { priced: Priced; exact: boolean } {
    const rules = this.rules[e]!;
    // Penalties carry over from the employee's last pricing: the duals move little between rounds.
    const penalty = (this.penalties[e] ??= new Float64Array(rules.limitedMax.length));
    const found = new Map<string, { schedule: Int16Array; cost: number }>();
    let lowerBound = -Infinity;
    let exact = false;
    for (let round = 0; round < PENALTY_ROUNDS && !exact; round++) {
      const ends = this.solveTable(e, shape, penalty);
      if (ends.length === 0) return { priced: { schedules: [], lowerBound: Infinity }, exact: true };
      let allowed = 0;
      for (let slot = 0; slot < penalty.length; slot++) allowed += penalty[slot]! * rules.limitedMax[slot]!;
      lowerBound = Math.max(lowerBound, ends[0]!.cost - allowed);
      const countsOfEnds = ends.map((end) => limitedCounts(rules, end.schedule));
      for (const [k, end] of ends.entries()) {
        let cost = end.cost;
        for (let slot = 0; slot < penalty.length; slot++) cost -= penalty[slot]! * countsOfEnds[k]![slot]!;
        if (countsOfEnds[k]!.every((n, slot) => n <= rules.limitedMax[slot]!) && cost < threshold - EPSILON) found.set(end.schedule.join(','), { schedule: end.schedule, cost });
      }
      const counts = countsOfEnds[0]!;
      exact = counts.every((n, slot) => n <= rules.limitedMax[slot]! && (penalty[slot] === 0 || n === rules.limitedMax[slot]));
      for (let slot = 0; slot < penalty.length; slot++) {
        if (counts[slot]! > rules.limitedMax[slot]!) penalty[slot] = Math.max(1, 2 * penalty[slot]!);
        else if (counts[slot]! < rules.limitedMax[slot]!) penalty[slot] = penalty[slot]! < 1 ? 0 : penalty[slot]! / 2;
      }
    }
    const cheapest = [...found.values()].sort((a, b) => a.cost - b.cost).slice(0, count);
    return { priced: { schedules: cheapest.map((c) => c.schedule), lowerBound }, exact };
  }

  /**
   * The table for employee e, each limited shift charged its penalty: its cheapest schedules (up
   * to TABLE_ENDS, one per end state), cheapest first, with their costs (penalties included).
   * A state keeps, of the last shift, only its representative (shifts the same shifts may follow
   * behave alike afterwards), and of the day's options that lead to the same state only the
   * cheapest is tried (Instance13: 18 shifts, 7 representatives, 12 groups).
   */
  private solveTable(e: number, shape: TableShape, penalty: Float64Array): { schedule: Int16Array; cost: number }[] {
    const { p, value } = this;
    const rules = this.rules[e]!;
    const D = p.days;
    const S = p.shifts;
    const S1 = S + 1;
    const { R, M, W, minUnits, units, maxUnitsAfter, representative, group, groups } = shape;
    const N = S1 * R * (M + 1) * W;
    const stateOf = (last: number, run: number, m: number, w: number): number => (((last + 1) * R + run) * (M + 1) + m) * W + w;
    // Per (day, last option + 1, run): the first and last minutes any of its states holds; outside
    // them every cost is Infinity, so the walk skips them (most of the table is unreachable).
    const runStates = D * S1 * R;
    if (this.cost.length < D * N) {
      this.cost = new Float64Array(D * N);
      this.from = new Int32Array(D * N);
      this.took = new Int16Array(D * N);
    }
    if (this.lowestMinutes.length < runStates) {
      this.lowestMinutes = new Int32Array(runStates);
      this.highestMinutes = new Int32Array(runStates);
    }
    const { cost, from, took, lowestMinutes, highestMinutes } = this;
    cost.fill(Infinity, 0, D * N);
    lowestMinutes.fill(M + 1, 0, runStates);
    highestMinutes.fill(-1, 0, runStates);
    const stepCost = (d: number, o: number): number => value[d * S1 + o + 1]! + (o !== OFF && rules.limitedSlot[o]! >= 0 ? penalty[rules.limitedSlot[o]!]! : 0);
    // The day's options worth trying: the cheapest of each group.
    const cheapest = new Int32Array(groups);
    const tried: number[] = [];
    const optionsOf = (d: number): number[] => {
      cheapest.fill(-2);
      tried.length = 0;
      for (const o of rules.options[d]!) {
        if (o === OFF) tried.push(OFF);
        else if (cheapest[group[o]!] === -2 || stepCost(d, o) < stepCost(d, cheapest[group[o]!]!)) cheapest[group[o]!] = o;
      }
      for (const o of cheapest) if (o !== -2) tried.push(o);
      return tried;
    };
    for (const o of optionsOf(0)) {
      const last = o === OFF ? OFF : representative[o]!;
      const m = o === OFF ? 0 : units[o]!;
      const w = o !== OFF && startsWeekend(p, 0, OFF) ? 1 : 0;
      const runState = (last + 1) * R + 1;
      // Whether a schedule there can still reach the minimum minutes.
      if (m > M || w >= W || m + maxUnitsAfter[runState]! < minUnits) continue;
      const j = stateOf(last, 1, m, w);
      if (stepCost(0, o) >= cost[j]!) continue;
      cost[j] = stepCost(0, o);
      from[j] = -1;
      took[j] = o;
      lowestMinutes[runState] = Math.min(lowestMinutes[runState]!, m);
      highestMinutes[runState] = Math.max(highestMinutes[runState]!, m);
    }
    for (let d = 1; d < D; d++) {
      const before = (d - 1) * N;
      const here = d * N;
      const options = optionsOf(d);
      for (let last = OFF; last < S; last++) {
        if (last !== OFF && representative[last] !== last) continue;
        for (let run = 1; run < R; run++) {
          const source = ((d - 1) * S1 + last + 1) * R + run;
          if (lowestMinutes[source]! > highestMinutes[source]!) continue;
          for (const o of options) {
            const r = nextRun(rules, S, D, d, last, run, o);
            if (r < 0) continue;
            const next = o === OFF ? OFF : representative[o]!;
            const add = o === OFF ? 0 : units[o]!;
            const dw = o !== OFF && startsWeekend(p, d, last) ? 1 : 0;
            const step = stepCost(d, o);
            const target = (d * S1 + next + 1) * R + r;
            // Minutes from which the days after can still reach the minimum, up to the maximum.
            const firstM = Math.max(lowestMinutes[source]!, minUnits - maxUnitsAfter[target]! - add);
            const lastM = Math.min(highestMinutes[source]!, M - add);
            if (firstM > lastM) continue;
            lowestMinutes[target] = Math.min(lowestMinutes[target]!, firstM + add);
            highestMinutes[target] = Math.max(highestMinutes[target]!, lastM + add);
            const i0 = before + stateOf(last, run, firstM, 0);
            const j0 = here + stateOf(next, r, firstM + add, dw);
            const end = (lastM - firstM + 1) * W;
            for (let k = 0; k < end; k += W) {
              for (let w = 0; w + dw < W; w++) {
                const c = cost[i0 + k + w]! + step;
                if (c < cost[j0 + k + w]!) {
                  cost[j0 + k + w] = c;
                  from[j0 + k + w] = i0 + k + w - before;
                  took[j0 + k + w] = o;
                }
              }
            }
          }
        }
      }
    }
    const lastDay = (D - 1) * N;
    const ends: number[] = [];
    for (let j = 0; j < N; j++) if (cost[lastDay + j]! < Infinity && Math.floor(j / W) % (M + 1) >= minUnits) ends.push(j);
    ends.sort((a, b) => cost[lastDay + a]! - cost[lastDay + b]!);
    return ends.slice(0, TABLE_ENDS).map((end) => {
      const schedule = new Int16Array(D);
      for (let d = D - 1, j = end; d >= 0; j = from[d * N + j]!, d--) schedule[d] = took[d * N + j]!;
      return { schedule, cost: cost[lastDay + end]! };
    });
  }

  /**
   * The label walk: per (last option, run, minutes) the labels no other beats on cost, weekends
   * and per-type counts; a backward bound on the run rules alone drops labels that cannot get
   * below the threshold.
   */
  private priceByLabels(e: number, threshold: number, count: number, maxLabelsPerDay: number): Priced {
    const { p, value } = this;
    const D = p.days;
    const S = p.shifts;
    const S1 = S + 1;
    const rules = this.rules[e]!;
    const { R } = rules;
    const stateOf = (last: number, run: number): number => (last + 1) * R + run;
    const { longestShift } = this;
    const optionsByDay = rules.options;
    const completion = Array.from({ length: D }, () => new Float64Array(S1 * R).fill(Infinity));
    completion[D - 1]!.fill(0);
    for (let d = D - 2; d >= 0; d--) {
      for (let last = OFF; last < S; last++) {
        for (let run = 1; run < R; run++) {
          let best = Infinity;
          for (const o of optionsByDay[d + 1]!) {
            const r = nextRun(rules, S, D, d + 1, last, run, o);
            if (r >= 0) best = Math.min(best, value[(d + 1) * S1 + o + 1]! + completion[d + 1]![stateOf(o, r)]!);
          }
          completion[d]![stateOf(last, run)] = best;
        }
      }
    }
    const bound = threshold - EPSILON;
    let labels: Label[] = [{ last: OFF, run: 0, minutes: 0, weekends: 0, limitedCounts: new Int16Array(rules.limitedMax.length), cost: 0, previous: undefined }];
    for (let d = 0; d < D; d++) {
      const buckets = new Map<number, Label[]>();
      let alive = 0;
      for (const label of labels) {
        for (const o of optionsByDay[d]!) {
          const run = d === 0 ? 1 : nextRun(rules, S, D, d, label.last, label.run, o);
          if (run < 0) continue;
          const cost = label.cost + value[d * S1 + o + 1]!;
          if (cost + completion[d]![stateOf(o, run)]! >= bound) continue;
          let { minutes, weekends, limitedCounts } = label;
          if (o !== OFF) {
            minutes += p.shiftDuration[o]!;
            if (minutes > rules.maxMinutes) continue;
            if (startsWeekend(p, d, label.last) && ++weekends > rules.maxWeekends) continue;
            const slot = rules.limitedSlot[o]!;
            if (slot >= 0) {
              limitedCounts = limitedCounts.slice();
              if (++limitedCounts[slot]! > rules.limitedMax[slot]!) continue;
            }
          }
          if (minutes + (D - 1 - d) * longestShift < rules.minMinutes) continue;
          const key = stateOf(o, run) * (rules.maxMinutes + 1) + minutes;
          let bucket = buckets.get(key);
          if (bucket === undefined) buckets.set(key, (bucket = []));
          if (insertUndominated(bucket, { last: o, run, minutes, weekends, limitedCounts, cost, previous: label })) alive++;
        }
      }
      if (alive > maxLabelsPerDay) throw new TooLarge();
      labels = [];
      for (const bucket of buckets.values()) labels.push(...bucket);
    }
    const complete = labels.filter((l) => l.minutes >= rules.minMinutes && l.cost < bound).sort((a, b) => a.cost - b.cost);
    const schedules = complete.slice(0, count).map((label) => {
      const schedule = new Int16Array(D);
      let at: Label | undefined = label;
      for (let d = D - 1; d >= 0; d--, at = at!.previous) schedule[d] = at!.last;
      return schedule;
    });
    return { schedules, lowerBound: complete[0]?.cost ?? Infinity };
  }
}

/** A partial schedule of one employee up to some day, in the label walk. */
interface Label {
  last: number;
  /** Length of the current run of work (last is a shift) or of days off (last is OFF), capped. */
  run: number;
  minutes: number;
  weekends: number;
  limitedCounts: Int16Array;
  cost: number;
  previous: Label | undefined;
}

/** The dimensions of one employee's table. */
interface TableShape {
  R: number;
  /** Minutes are counted in units (the greatest common divisor of the shifts' lengths), up to M. */
  M: number;
  minUnits: number;
  /** Weekends worked 0 … W - 1. */
  W: number;
  /** Per shift: its length in units. */
  units: Int32Array;
  /** Per (day, option + 1, run): the most units the days after it can add, runs' rules kept. */
  maxUnitsAfter: Int32Array;
  /** Per shift: the first shift after which the same shifts may follow (it stands for both). */
  representative: Int32Array;
  /** Per shift: its group (same representative, same length, may follow the same shifts). */
  group: Int32Array;
  groups: number;
}

/** The table's shape for these rules, or undefined when it would be too large. */
function tableShape(p: CompiledProblem, rules: ScheduleRules): TableShape | undefined {
  const D = p.days;
  const S = p.shifts;
  const S1 = S + 1;
  const { R } = rules;
  let unit = 0;
  for (const options of rules.options) for (const o of options) if (o !== OFF) unit = gcd(unit, p.shiftDuration[o]!);
  if (unit === 0) unit = 1;
  const units = Int32Array.from(p.shiftDuration, (minutes) => Math.floor(minutes / unit));
  const M = Math.min(Math.floor(rules.maxMinutes / unit), D * Math.max(0, ...units));
  const weekends = new Set(Array.from(p.weekendOf).filter((w) => w >= 0)).size;
  const W = Math.min(rules.maxWeekends, weekends) + 1;
  if (D * S1 * R * (M + 1) * W > MAX_TABLE_CELLS) return undefined;
  const maxUnitsAfter = new Int32Array(D * S1 * R).fill(-(M + 1));
  for (let o = OFF; o < S; o++) for (let run = 1; run < R; run++) maxUnitsAfter[((D - 1) * S1 + o + 1) * R + run] = 0;
  for (let d = D - 2; d >= 0; d--) {
    for (let last = OFF; last < S; last++) {
      for (let run = 1; run < R; run++) {
        let best = -(M + 1);
        for (const o of rules.options[d + 1]!) {
          const r = nextRun(rules, S, D, d + 1, last, run, o);
          if (r >= 0) best = Math.max(best, (o === OFF ? 0 : units[o]!) + maxUnitsAfter[((d + 1) * S1 + o + 1) * R + r]!);
        }
        maxUnitsAfter[(d * S1 + last + 1) * R + run] = best;
      }
    }
  }
  const row = (s: number): string => rules.conflict.subarray(s * S, (s + 1) * S).join('');
  const column = (s: number): string => Array.from({ length: S }, (_, before) => rules.conflict[before * S + s]).join('');
  const representative = Int32Array.from({ length: S }, (_, s) => {
    for (let first = 0; first < s; first++) if (row(first) === row(s)) return first;
    return s;
  });
  const groupKeys = new Map<string, number>();
  const group = Int32Array.from({ length: S }, (_, s) => {
    const key = `${representative[s]}:${units[s]}:${column(s)}`;
    if (!groupKeys.has(key)) groupKeys.set(key, groupKeys.size);
    return groupKeys.get(key)!;
  });
  return { R, M, minUnits: Math.ceil(rules.minMinutes / unit), W, units, maxUnitsAfter, representative, group, groups: groupKeys.size };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** How many shifts of each type with a binding maximum a schedule works. */
function limitedCounts(rules: ScheduleRules, schedule: Int16Array): Int32Array {
  const counts = new Int32Array(rules.limitedMax.length);
  for (const s of schedule) if (s !== OFF && rules.limitedSlot[s]! >= 0) counts[rules.limitedSlot[s]!]!++;
  return counts;
}

/** Adds `label` to a bucket of mutually undominated labels unless one there beats it; drops those it beats. */
function insertUndominated(bucket: Label[], label: Label): boolean {
  for (let k = bucket.length - 1; k >= 0; k--) {
    const other = bucket[k]!;
    if (other.cost <= label.cost && other.weekends <= label.weekends && atMost(other.limitedCounts, label.limitedCounts)) return false;
    if (label.cost <= other.cost && label.weekends <= other.weekends && atMost(label.limitedCounts, other.limitedCounts)) {
      bucket[k] = bucket[bucket.length - 1]!;
      bucket.pop();
    }
  }
  bucket.push(label);
  return true;
}

function atMost(a: Int16Array, b: Int16Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i]! > b[i]!) return false;
  return true;
}
