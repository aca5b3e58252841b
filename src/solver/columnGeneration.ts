// Column generation: the roster as one whole schedule per employee. The master LP mixes
// schedules (one "convexity" row per employee: its schedules' weights sum to 1) to meet cover (the
// cover rows of mipModel.ts, with the same under/over slacks); pricing finds, per employee, the
// cheapest schedule under the cover rows' duals by a labelling walk over the days that keeps every
// hard rule of that employee. Because each schedule already keeps the employee's rules, this LP is
// far tighter than the cell-by-cell model's (Instance9: 405.7 against 179, optimum 439), and a
// dive — take the schedule the LP likes best, fix it, generate again, undo a fix after which the
// LP cannot beat the start — lands on very good rosters (Instance9 at its optimum 439 in about
// 10 s; bench/RESULTS.md, "Column generation"). Pricing is exact, so the first LP of a dive also
// bounds every roster: when it cannot beat the start, the start is optimal.
//
// Used where the MIP model is (its rules, all hard) and rest reaches only to the next day. Exact
// pricing can grow too slow: a problem whose labels grow too many, or whose rounds would not fit in
// the time left, is given up for good (`usable` turns false) and the caller goes on without.
import type { Highs, Model } from 'highs';
import type { RuleKind } from '../domain/roster.js';
import type { CompiledProblem } from './compiledProblem.js';
import { OFF, RULE, ruleCount } from './compiledProblem.js';
import { shiftsConflict } from './mipModel.js';
import { Random } from './random.js';
import { restReach } from './rosterScore.js';

/** Labels kept on one day of one employee's pricing (counted as they are inserted, before later
 * ones of the same day may displace them) beyond which the problem counts as too large. */
const MAX_LABELS_PER_DAY = 20_000;
/** Schedules added per employee and pricing round. */
const COLUMNS_PER_PRICING = 3;
/** The first pricing round is the slowest (its duals are far from the end's): generating to the
 * end and diving took 20–40 times as long as it on Instance7, 9 and 16. */
const FIRST_ROUNDS_PER_DIVE = 40;
const EPSILON = 1e-6;
/** Exploring dives may fix a schedule the LP takes at least this share as much of as its favourite. */
const EXPLORE_SHARE = 0.5;

/** An employee's rules as the pricing walk needs them. */
interface ScheduleRules {
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
  /** Per day: the options (OFF or a shift) the employee may take. They do not change with the
   * duals, so they are listed once, not on every pricing. */
  options: number[][];
}

/** A partial schedule of one employee up to some day. */
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

export type DiveOutcome = { kind: 'improved'; roster: Int16Array } | { kind: 'optimal' } | { kind: 'none' };
const NONE: DiveOutcome = { kind: 'none' };

class TooLarge extends Error {}

export class ColumnGeneration {
  private readonly model: Model;
  private readonly rules: ScheduleRules[];
  private readonly schedules: Int16Array[] = [];
  private readonly owner: number[] = [];
  private readonly known = new Set<string>();
  private readonly fixed: Uint8Array;
  /** Per (day, option + 1): the cost of the employee being priced, under the current duals. */
  private readonly value: Float64Array;
  private readonly slackColumns: number;
  /** Minutes of the longest shift: what one more day can add at most. */
  private readonly longestShift: number;
  private readonly random: Random;
  private dives = 0;
  /** Whole-number penalties: a roster better than another is better by at least 1. */
  private readonly integralObjective: boolean;
  private tooLarge = false;
  /** Schedules a dive found it cannot fix and still beat its start. */
  private readonly banned = new Set<number>();

  /** For a problem buildRosterMip accepts; undefined when rest reaches beyond the next day. */
  static create(highs: Highs, p: CompiledProblem, seed: number): ColumnGeneration | undefined {
    return restReach(p) === 1 ? new ColumnGeneration(highs, p, seed) : undefined;
  }

