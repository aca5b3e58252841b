// Column generation: the roster as one whole schedule per employee. The master LP mixes
// schedules (one "convexity" row per employee: its schedules' weights sum to 1) to meet cover (the
// cover rows of mipModel.ts, with the same under/over slacks); pricing (schedulePricing.ts) finds,
// per employee, the cheapest schedules under the cover rows' duals that keep every hard rule of
// that employee. Because each schedule already keeps the employee's rules, this LP is far tighter
// than the cell-by-cell model's (Instance9: 405.7 against 179, optimum 439), and a dive — take the
// schedule the LP likes best, fix it, generate again, undo a fix after which the LP cannot beat the
// start — lands on very good rosters (Instance9 at its optimum 439 in about 10 s; Instance18 within
// 1 % once the dive's last employees go to the MIP model; bench/RESULTS.md, "Column generation"
// and "Table pricing, MIP-settled dives").
// Pricing bounds every employee's cheapest schedule from below, so the LP plus every employee's
// best reduced cost bounds every roster: when that cannot beat the start, the start is optimal.
//
// Used where the MIP model is (its rules, all hard) and rest reaches only to the next day. Pricing
// can grow too slow: a problem whose labels grow too many where no table helps, or whose rounds
// would not fit in the time left, is given up for good (`usable` turns false) and the caller goes
// on without.
import type { Highs, Model } from 'highs';
import type { CompiledProblem } from './compiledProblem.js';
import { OFF } from './compiledProblem.js';
import { Random } from './random.js';
import { restReach } from './rosterScore.js';
import { SchedulePricing, TooLarge } from './schedulePricing.js';

/** Schedules added per employee and pricing round. */
const COLUMNS_PER_PRICING = 3;
/** The first pricing round is the slowest (its duals are far from the end's): generating to the
 * end and diving took 20–40 times as long as it on Instance7, 9 and 16. */
const FIRST_ROUNDS_PER_DIVE = 40;
/** Generation stops when the LP is this close (relative) to its bound: the LP at its end lies
 * between the two, and the last rounds of column generation move it least. */
const STOP_GAP = 0.001;
/** At a dive's nodes, generation also stops when STALL_ROUNDS rounds together lowered the LP by
 * less than STALL_GAP (relative), or after MAX_NODE_ROUNDS rounds: the fix is judged on an LP near
 * its end, not at it. On Instance18 the cap brought the dive to its last four employees at 32–35 s
 * instead of 41–43 s (nodes there took up to 50 rounds, ~0.3 s each). */
const STALL_ROUNDS = 3;
const STALL_GAP = 0.0005;
const MAX_NODE_ROUNDS = 10;
/** HiGHS's simplex_strategy for the primal simplex: new columns leave the last basis primal
 * feasible, and on Instance18 it solves each round's LP in a third of the dual simplex's time. */
const PRIMAL_SIMPLEX = 4;
const EPSILON = 1e-6;
/** The master's schedules beyond which those the LP least wants are dropped (down to 3/4 of it):
 * each LP round costs about in proportion to the schedules (Instance18: 0.08 s at 1 200, 0.4 s at
 * 4 900), and with 1 000 a dive there took 20–27 s instead of 44–48 s (bench/RESULTS.md, "Faster
 * pricing, a bounded pool"). */
const POOL_LIMIT = 1_000;
/** Exploring dives may fix a schedule the LP takes at least this share as much of as its favourite. */
const EXPLORE_SHARE = 0.5;

/**
 * 'improved': a better roster. 'unsettled': a roster whose `free` employees the dive left to the
 * caller (see dive's `leaveFree`): they hold the schedule the LP takes most of, and the roster need
 * not be better than the start until they are re-planned.
 */
export type DiveOutcome = { kind: 'improved'; roster: Int16Array } | { kind: 'unsettled'; roster: Int16Array; free: number[] } | { kind: 'optimal' } | { kind: 'none' };
const NONE: DiveOutcome = { kind: 'none' };