  private constructor(
    private readonly highs: Highs,
    private readonly p: CompiledProblem,
    seed: number,
  ) {
    this.random = new Random(seed);
    const whole = (values: Float64Array): boolean => values.every(Number.isInteger);
    this.integralObjective = whole(p.daySoft) && whole(p.coverUnder) && whole(p.coverOver);
    const E = p.employees;
    const C = p.coverRequired.length;
    const rowLower = new Float64Array(E + C).fill(1);
    const rowUpper = new Float64Array(E + C).fill(1);
    for (let i = 0; i < C; i++) rowLower[E + i] = rowUpper[E + i] = p.coverRequired[i]!;
    this.model = highs.createModel({
      numCols: 0,
      numRows: E + C,
      offset: 0,
      colCost: new Float64Array(0),
      colLower: new Float64Array(0),
      colUpper: new Float64Array(0),
      rowLower,
      rowUpper,
      matrix: { format: 'csr', numRows: E + C, numCols: 0, starts: new Int32Array(E + C + 1), indices: new Int32Array(0), values: new Float64Array(0) },
    });
    this.model.options.set({ output_flag: false });
    for (let i = 0; i < C; i++) {
      this.model.addCol(p.coverUnder[i]!, 0, p.coverHardMinimum[i] === 1 ? 0 : Infinity, { indices: [E + i], values: [1] });
      this.model.addCol(p.coverOver[i]!, 0, Infinity, { indices: [E + i], values: [-1] });
    }
    this.slackColumns = 2 * C;
    this.rules = Array.from({ length: E }, (_, e) => rulesOf(p, e));
    this.fixed = new Uint8Array(E);
    this.value = new Float64Array(p.days * (p.shifts + 1));
    this.longestShift = Math.max(0, ...p.shiftDuration);
  }

  /** False once the problem has proved too large for the time given (see dive). */
  get usable(): boolean {
    return !this.tooLarge;
  }

  /**
   * Generates schedules from `start` (a roster that breaks no hard rule and leaves no hard-minimum
   * cover unfilled, whose schedules join the pool) and dives to a roster better than it. 'none'
   * when the dive finds none, when time runs out (`deadline`, a performance.now() time) or
   * `cancelled()` turns true first, or when the problem proves too large for the time left (then
   * `usable` turns false); 'optimal' when the LP over all schedules proves that none is better
   * (whole-number penalties only). Each call dives afresh over the schedules found so far; later
   * dives take, now and then, a schedule the LP likes a little less than the best.
   */
  dive(start: Int16Array, deadline: number, cancelled: () => boolean): DiveOutcome {
    const { p, model } = this;
    const E = p.employees;
    const D = p.days;
    if (this.tooLarge) return NONE;
    for (let e = 0; e < E; e++) this.addSchedule(e, start.slice(e * D, (e + 1) * D));
    const target = this.objectiveOf(start) - (this.integralObjective ? 1 - EPSILON : EPSILON);
    this.fixed.fill(0);
    this.banned.clear();
    const columns = this.schedules.length;
    model.changeColsBounds({ kind: 'range', from: this.slackColumns, to: this.slackColumns + columns - 1 }, new Float64Array(columns), new Float64Array(columns).fill(Infinity));
    const stop = (): boolean => cancelled() || performance.now() >= deadline;
    const explore = this.dives++ > 0;
    try {
      const firstRoundAt = performance.now();
      let lp = this.generate(stop, () => {
        // In the first round ever: give up for good as soon as the rounds would not fit in the time left.
        if (!explore && (performance.now() - firstRoundAt) * FIRST_ROUNDS_PER_DIVE > deadline - firstRoundAt) throw new TooLarge();
      });
      // Pricing is exact, so the root LP bounds every roster.
      if (lp !== undefined && lp.objective > target) return this.integralObjective ? { kind: 'optimal' } : NONE;
      let backtracks = 0;
      while (lp !== undefined && lp.objective <= target && this.fixed.includes(0)) {
        const fixedNow = this.fix(lp.x, explore);
        lp = this.generate(stop);
        // A fix after which the LP cannot beat the start is undone and banned for this dive (at most
        // as many undos per dive as there are employees).
        if (lp !== undefined && lp.objective > target && backtracks++ < E) {
          this.unfix(fixedNow);
          lp = this.generate(stop);
        }
      }
      if (lp === undefined || lp.objective > target) return NONE;
      const roster = new Int16Array(E * D).fill(OFF);
      for (let j = 0; j < this.schedules.length; j++) if (lp.x[this.slackColumns + j]! > 0.5) roster.set(this.schedules[j]!, this.owner[j]! * D);
      return { kind: 'improved', roster };
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      this.tooLarge = true;
      return NONE;
    }
  }

  dispose(): void {
    this.model.dispose();
  }