export class ColumnGeneration {
  private readonly model: Model;
  private readonly pricing: SchedulePricing;
  private readonly schedules: Int16Array[] = [];
  private readonly owner: number[] = [];
  private readonly known = new Set<string>();
  private readonly fixed: Uint8Array;
  /** Per (day, option + 1): the cost of the employee being priced, under the current duals. */
  private readonly value: Float64Array;
  private readonly slackColumns: number;
  private readonly random: Random;
  private dives = 0;
  /** Whole-number penalties: a roster better than another is better by at least 1. */
  private readonly integralObjective: boolean;
  private tooLarge = false;
  /** Schedules a dive found it cannot fix and still beat its start. */
  private banned = new Set<number>();
  /** The schedules of the dive's last fix (undone when the LP after it cannot beat the start). */
  private lastFixed: number[] = [];

  private dropped = 0;

  /** For a problem buildRosterMip accepts; undefined when rest reaches beyond the next day.
   * `poolLimit`: the master's schedules beyond which it drops some (tests set it small). */
  static create(highs: Highs, p: CompiledProblem, seed: number, poolLimit = POOL_LIMIT): ColumnGeneration | undefined {
    return restReach(p) === 1 ? new ColumnGeneration(highs, p, seed, poolLimit) : undefined;
  }

  private constructor(
    private readonly highs: Highs,
    private readonly p: CompiledProblem,
    seed: number,
    private readonly poolLimit: number,
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
    this.model.options.set({ output_flag: false, simplex_strategy: PRIMAL_SIMPLEX });
    for (let i = 0; i < C; i++) {
      this.model.addCol(p.coverUnder[i]!, 0, p.coverHardMinimum[i] === 1 ? 0 : Infinity, { indices: [E + i], values: [1] });
      this.model.addCol(p.coverOver[i]!, 0, Infinity, { indices: [E + i], values: [-1] });
    }
    this.slackColumns = 2 * C;
    this.fixed = new Uint8Array(E);
    this.value = new Float64Array(p.days * (p.shifts + 1));
    this.pricing = new SchedulePricing(p, this.value);
  }