  /** LP and pricing rounds until no employee has a better schedule; the LP's column values and
   * objective, or undefined when stopped or when the LP has no solution (fixed schedules leave
   * hard cover unmet). */
  private generate(stop: () => boolean, duringFirstRound?: () => void): { x: Float64Array; objective: number } | undefined {
    const { p, model } = this;
    const E = p.employees;
    for (let round = 0; ; round++) {
      model.run();
      if (model.getModelStatus() !== this.highs.constants.modelStatus.optimal) return undefined;
      const solution = model.getSolution();
      let added = 0;
      for (let e = 0; e < E; e++) {
        if (this.fixed[e] === 1) continue;
        if (stop()) return undefined;
        this.setValues(e, solution.rowDual);
        for (const schedule of this.price(e, solution.rowDual[e]!)) if (this.addSchedule(e, schedule)) added++;
        if (round === 0) duringFirstRound?.();
      }
      if (added === 0) return { x: solution.colValue, objective: Number(model.info.get('objective_function_value')) };
    }
  }

  /**
   * Fixes every schedule the LP takes whole and, if none, the one it takes most of — or, when
   * exploring, one in four times a random one of those it takes at least EXPLORE_SHARE as much of.
   * Returns the schedules fixed.
   */
  private fix(x: Float64Array, explore: boolean): number[] {
    const weightOf = (j: number): number => x[this.slackColumns + j]!;
    const chosen: number[] = [];
    const fractional: number[] = [];
    let best = -1;
    for (let j = 0; j < this.schedules.length; j++) {
      if (this.fixed[this.owner[j]!] === 1 || weightOf(j) < EPSILON) continue;
      if (weightOf(j) > 1 - EPSILON) chosen.push(j);
      else {
        fractional.push(j);
        if (best < 0 || weightOf(j) > weightOf(best)) best = j;
      }
    }
    if (chosen.length === 0 && explore && this.random.int(4) === 0) {
      const near = fractional.filter((j) => weightOf(j) >= EXPLORE_SHARE * weightOf(best));
      chosen.push(near[this.random.int(near.length)]!);
    } else if (chosen.length === 0) chosen.push(best);
    for (const j of chosen) {
      this.fixed[this.owner[j]!] = 1;
      this.setEmployeeBounds(this.owner[j]!, (k) => k === j);
    }
    return chosen;
  }

  /** Frees the employees of `schedules` again and bans those schedules for the rest of the dive. */
  private unfix(schedules: readonly number[]): void {
    for (const j of schedules) {
      this.banned.add(j);
      this.fixed[this.owner[j]!] = 0;
      this.setEmployeeBounds(this.owner[j]!, (k) => !this.banned.has(k));
    }
  }

  /** Bounds of employee e's schedules: [0, ∞) where `open(k)`, else 0; one call to HiGHS. */
  private setEmployeeBounds(e: number, open: (k: number) => boolean): void {
    const indices: number[] = [];
    const upper: number[] = [];
    for (let k = 0; k < this.schedules.length; k++) {
      if (this.owner[k] !== e) continue;
      indices.push(this.slackColumns + k);
      upper.push(open(k) ? Infinity : 0);
    }
    this.model.changeColsBounds({ kind: 'set', indices }, new Array<number>(indices.length).fill(0), upper);
  }

  /** The master's objective for a roster: its schedules' costs and its cover slacks. */
  private objectiveOf(roster: Int16Array): number {
    const { p } = this;
    const D = p.days;
    const S = p.shifts;
    const staffed = new Float64Array(p.coverRequired.length);
    let sum = 0;
    for (let e = 0; e < p.employees; e++) {
      for (let d = 0; d < D; d++) {
        const s = roster[e * D + d]!;
        sum += p.daySoft[(e * D + d) * (S + 1) + s + 1]!;
        if (s === OFF) continue;
        for (let k = p.cellCoverStart[d * S + s]!; k < p.cellCoverStart[d * S + s + 1]!; k++) if (counts(p, e, p.cellCoverList[k]!)) staffed[p.cellCoverList[k]!]!++;
      }
    }
    for (let i = 0; i < staffed.length; i++) {
      const gap = p.coverRequired[i]! - staffed[i]!;
      sum += gap > 0 ? gap * p.coverUnder[i]! : -gap * p.coverOver[i]!;
    }
    return sum;
  }

  /** The cost of each (day, option) for employee e: its own penalties less the cover duals. */
  private setValues(e: number, rowDual: Float64Array): void {
    const { p, value } = this;
    const D = p.days;
    const S = p.shifts;
    const E = p.employees;
    for (let d = 0; d < D; d++) {
      const cell = (e * D + d) * (S + 1);
      value[d * (S + 1)] = p.daySoft[cell]!;
      for (let s = 0; s < S; s++) {
        let v = p.daySoft[cell + s + 1]!;
        for (let k = p.cellCoverStart[d * S + s]!; k < p.cellCoverStart[d * S + s + 1]!; k++) {
          const i = p.cellCoverList[k]!;
          if (counts(p, e, i)) v -= rowDual[E + i]!;
        }
        value[d * (S + 1) + s + 1] = v;
      }
    }
  }

  /** Adds a schedule of employee e as a master column; false when it is already there. */
  private addSchedule(e: number, schedule: Int16Array): boolean {
    const key = `${e}:${schedule.join(',')}`;
    if (this.known.has(key)) return false;
    this.known.add(key);
    const { p } = this;
    const D = p.days;
    const S = p.shifts;
    const E = p.employees;
    let cost = 0;
    const entries = new Map<number, number>([[e, 1]]);
    for (let d = 0; d < D; d++) {
      const s = schedule[d]!;
      cost += p.daySoft[(e * D + d) * (S + 1) + s + 1]!;
      if (s === OFF) continue;
      for (let k = p.cellCoverStart[d * S + s]!; k < p.cellCoverStart[d * S + s + 1]!; k++) {
        const i = p.cellCoverList[k]!;
        if (counts(p, e, i)) entries.set(E + i, (entries.get(E + i) ?? 0) + 1);
      }
    }
    this.model.addCol(cost, 0, Infinity, { indices: [...entries.keys()], values: [...entries.values()] });
    this.schedules.push(schedule);
    this.owner.push(e);
    return true;
  }