  /** Schedules dropped from the master so far (see prune). */
  get schedulesDropped(): number {
    return this.dropped;
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
   * (whole-number penalties only). With `leaveFree` > 0 the dive stops fixing when that many
   * employees are left and answers 'unsettled' (see DiveOutcome); so it does, with however many
   * are left, once `settleBy` (a performance.now() time) has passed. Each call dives afresh over the
   * schedules found so far; later dives take, now and then, a schedule the LP likes a little less
   * than the best.
   */
  dive(start: Int16Array, deadline: number, cancelled: () => boolean, leaveFree = 0, settleBy = Infinity): DiveOutcome {
    const { p, model } = this;
    const E = p.employees;
    const D = p.days;
    if (this.tooLarge) return NONE;
    for (let e = 0; e < E; e++) this.addSchedule(e, start.slice(e * D, (e + 1) * D));
    const target = this.objectiveOf(start) - (this.integralObjective ? 1 - EPSILON : EPSILON);
    this.fixed.fill(0);
    this.banned.clear();
    this.lastFixed = [];
    const columns = this.schedules.length;
    model.changeColsBounds({ kind: 'range', from: this.slackColumns, to: this.slackColumns + columns - 1 }, new Float64Array(columns), new Float64Array(columns).fill(Infinity));
    const stop = (): boolean => cancelled() || performance.now() >= deadline;
    const explore = this.dives++ > 0;
    try {
      const firstRoundAt = performance.now();
      const settling = (): boolean => performance.now() >= settleBy;
      let lp = this.generate(stop, settling, () => {
        // In the first round ever: give up for good as soon as the rounds would not fit in the time left.
        if (!explore && (performance.now() - firstRoundAt) * FIRST_ROUNDS_PER_DIVE > deadline - firstRoundAt) throw new TooLarge();
      });
      // Pricing bounds each employee's cheapest schedule from below, so the root's bound bounds every roster.
      if (lp !== undefined && lp.bound > target) return this.integralObjective ? { kind: 'optimal' } : NONE;
      let backtracks = 0;
      const freeCount = (): number => this.fixed.reduce((n, f) => n + 1 - f, 0);
      while (lp !== undefined && lp.bound <= target && freeCount() > leaveFree && !settling()) {
        this.lastFixed = this.fix(lp.x, explore, freeCount() - leaveFree);
        lp = this.generate(stop, settling);
        // A fix after which the LP cannot beat the start is undone and banned for this dive (at most
        // as many undos per dive as there are employees).
        if (lp !== undefined && lp.bound > target && backtracks++ < E) {
          this.unfix(this.lastFixed);
          lp = this.generate(stop, settling);
        }
      }
      if (lp === undefined || lp.bound > target) return NONE;
      // Each employee's schedule the LP takes most of: the fixed ones, and the free ones' favourites.
      const roster = new Int16Array(E * D).fill(OFF);
      const weight = new Float64Array(E);
      for (let j = 0; j < this.schedules.length; j++) {
        const x = lp.x[this.slackColumns + j]!;
        if (x <= weight[this.owner[j]!]!) continue;
        weight[this.owner[j]!] = x;
        roster.set(this.schedules[j]!, this.owner[j]! * D);
      }
      const free = [...this.fixed.keys()].filter((e) => this.fixed[e] === 0);
      if (free.length > 0) return { kind: 'unsettled', roster, free };
      return lp.objective > target ? NONE : { kind: 'improved', roster };
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
      this.tooLarge = true;
      return NONE;
    }
  }

  dispose(): void {
    this.model.dispose();
  }

  /**
   * LP and pricing rounds until no employee has a better schedule, or until the LP is within
   * STOP_GAP of the bound the round's pricing gives (the LP's objective plus every employee's most
   * negative reduced cost: no roster beats it). The LP's column values, objective and that bound;
   * undefined when stopped or when the LP has no solution (fixed schedules leave hard cover unmet).
   * Once `settling()` turns true: the LP as it stands, bound unknown (-Infinity).
   */
  private generate(stop: () => boolean, settling: () => boolean, duringFirstRound?: () => void): { x: Float64Array; objective: number; bound: number } | undefined {
    const { p, model } = this;
    const E = p.employees;
    const objectives: number[] = [];
    for (let round = 0; ; round++) {
      model.run();
      if (model.getModelStatus() !== this.highs.constants.modelStatus.optimal) return undefined;
      const solution = model.getSolution();
      const objective = Number(model.info.get('objective_function_value'));
      if (settling()) return { x: solution.colValue, objective, bound: -Infinity };
      let added = 0;
      let reducedCosts = 0;
      for (let e = 0; e < E; e++) {
        if (this.fixed[e] === 1) continue;
        if (stop()) return undefined;
        this.setValues(e, solution.rowDual);
        const dual = solution.rowDual[e]!;
        const priced = this.pricing.price(e, dual, COLUMNS_PER_PRICING);
        for (const schedule of priced.schedules) if (this.addSchedule(e, schedule)) added++;
        reducedCosts += Math.min(0, priced.lowerBound - dual);
        if (round === 0) duringFirstRound?.();
      }
      const bound = objective + reducedCosts;
      objectives.push(objective);
      const stalled = this.fixed.includes(1) && ((round >= STALL_ROUNDS && objectives[round - STALL_ROUNDS]! - objective <= STALL_GAP * Math.abs(objective)) || round + 1 >= MAX_NODE_ROUNDS);
      if (added === 0 || stalled || objective - bound <= STOP_GAP * Math.abs(objective)) return { x: solution.colValue, objective, bound: Math.min(bound, objective) };
      if (this.schedules.length > this.poolLimit) this.prune(solution.colValue, solution.colDual);
    }
  }

  /**
   * Drops schedules until 3/4 of the pool limit are left, from those the last LP (`x`, `reducedCost`;
   * schedules added since are kept) leaves out and prices furthest from entering: first the
   * blocked schedules of fixed employees, then by reduced cost. Only nonbasic ones (reduced cost
   * not zero), so the basis stays valid; never a banned or just-fixed schedule. Pricing may find
   * a dropped schedule again.
   */
  private prune(x: Float64Array, reducedCost: Float64Array): void {
    const solved = x.length - this.slackColumns;
    const keep = new Set([...this.banned, ...this.lastFixed]);
    // How far from entering: blocked (a fixed employee's) first, then by reduced cost.
    const priority = (j: number): number => (this.fixed[this.owner[j]!] === 1 ? Infinity : reducedCost[this.slackColumns + j]!);
    const candidates: number[] = [];
    for (let j = 0; j < solved; j++) {
      const nonbasic = Math.abs(reducedCost[this.slackColumns + j]!) > EPSILON;
      if (x[this.slackColumns + j]! < EPSILON && nonbasic && priority(j) > 0 && !keep.has(j)) candidates.push(j);
    }
    candidates.sort((a, b) => priority(b) - priority(a));
    const dropped = new Set(candidates.slice(0, Math.max(0, this.schedules.length - Math.floor((3 * this.poolLimit) / 4))));
    if (dropped.size === 0) return;
    this.dropped += dropped.size;
    this.model.deleteCols({ kind: 'set', indices: [...dropped].sort((a, b) => a - b).map((j) => this.slackColumns + j) });
    const newIndex = new Int32Array(this.schedules.length).fill(-1);
    let kept = 0;
    for (let j = 0; j < this.schedules.length; j++) {
      if (dropped.has(j)) {
        this.known.delete(scheduleKey(this.owner[j]!, this.schedules[j]!));
        continue;
      }
      newIndex[j] = kept;
      this.schedules[kept] = this.schedules[j]!;
      this.owner[kept] = this.owner[j]!;
      kept++;
    }
    this.schedules.length = kept;
    this.owner.length = kept;
    this.banned = new Set([...this.banned].map((j) => newIndex[j]!));
    this.lastFixed = this.lastFixed.map((j) => newIndex[j]!);
  }

  /**
   * Fixes every schedule the LP takes whole and, if none, the one it takes most of — or, when
   * exploring, one in four times a random one of those it takes at least EXPLORE_SHARE as much of;
   * at most `most` schedules (employees). Returns the schedules fixed.
   */
  private fix(x: Float64Array, explore: boolean, most: number): number[] {
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
    chosen.length = Math.min(chosen.length, most);
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
        for (const i of requirementsCovered(p, e, d, s)) staffed[i]!++;
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
        for (const i of requirementsCovered(p, e, d, s)) v -= rowDual[E + i]!;
        value[d * (S + 1) + s + 1] = v;
      }
    }
  }

  /** Adds a schedule of employee e as a master column; false when it is already there. */
  private addSchedule(e: number, schedule: Int16Array): boolean {
    const key = scheduleKey(e, schedule);
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
      for (const i of requirementsCovered(p, e, d, s)) entries.set(E + i, (entries.get(E + i) ?? 0) + 1);
    }
    this.model.addCol(cost, 0, Infinity, { indices: [...entries.keys()], values: [...entries.values()] });
    this.schedules.push(schedule);
    this.owner.push(e);
    return true;
  }
}

function scheduleKey(e: number, schedule: Int16Array): string {
  return `${e}:${schedule.join(',')}`;
}

/** The cover requirements that employee e working shift s on day d counts towards: the shift's
 * requirements with no skill or with a skill the employee has. */
function requirementsCovered(p: CompiledProblem, e: number, d: number, s: number): number[] {
  const covered: number[] = [];
  for (let k = p.cellCoverStart[d * p.shifts + s]!; k < p.cellCoverStart[d * p.shifts + s + 1]!; k++) {
    const i = p.cellCoverList[k]!;
    const skill = p.coverSkill[i]!;
    if (skill < 0 || p.employeeHasSkill[e * p.skillCount + skill] === 1) covered.push(i);
  }
  return covered;
}