  /**
   * Up to COLUMNS_PER_PRICING schedules of employee e whose cost under `value` is below `dual`
   * (the employee's convexity dual), cheapest first: a walk over the days keeping, per (last
   * option, run, minutes), the labels no other beats on cost, weekends and limited shift counts.
   */
  private price(e: number, dual: number): Int16Array[] {
    const { p, value } = this;
    const D = p.days;
    const S1 = p.shifts + 1;
    const rules = this.rules[e]!;
    const workCap = Math.min(rules.maxRun, Math.max(rules.minRun, 1));
    const runCap = (last: number): number => (last === OFF ? rules.minOff : rules.maxRun < D ? rules.maxRun : workCap);
    const R = Math.max(rules.maxRun < D ? rules.maxRun : workCap, rules.minOff) + 1;
    const stateOf = (last: number, run: number): number => (last + 1) * R + run;
    // The run after working option o on day d, coming from (last, run); -1 when a rule forbids it.
    const next = (d: number, last: number, run: number, o: number): number => {
      if (o === OFF) {
        if (last === OFF) return Math.min(run + 1, runCap(OFF));
        // A run of work shorter than the minimum is allowed only from the first day (run === d).
        return run < rules.minRun && run !== d ? -1 : 1;
      }
      if (last === OFF) return run < rules.minOff && run !== d ? -1 : 1;
      if (rules.conflict[last * p.shifts + o] === 1 || run + 1 > rules.maxRun) return -1;
      return Math.min(run + 1, runCap(o));
    };
    const optionsByDay = rules.options;
    // Cheapest completion from each (day, state), rules on runs only: labels that cannot beat the
    // dual even so are dropped early.
    const completion = Array.from({ length: D }, () => new Float64Array(S1 * R).fill(Infinity));
    completion[D - 1]!.fill(0);
    for (let d = D - 2; d >= 0; d--) {
      for (let last = OFF; last < p.shifts; last++) {
        for (let run = 1; run < R; run++) {
          let best = Infinity;
          for (const o of optionsByDay[d + 1]!) {
            const r = next(d + 1, last, run, o);
            if (r >= 0) best = Math.min(best, value[(d + 1) * S1 + o + 1]! + completion[d + 1]![stateOf(o, r)]!);
          }
          completion[d]![stateOf(last, run)] = best;
        }
      }
    }
    const threshold = dual - EPSILON;
    let labels: Label[] = [{ last: OFF, run: 0, minutes: 0, weekends: 0, limitedCounts: new Int16Array(rules.limitedMax.length), cost: 0, previous: undefined }];
    for (let d = 0; d < D; d++) {
      const buckets = new Map<number, Label[]>();
      let alive = 0;
      for (const label of labels) {
        for (const o of optionsByDay[d]!) {
          const run = d === 0 ? 1 : next(d, label.last, label.run, o);
          if (run < 0) continue;
          const cost = label.cost + value[d * S1 + o + 1]!;
          if (cost + completion[d]![stateOf(o, run)]! >= threshold) continue;
          let { minutes, weekends, limitedCounts } = label;
          if (o !== OFF) {
            minutes += p.shiftDuration[o]!;
            if (minutes > rules.maxMinutes) continue;
            const w = p.weekendOf[d]!;
            if (w >= 0 && !(d > 0 && label.last !== OFF && p.weekendOf[d - 1] === w) && ++weekends > rules.maxWeekends) continue;
            const slot = rules.limitedSlot[o]!;
            if (slot >= 0) {
              limitedCounts = limitedCounts.slice();
              if (++limitedCounts[slot]! > rules.limitedMax[slot]!) continue;
            }
          }
          if (minutes + (D - 1 - d) * this.longestShift < rules.minMinutes) continue;
          const key = stateOf(o, run) * (rules.maxMinutes + 1) + minutes;
          let bucket = buckets.get(key);
          if (bucket === undefined) buckets.set(key, (bucket = []));
          if (insertUndominated(bucket, { last: o, run, minutes, weekends, limitedCounts, cost, previous: label })) alive++;
        }
      }
      if (alive > MAX_LABELS_PER_DAY) throw new TooLarge();
      labels = [];
      for (const bucket of buckets.values()) labels.push(...bucket);
    }
    return labels
      .filter((l) => l.minutes >= rules.minMinutes && l.cost < threshold)
      .sort((a, b) => a.cost - b.cost)
      .slice(0, COLUMNS_PER_PRICING)
      .map((label) => {
        const schedule = new Int16Array(D);
        let at: Label | undefined = label;
        for (let d = D - 1; d >= 0; d--, at = at!.previous) schedule[d] = at!.last;
        return schedule;
      });
  }
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

/** Whether employee e working the requirement's shift counts towards cover requirement i. */
function counts(p: CompiledProblem, e: number, i: number): boolean {
  const skill = p.coverSkill[i]!;
  return skill < 0 || p.employeeHasSkill[e * p.skillCount + skill] === 1;
}

/** The hard rules of employee e, as mipModel.ts reads them. */
function rulesOf(p: CompiledProblem, e: number): ScheduleRules {
  const D = p.days;
  const S = p.shifts;
  const hard = (employee: number, rule: RuleKind): boolean => p.ruleHard[employee * ruleCount() + RULE[rule]]! > 0;
  const limitedSlot = new Int32Array(S).fill(-1);
  const limitedMax: number[] = [];
  for (let s = 0; s < S; s++) {
    const max = p.maxPerType[e * S + s]!;
    if (hard(e, 'maxShiftsPerType') && max >= 0 && max < D) {
      limitedSlot[s] = limitedMax.length;
      limitedMax.push(max);
    }
  }
  const options = Array.from({ length: D }, (_, d) => {
    const cell = e * D + d;
    const list: number[] = [];
    for (let k = p.optionStart[cell]!; k < p.optionStart[cell + 1]!; k++) {
      const o = p.optionList[k]!;
      if (p.dayHard[cell * (S + 1) + o + 1] === 0) list.push(o);
    }
    return list;
  });
  const conflict = new Uint8Array(S * S);
  for (let s1 = 0; s1 < S; s1++) for (let s2 = 0; s2 < S; s2++) conflict[s1 * S + s2] = shiftsConflict(p, e, s1, s2, 1, hard) ? 1 : 0;
  return {
    maxRun: hard(e, 'maxConsecutiveWorkDays') && p.maxConsecutive[e]! >= 0 ? p.maxConsecutive[e]! : D,
    minRun: hard(e, 'minConsecutiveWorkDays') ? Math.max(1, p.minConsecutive[e]!) : 1,
    minOff: hard(e, 'minConsecutiveDaysOff') ? Math.max(1, p.minDaysOff[e]!) : 1,
    minMinutes: hard(e, 'minTotalMinutes') ? Math.max(0, p.minMinutes[e]!) : 0,
    maxMinutes: hard(e, 'maxTotalMinutes') && p.maxMinutes[e]! >= 0 ? p.maxMinutes[e]! : D * 1440,
    maxWeekends: hard(e, 'maxWeekends') && p.maxWeekends[e]! >= 0 ? p.maxWeekends[e]! : D,
    limitedSlot,
    limitedMax,
    conflict,
    options,
  };
}
