// Simulated annealing over rosters. Moves (each keeps pins and the cell options of the compiled
// problem): change one cell; swap two employees' shifts on one day; swap a block of consecutive
// days between two employees; set a block of days of one employee to one shift or to OFF (adds
// or removes a whole run of work — the move that escapes the consecutive-day traps); and, rarer
// and costlier, re-plan a window of up to four weeks of one or two employees by dynamic
// programming (windowReplan.ts), which moves work around within tight contracts; half of the
// re-plans are aimed, where there is one, at a weekend that one employee works only half of, and
// the others at a request not met (the employee and one who holds the shift it asks for). A
// re-plan may take a fully staffed shift by pushing its worker to a short shift of the same day
// (an ejection, priced by the planner and applied with the plan). Once hard rules are repaired, a
// share of the simple moves meets a request not met by a wish swap: the employee and one who holds
// the wished shift exchange the shortest block of days around it over which both work as much, or
// else that day and a second day that gives both their minutes back; and
// another share puts someone on a shift whose cover is short, keeping their minutes.
// A move is applied, re-scored incrementally over a window around the changed days (see
// rosterScore.ts), and undone when rejected; nothing is allocated per move.
//
// The annealing cost folds the lexicographic score into one number (hard and medium weighted far
// above soft) and, on problems short of capacity, prices the capacity a roster wastes
// (capacityGuideWeight); the best roster is kept by the true lexicographic order.
import type { CompiledProblem } from './compiledProblem.js';
import { OFF } from './compiledProblem.js';
import { RosterScore } from './rosterScore.js';
import { Random } from './random.js';
import { WindowPlanner, type CostWeights } from './windowReplan.js';

export interface SearchScore {
  hard: number;
  medium: number;
  soft: number;
}

export interface SearchLimits {
  /** Stop after this many moves (evaluated candidates); makes a run deterministic. */
  moveBudget?: number;
  /** Absolute time (performance.now() clock) to stop at. */
  deadline?: number;
  /** Stop when the best has not improved for this long. */
  unimprovedMs?: number;
  /** Stop as soon as the best is at least this good. */
  targetScore?: SearchScore;
  signal?: AbortSignal;
}

/** Why a run ended; `noMoves` = no possible move was drawn in a long row (nothing left to change);
 * `optimal` = a whole-problem MIP proved the best roster optimal (portfolio only, see portfolioWorker.ts). */
export type StopReason = 'moveBudget' | 'timeLimit' | 'unimproved' | 'target' | 'cancelled' | 'noMoves' | 'optimal';

/** Annealing settings; the defaults were tuned on the Curtois instances (see bench/RESULTS.md). */
export interface AnnealingSettings {
  /** Starting weight of one hard point in the annealing cost. */
  hardWeight: number;
  /**
   * Strategic oscillation: while the current roster breaks hard rules the hard weight grows by
   * this factor per check (every 1024 iterations), while it breaks none it shrinks, within
   * [minHardWeight, maxHardWeight]. 1 = fixed weight.
   */
  hardWeightFactor: number;
  /** The lower bound rises geometrically from minHardWeight to finalHardWeight over the run, so
   * that the end of the search is pushed firmly into feasible rosters. */
  minHardWeight: number;
  finalHardWeight: number;
  maxHardWeight: number;
  mediumWeight: number;
  startTemperature: number;
  endTemperature: number;
  /** Cooling restarts from startTemperature this many times over the run (from the best roster). */
  cycles: number;
  maxBlock: number;
  /** Temperature of the repair phase, in hard points (0.1: a move adding one hard point is
   * almost never accepted; moves that keep the hard score are). */
  repairTemperature: number;
  /** The repair phase ends at this fraction of the run even when hard rules are still broken. */
  maxRepairFraction: number;
  /** Cumulative probabilities of: change, one-day swap, block swap, day exchange, weekend swap
   * (rest: block set). */
  moveMix: [number, number, number, number, number];
  /** Rough share of the search's effort spent, on horizons of eight weeks or more, re-planning a
   * window of one employee's days by dynamic programming (windowReplan.ts) instead of drawing
   * from moveMix. One re-plan costs as
   * much as tens to thousands of simple moves depending on the problem, so the share of
   * iterations that re-plan follows the planner's measured work (deterministic: counted, not
   * timed). Shorter horizons use less, down to 40 % of it at four weeks or less: there the simple
   * moves reach every part of a row quickly, while on long horizons with tight contracts only
   * re-plans move work around (bench/RESULTS.md, roster run 5). 0 turns re-planning off. */
  replanEffort: number;
  /** Length of that window in days at the start; the search shortens it (not below
   * MIN_REPLAN_DAYS) where plans turn out expensive. */
  replanDays: number;
  /** Share of re-plans that re-plan two employees' windows together. */
  replanPairShare: number;
  /** Share of re-plans aimed at a half-worked weekend: a pair re-plan of an employee who works
   * one day of a weekend and one who works the other, over a window holding that weekend. */
  replanWeekendShare: number;
  /** Share of the other re-plans aimed at an unmet wish: a pair re-plan of an employee whose day
   * would cost less on another option (a shift-on request not met, a shift-off request broken)
   * and one who holds that option that day (see aimAtUnmetWish). Re-plans not aimed at all (none
   * turned up, the share is below 1, or hard rules are still being repaired: requests are soft)
   * draw their employees uniformly. On Instance13, 1 instead of 0 gave rosters better by 47 on
   * average over 18 one-thread 60 s runs (2.7 %; bench/RESULTS.md, "Instance13 misses requests,
   * not cover"). */
  replanWishShare: number;
  /** Share of the simple moves, once hard rules are repaired, that meet a request not met by
   * swapping two employees' days (wishSwapMove). On Instance13 (one thread, 60 s) 0.05 gave
   * rosters better by about 100 (6 %) in the median than none; 0.1 did no better, 0.02, 0.2 and
   * 0.5 worse (bench/RESULTS.md, "Wish swaps"). */
  wishSwapShare: number;
  /** Share of wish swaps that first try to swap the shortest block of days holding the wished day
   * over which both employees work the same minutes (wishBlockSwap); where there is none, the
   * two-day swap is tried. Swapping a run keeps both rows' runs of work whole where a one-day swap
   * breaks consecutive-day rules (late in a one-thread Instance13 run, 97 % of the one-day wish
   * swaps broke a hard rule). One thread, 60 s, paired runs against none: Instance13 won 4, lost 1
   * of 6 (medians 1 613 / 1 620), Instance18 won 3 of 4 (4 835 / 4 896.5). Blocks drawn uniformly
   * instead of the shortest did better on Instance13 (1 521.5 in the median) but lost all four on
   * Instance18 (bench/RESULTS.md, "Wish block swaps"). */
  wishBlockShare: number;
  /** The longest block a wish block swap may exchange, in days. */
  wishBlockDays: number;
  /** Share of the simple moves, once hard rules are repaired, that put someone on a shift whose
   * cover is short (shortCoverMove). Where demand exceeds what the contracts allow (Instance13)
   * about a dozen of 500 cells stay short, and a change move seldom draws one. One thread, 60 s:
   * Instance13 1 581 in the median (10 runs) and 1 614 (20 runs of a first version) against 1 624
   * (20 runs) without, the worst runs cut most; Instance20 5 123 against 5 181, Instance18 level
   * (6 runs each); 0.1 worse on Instance13 (1 625; bench/RESULTS.md, "Short-cover moves"). */
  shortCoverShare: number;
  /**
   * Where the cover asks for more minutes than the employees may work in total (Instance13), some
   * cover must go unfilled, and capacity a roster wastes is more cover lost. The annealing cost
   * then adds this many soft units per employee whose unused minutes are too few for any shift
   * (RosterScore.stranded) and per weekend day lost to a half-worked weekend
   * (RosterScore.weekendDaysLost). Neither is part of the score. 0 = off.
   */
  capacityGuideWeight: number;
  /** Let re-plans push another employee to a short shift of the same day (windowReplan.ts). */
  replanEjections: boolean;
}

export const DEFAULT_ANNEALING: AnnealingSettings = {
  hardWeight: 100,
  hardWeightFactor: 1.005,
  minHardWeight: 20,
  finalHardWeight: 1000,
  maxHardWeight: 5_000,
  mediumWeight: 1000,
  startTemperature: 15,
  endTemperature: 0.3,
  cycles: 1,
  maxBlock: 7,
  repairTemperature: 0.1,
  maxRepairFraction: 0.9,
  moveMix: [0.25, 0.45, 0.62, 0.77, 0.87],
  replanEffort: 0.5,
  replanDays: 28,
  replanPairShare: 0.5,
  replanWeekendShare: 0.5,
  replanWishShare: 1,
  wishSwapShare: 0.05,
  wishBlockShare: 1,
  wishBlockDays: 28,
  shortCoverShare: 0.05,
  capacityGuideWeight: 3,
  replanEjections: true,
};

const TIME_CHECK_INTERVAL = 1024;
const REPAIR_HARD_WEIGHT = 10_000;
/** The repair phase gives up when the best hard score has not improved for this part of the run. */
const REPAIR_STALL_FRACTION = 0.15;
const MAX_FAILED_DRAWS = 200_000;
/** One simple move costs about as much as this many DP transitions of the window planner. */
const MOVE_WORK = 40;
/** When re-plans average more DP transitions than this, the window shortens (the state space
 * grows with the window's worked minutes: Instance13's 18 shift types of 8-12 hours need ~1.5 M
 * transitions for 28 days, ~20 ms, where a 10-day window needs a fraction of that). */
const MAX_PLAN_WORK = 100_000;
const MIN_REPLAN_DAYS = 7;
/** Random draws an aimed re-plan makes for its employee, weekend and partner. */
const AIM_TRIES = 16;

/** True when the cover's required minutes exceed the sum of every employee's maximum minutes. */
function demandExceedsCapacity(p: CompiledProblem): boolean {
  let capacity = 0;
  for (let e = 0; e < p.employees; e++) {
    if (p.maxMinutes[e]! < 0) return false;
    capacity += p.maxMinutes[e]!;
  }
  let demand = 0;
  for (let cell = 0; cell < p.days * p.shifts; cell++) {
    const duration = p.shiftDuration[cell % p.shifts]!;
    for (let k = p.cellCoverStart[cell]!; k < p.cellCoverStart[cell + 1]!; k++) demand += p.coverRequired[p.cellCoverList[k]!]! * duration;
  }
  return demand > capacity;
}

export function better(a: SearchScore, b: SearchScore): boolean {
  if (a.hard !== b.hard) return a.hard < b.hard;
  if (a.medium !== b.medium) return a.medium < b.medium;
  return a.soft < b.soft;
}

export class RosterSearch {
  readonly state: RosterScore;
  readonly best: Int16Array;
  readonly bestScore: SearchScore;
  moves = 0;
  iterations = 0;
  accepted = 0;
  private readonly p: CompiledProblem;
  private readonly random: Random;
  private readonly settings: AnnealingSettings;
  private readonly allowed: Uint8Array;
  private readonly undoCell: Int32Array;
  private readonly undoValue: Int16Array;
  private undoCount = 0;
  /** Cells of other employees that a re-plan's ejections changed: undone first, through windows. */
  private readonly ejectedCell: Int32Array;
  private readonly ejectedFrom: Int16Array;
  private ejectedCount = 0;
  private readonly movable: Int32Array; // employees with at least one unpinned cell
  private temperature: number;
  /** First phase: drive hard violations to zero before annealing the full score. */
  private repairing = true;
  private repairEndedAt = 0;
  private progressNow = 0;
  private hardImprovedAt = 0;
  /** First day of each weekend in the period, by weekend index (its length: p.weekendLength). */
  private readonly weekendStart: Int32Array;
  private hardWeight: number;
  /** capacityGuideWeight where the problem is short of capacity, else 0. */
  private readonly guideWeight: number;
  private readonly planner: WindowPlanner;
  private readonly planWeights: CostWeights = { hard: 0, medium: 0 };
  /** Running mean of the planner's work per re-plan, and the resulting re-plan probability. */
  private planWork = 5_000;
  private replanProbability: number;
  private replanDays: number;
  private readonly replanEffort: number;
  /** The employees and first day of an aimed re-plan (see aimAtHalfWeekend). */
  private aimedEmployee = -1;
  private aimedPartner = -1;
  private aimedLo = 0;
  /** The day of the unmet wish that aimAtUnmetWish found. */
  private aimedDay = 0;
  /** Scratch of wishBlockSwap: running minutes balance over the days it may exchange. */
  private readonly blockBalance: Int32Array;
  /** The cover requirements short of their headcount when last listed (see listShortCover). */
  private readonly shortCover: Int32Array;
  private shortCount = 0;

  constructor(p: CompiledProblem, seed: number, initial: Int16Array, settings: AnnealingSettings = DEFAULT_ANNEALING) {
    this.p = p;
    this.random = new Random(seed);
    this.settings = settings;
    this.state = new RosterScore(p, initial);
    this.best = Int16Array.from(this.state.a);
    this.bestScore = { hard: this.state.hard, medium: this.state.medium, soft: this.state.soft };
    const S1 = p.shifts + 1;
    this.allowed = new Uint8Array(p.employees * p.days * S1);
    for (let cell = 0; cell < p.employees * p.days; cell++) {
      if (p.pinned[cell] === 1) continue;
      for (let k = p.optionStart[cell]!; k < p.optionStart[cell + 1]!; k++) this.allowed[cell * S1 + p.optionList[k]! + 1] = 1;
    }
    // A block swap logs two blocks; a pair re-plan empties one window and fills two.
    const maxCells = Math.max(2 * Math.max(settings.maxBlock, 1) + 2, 3 * settings.replanDays);
    this.planner = new WindowPlanner(p, Math.max(1, settings.replanDays));
    this.replanDays = settings.replanDays;
    this.replanEffort = settings.replanEffort * Math.min(1, Math.max(0.4, p.days / 56));
    this.replanProbability = this.replanChance();
    this.undoCell = new Int32Array(maxCells);
    this.undoValue = new Int16Array(maxCells);
    this.ejectedCell = new Int32Array(2 * Math.max(1, settings.replanDays));
    this.ejectedFrom = new Int16Array(this.ejectedCell.length);
    const movable: number[] = [];
    for (let e = 0; e < p.employees; e++) {
      let free = false;
      for (let d = 0; d < p.days && !free; d++) free = p.pinned[e * p.days + d] === 0;
      if (free) movable.push(e);
    }
    this.movable = Int32Array.from(movable);
    this.temperature = settings.startTemperature;
    this.hardWeight = settings.hardWeight;
    this.guideWeight = demandExceedsCapacity(p) ? settings.capacityGuideWeight : 0;
    const starts: number[] = [];
    for (let d = 0; d < p.days; d++) {
      const w = p.weekendOf[d]!;
      if (w >= 0 && (d === 0 || p.weekendOf[d - 1] !== w)) starts.push(d);
    }
    this.weekendStart = Int32Array.from(starts);
    this.shortCover = new Int32Array(p.coverRequired.length);
    this.blockBalance = new Int32Array(2 * Math.max(1, settings.wishBlockDays));
  }

  get evaluations(): number {
    return this.state.evaluations;
  }

  /** Replaces the current roster (e.g. with a better one found by another thread). */
  adopt(roster: Int16Array): void {
    this.state.a.set(roster);
    this.state.recomputeAll();
    this.noteBest();
  }

  private cost(): number {
    const s = this.state;
    return s.hard * this.hardWeight + s.medium * this.settings.mediumWeight + s.soft + (s.stranded + s.weekendDaysLost) * this.guideWeight;
  }

  private noteBest(): boolean {
    const s = this.state;
    if (!better(s, this.bestScore)) return false;
    if (s.hard < this.bestScore.hard) this.hardImprovedAt = this.progressNow;
    this.best.set(s.a);
    this.bestScore.hard = s.hard;
    this.bestScore.medium = s.medium;
    this.bestScore.soft = s.soft;
    return true;
  }

  /**
   * Runs until a limit is hit. `progress()` returns how far along the whole solve is (0..1), which
   * drives the cooling; `onImprove` is called with each new best.
   */
  run(limits: SearchLimits, progress: () => number, onImprove?: (best: SearchScore) => void): StopReason {
    const p = this.p;
    if (this.movable.length === 0 || p.days === 0) return 'noMoves';
    let failedDraws = 0;
    const { startTemperature, endTemperature, cycles } = this.settings;
    const ratio = endTemperature / startTemperature;
    let lastImprovement = performance.now();
    let currentCost = this.cost();
    const budget = limits.moveBudget ?? Infinity;
    for (;;) {
      if (this.moves >= budget) return 'moveBudget';
      if ((this.iterations & (TIME_CHECK_INTERVAL - 1)) === 0) {
        const now = performance.now();
        if (limits.signal?.aborted === true) return 'cancelled';
        if (limits.deadline !== undefined && now >= limits.deadline) return 'timeLimit';
        if (limits.unimprovedMs !== undefined && now - lastImprovement >= limits.unimprovedMs) return 'unimproved';
        if (limits.targetScore !== undefined && !better(limits.targetScore, this.bestScore)) return 'target';
        const overall = Math.min(1, Math.max(0, progress()));
        this.progressNow = overall;
        const repairStalled = overall - this.hardImprovedAt >= REPAIR_STALL_FRACTION;
        if (this.repairing && (this.bestScore.hard === 0 || repairStalled || overall >= this.settings.maxRepairFraction)) {
          // Feasible, stalled (pins may force violations no move can repair) or out of repair
          // time: anneal the full score from here on.
          this.repairing = false;
          this.repairEndedAt = overall;
          this.hardWeight = this.settings.hardWeight;
          this.adopt(this.best);
        }
        if (this.repairing) {
          // Repair: a fixed temperature in hard units; soft only breaks ties.
          this.hardWeight = REPAIR_HARD_WEIGHT;
          this.temperature = this.settings.repairTemperature * REPAIR_HARD_WEIGHT;
        } else {
          const phase = this.repairEndedAt >= 1 ? 1 : (overall - this.repairEndedAt) / (1 - this.repairEndedAt);
          const cyclePosition = (phase * cycles) % 1;
          const cycleIndex = Math.floor(phase * cycles);
          if (cycleIndex > 0 && cyclePosition < this.lastCyclePosition && cycleIndex < cycles) {
            // A new cooling cycle starts from the best roster found so far.
            this.adopt(this.best);
          }
          this.lastCyclePosition = cyclePosition;
          this.temperature = startTemperature * Math.pow(ratio, cyclePosition);
          if (this.settings.hardWeightFactor !== 1) {
            const { hardWeightFactor, minHardWeight, finalHardWeight, maxHardWeight } = this.settings;
            const floor = minHardWeight * Math.pow(finalHardWeight / minHardWeight, Math.min(1, phase / 0.6));
            this.hardWeight = this.state.hard > 0 ? Math.min(maxHardWeight, this.hardWeight * hardWeightFactor) : this.hardWeight / hardWeightFactor;
            this.hardWeight = Math.max(floor, this.hardWeight);
          }
        }
        currentCost = this.cost();
        if (this.settings.shortCoverShare > 0 && !this.repairing) this.listShortCover();
      }
      this.iterations++;
      if (!this.proposeMove()) {
        if (++failedDraws >= MAX_FAILED_DRAWS) return 'noMoves';
        continue;
      }
      failedDraws = 0;
      this.moves++;
      const newCost = this.cost();
      const delta = newCost - currentCost;
      if (delta <= 0 || this.random.next() < Math.exp(-delta / this.temperature)) {
        currentCost = newCost;
        this.accepted++;
        if (delta < 0 && this.noteBest()) {
          lastImprovement = performance.now();
          onImprove?.(this.bestScore);
        }
      } else {
        this.undo();
      }
    }
  }

  private lastCyclePosition = 0;

  // --- moves -------------------------------------------------------------------------------

  // Touched employees of the current move and their row results before it.
  private e1 = -1;
  private e2 = -1;
  private h1 = 0;
  private s1 = 0;
  private m1 = 0;
  private h2 = 0;
  private s2 = 0;
  private m2 = 0;

  /** Applies a random move; false when the drawn move was not possible (nothing changed). */
  private proposeMove(): boolean {
    if (this.replanProbability > 0 && this.random.next() < this.replanProbability) return this.replanMove();
    const { wishSwapShare, shortCoverShare } = this.settings;
    if (wishSwapShare > 0 && !this.repairing && this.random.next() < wishSwapShare) return this.wishSwapMove();
    if (shortCoverShare > 0 && !this.repairing && this.random.next() < shortCoverShare) return this.shortCoverMove();
    const r = this.random.next();
    const mix = this.settings.moveMix;
    if (r < mix[0]) return this.changeMove();
    if (r < mix[1]) return this.swapMove(1);
    if (r < mix[2]) return this.swapMove(2 + this.random.int(this.settings.maxBlock - 1));
    if (r < mix[3]) return this.dayExchangeMove();
    if (r < mix[4]) return this.weekendSwapMove();
    return this.blockSetMove(2 + this.random.int(this.settings.maxBlock - 1));
  }

  /**
   * Meets a wish by swapping two employees' days: first a whole block holding the wished day
   * (wishBlockSwap, in a share `wishBlockShare`); where there is none, the employee takes the
   * partner's option on the wished day (see aimAtUnmetWish) and, where that changes their minutes,
   * they also swap a second day, drawn among those whose options differ in length by the same
   * amount the other way, so that cover and both employees' minutes stay as they were. Where every
   * employee works close to the maximum (Instance13) a one-day swap breaks a minutes rule and is
   * rejected, and the two days are seldom drawn together by chance.
   */
  private wishSwapMove(): boolean {
    if (!this.aimAtUnmetWish(1)) return false;
    const p = this.p;
    const D = p.days;
    const a = this.state.a;
    const e1 = this.aimedEmployee;
    const e2 = this.aimedPartner;
    const d = this.aimedDay;
    const x = a[e1 * D + d]!;
    const y = a[e2 * D + d]!;
    // The wish is one of e1's allowed options; whether e2 may take e1's is still to be checked.
    if (!this.isAllowed(e2, d, x)) return false;
    const { wishBlockShare } = this.settings;
    if (wishBlockShare > 0 && this.random.next() < wishBlockShare && this.wishBlockSwap(e1, e2, d)) return true;
    const gain = this.minutesOf(y) - this.minutesOf(x);
    let second = -1;
    if (gain !== 0) {
      let found = 0;
      for (let d2 = 0; d2 < D; d2++) {
        const x2 = a[e1 * D + d2]!;
        const y2 = a[e2 * D + d2]!;
        if (d2 === d || x2 === y2 || this.minutesOf(y2) - this.minutesOf(x2) !== -gain) continue;
        if (this.isAllowed(e1, d2, y2) && this.isAllowed(e2, d2, x2) && this.random.int(++found) === 0) second = d2;
      }
      if (found === 0) return false;
    }
    this.begin(e1, e2);
    this.swapDay(e1, e2, d);
    if (second >= 0) this.swapDay(e1, e2, second);
    return true;
  }

  /**
   * Swaps between e1 and e2 the shortest block of days holding day d over which both work the same
   * minutes (at most `wishBlockDays` long; uniformly among the shortest); false when there is none.
   * Cover and both employees' minutes stay as they were, and so do both rows' runs inside the
   * block. The shortest, because a longer one also exchanges days neither row needed changed.
   */
  private wishBlockSwap(e1: number, e2: number, d: number): boolean {
    const D = this.p.days;
    const a = this.state.a;
    const longest = this.settings.wishBlockDays;
    // The block cannot reach past a day the two may not exchange.
    let lo = d;
    while (lo > 0 && d - lo + 1 < longest && this.exchangeable(e1, e2, lo - 1)) lo--;
    let hi = d;
    while (hi < D - 1 && hi - d + 1 < longest && this.exchangeable(e1, e2, hi + 1)) hi++;
    // balance[i]: what e2 works over days [lo, lo + i) less what e1 works.
    const balance = this.blockBalance;
    balance[0] = 0;
    for (let day = lo; day <= hi; day++) balance[day - lo + 1] = balance[day - lo]! + this.minutesOf(a[e2 * D + day]!) - this.minutesOf(a[e1 * D + day]!);
    const most = Math.min(longest, hi - lo + 1);
    for (let length = 1; length <= most; length++) {
      let start = -1;
      let found = 0;
      for (let from = Math.max(lo, d - length + 1); from <= d && from + length - 1 <= hi; from++) {
        if (balance[from + length - lo] === balance[from - lo] && this.random.int(++found) === 0) start = from;
      }
      if (found === 0) continue;
      this.begin(e1, e2);
      this.swapBlock(e1, e2, start, length);
      return true;
    }
    return false;
  }

  /** Whether e1 and e2 may exchange their options on day d (also when the options are equal). */
  private exchangeable(e1: number, e2: number, d: number): boolean {
    const D = this.p.days;
    const x = this.state.a[e1 * D + d]!;
    const y = this.state.a[e2 * D + d]!;
    return x === y || (this.isAllowed(e1, d, y) && this.isAllowed(e2, d, x));
  }

  /**
   * Puts an employee on a (day, shift) whose cover is short, keeping their minutes: one who works
   * a shift of the same length that day changes to it; one who is off that day takes it and gives
   * up another day on which they work a shift of that length. Cover elsewhere may fall short in
   * turn; the annealing weighs it.
   */
  private shortCoverMove(): boolean {
    if (this.shortCount === 0) return false;
    const p = this.p;
    const D = p.days;
    const a = this.state.a;
    const i = this.shortCover[this.random.int(this.shortCount)]!;
    // The list is up to 1 024 iterations old, and a roster adopted since is listed only at the
    // next check: this requirement may be met by now.
    if (this.state.coverCount[i]! >= p.coverRequired[i]!) return false;
    const d = Math.floor(p.coverCell[i]! / p.shifts);
    const s = p.coverCell[i]! % p.shifts;
    const minutes = this.minutesOf(s);
    const skill = p.coverSkill[i]!;
    for (let draw = 0; draw < AIM_TRIES; draw++) {
      const e = this.movable[this.random.int(this.movable.length)]!;
      const current = a[e * D + d]!;
      // Only an employee with the requirement's skill (if it names one) counts towards it.
      if (current === s || !this.isAllowed(e, d, s) || (skill >= 0 && p.employeeHasSkill[e * p.skillCount + skill] === 0)) continue;
      if (current !== OFF) {
        if (this.minutesOf(current) !== minutes) continue;
        this.begin(e, -1);
        this.setDay(e, d, s);
        return true;
      }
      let given = -1;
      let found = 0;
      for (let d2 = 0; d2 < D; d2++) {
        const other = a[e * D + d2]!;
        if (d2 !== d && other !== OFF && this.minutesOf(other) === minutes && this.isAllowed(e, d2, OFF) && this.random.int(++found) === 0) given = d2;
      }
      if (given < 0) continue;
      this.begin(e, -1);
      this.setDay(e, d, s);
      this.setDay(e, given, OFF);
      return true;
    }
    return false;
  }

  /** Lists the cover requirements short of their headcount (refreshed with each time check). */
  private listShortCover(): void {
    const { coverCount } = this.state;
    const required = this.p.coverRequired;
    this.shortCount = 0;
    for (let i = 0; i < required.length; i++) if (coverCount[i]! < required[i]!) this.shortCover[this.shortCount++] = i;
  }

  private minutesOf(s: number): number {
    return s === OFF ? 0 : this.p.shiftDuration[s]!;
  }

  /** Exchanges two employees' options on day d, each re-scored in a one-day window. */
  private swapDay(e1: number, e2: number, d: number): void {
    const a = this.state.a;
    const D = this.p.days;
    const x = a[e1 * D + d]!;
    const y = a[e2 * D + d]!;
    this.setDay(e1, d, y);
    this.setDay(e2, d, x);
  }

  /** Sets one day of employee e, re-scored in a one-day window and logged for undo. */
  private setDay(e: number, d: number, s: number): void {
    this.state.openWindow(e, d, d);
    this.set(e, d, s);
    this.state.closeWindow();
  }

  private isAllowed(e: number, d: number, s: number): boolean {
    return this.allowed[(e * this.p.days + d) * (this.p.shifts + 1) + s + 1] === 1;
  }

  private begin(e1: number, e2: number): void {
    const st = this.state;
    this.undoCount = 0;
    this.ejectedCount = 0;
    this.e1 = e1;
    this.h1 = st.employeeHard[e1]!;
    this.s1 = st.employeeSoft[e1]!;
    this.m1 = st.employeeMinutes[e1]!;
    this.e2 = e2;
    if (e2 >= 0) {
      this.h2 = st.employeeHard[e2]!;
      this.s2 = st.employeeSoft[e2]!;
      this.m2 = st.employeeMinutes[e2]!;
    }
  }

  private set(e: number, d: number, s: number): void {
    const cell = e * this.p.days + d;
    this.undoCell[this.undoCount] = cell;
    this.undoValue[this.undoCount] = this.state.a[cell]!;
    this.undoCount++;
    this.state.setCell(e, d, s);
  }

  private undo(): void {
    const D = this.p.days;
    for (let i = this.ejectedCount - 1; i >= 0; i--) {
      const cell = this.ejectedCell[i]!;
      this.state.setDayScored((cell / D) | 0, cell % D, this.ejectedFrom[i]!);
    }
    for (let i = this.undoCount - 1; i >= 0; i--) {
      const cell = this.undoCell[i]!;
      this.state.setCell((cell / D) | 0, cell % D, this.undoValue[i]!);
    }
    this.state.restoreEmployee(this.e1, this.h1, this.s1, this.m1);
    if (this.e2 >= 0) this.state.restoreEmployee(this.e2, this.h2, this.s2, this.m2);
  }

  private changeMove(): boolean {
    const p = this.p;
    const e = this.movable[this.random.int(this.movable.length)]!;
    const d = this.random.int(p.days);
    const cell = e * p.days + d;
    if (p.pinned[cell] === 1) return false;
    const from = p.optionStart[cell]!;
    const count = p.optionStart[cell + 1]! - from;
    if (count < 2) return false;
    const current = this.state.a[cell]!;
    let k = this.random.int(count);
    if (p.optionList[from + k] === current) k = (k + 1 + this.random.int(count - 1)) % count;
    const s = p.optionList[from + k]!;
    this.begin(e, -1);
    this.setDay(e, d, s);
    return true;
  }

  /** A movable employee other than e, uniformly (needs at least two movable employees). */
  private otherMovable(e: number): number {
    const other = this.movable[this.random.int(this.movable.length - 1)]!;
    return other === e ? this.movable[this.movable.length - 1]! : other;
  }

  /** Two employees exchange a whole weekend: the move that repairs too many weekends worked. */
  private weekendSwapMove(): boolean {
    if (this.weekendStart.length === 0) return false;
    const w = this.random.int(this.weekendStart.length);
    return this.swapMove(this.p.weekendLength[w]!, this.weekendStart[w]!);
  }

  private swapMove(length: number, fixedStart = -1): boolean {
    const p = this.p;
    if (this.movable.length < 2) return false;
    const e1 = this.movable[this.random.int(this.movable.length)]!;
    const e2 = this.otherMovable(e1);
    if (length > p.days) length = p.days;
    const start = fixedStart >= 0 ? fixedStart : this.random.int(p.days - length + 1);
    const a = this.state.a;
    let differs = false;
    for (let d = start; d < start + length; d++) {
      const x = a[e1 * p.days + d]!;
      const y = a[e2 * p.days + d]!;
      if (x === y) continue;
      if (!this.isAllowed(e1, d, y) || !this.isAllowed(e2, d, x)) return false;
      differs = true;
    }
    if (!differs) return false;
    this.begin(e1, e2);
    this.swapBlock(e1, e2, start, length);
    return true;
  }

  /** Exchanges e1's and e2's options on days [start, start + length), logged for undo. */
  private swapBlock(e1: number, e2: number, start: number, length: number): void {
    const p = this.p;
    const a = this.state.a;
    const st = this.state;
    st.openWindow(e1, start, start + length - 1);
    for (let d = start; d < start + length; d++) {
      const y = a[e2 * p.days + d]!;
      if (a[e1 * p.days + d] !== y) this.set(e1, d, y);
    }
    st.closeWindow();
    // The undo log now holds exactly e1's previous values on the days that differed.
    const changed = this.undoCount;
    st.openWindow(e2, start, start + length - 1);
    for (let i = 0; i < changed; i++) this.set(e2, this.undoCell[i]! - e1 * p.days, this.undoValue[i]!);
    st.closeWindow();
  }

  /** One employee works day d2's shift on day d1 and vice versa: moves work without changing totals. */
  private dayExchangeMove(): boolean {
    const p = this.p;
    if (p.days < 2) return false;
    const e = this.movable[this.random.int(this.movable.length)]!;
    const d1 = this.random.int(p.days);
    let d2 = this.random.int(p.days - 1);
    if (d2 >= d1) d2++;
    const a = this.state.a;
    const x = a[e * p.days + d1]!;
    const y = a[e * p.days + d2]!;
    if (x === y || !this.isAllowed(e, d1, y) || !this.isAllowed(e, d2, x)) return false;
    this.begin(e, -1);
    // Two one-day windows: cheaper than one window spanning the days between them.
    this.setDay(e, d1, y);
    this.setDay(e, d2, x);
    return true;
  }

  /** Probability that an iteration re-plans: `replanEffort` of the work, at most one in 20
   * iterations so that cheap plans on small problems leave room for the simple moves. */
  private replanChance(): number {
    const effort = this.replanEffort;
    if (effort <= 0 || this.settings.replanDays <= 0) return 0;
    return Math.min(0.05, (effort * MOVE_WORK) / Math.max(1, this.planWork * (1 - Math.min(effort, 0.95))));
  }

  /**
   * One employee's days [lo, lo + replanDays) re-planned as a whole (see windowReplan.ts). In a
   * share `replanPairShare` of re-plans, a second employee's window is emptied first and re-planned
   * after: the pair can then hand work to each other, which a single re-plan never does (it would
   * leave cover short). A share `replanWeekendShare` first tries to aim a pair at a half-worked
   * weekend (aimAtHalfWeekend), and a share `replanWishShare` of the rest at a request not met
   * (aimAtUnmetWish).
   */
  private replanMove(): boolean {
    const p = this.p;
    const length = Math.min(p.days, this.replanDays);
    let lo: number;
    let e1: number;
    let e2 = -1;
    const { replanWeekendShare, replanWishShare } = this.settings;
    const aimed =
      (this.random.next() < replanWeekendShare && this.aimAtHalfWeekend(length)) ||
      (!this.repairing && replanWishShare > 0 && this.random.next() < replanWishShare && this.aimAtUnmetWish(length));
    if (aimed) {
      lo = this.aimedLo;
      e1 = this.aimedEmployee;
      e2 = this.aimedPartner;
    } else {
      lo = this.random.int(p.days - length + 1);
      e1 = this.movable[this.random.int(this.movable.length)]!;
      if (this.movable.length > 1 && this.random.next() < this.settings.replanPairShare) e2 = this.otherMovable(e1);
    }
    const hi = lo + length - 1;
    // Planned with the final hard weight even while the annealing cost tolerates broken rules: a
    // plan that trades a hard rule for cover locks the row into a shape (e.g. an exact shift count)
    // that the small moves cannot repair later.
    this.planWeights.hard = Math.max(this.hardWeight, this.settings.finalHardWeight);
    this.planWeights.medium = this.settings.mediumWeight;
    this.begin(e1, e2);
    if (e2 >= 0) this.setWindow(e2, lo, hi, undefined);
    this.planWindow(e1, lo, hi);
    if (e2 >= 0) this.planWindow(e2, lo, hi);
    // Every changed cell is in the undo logs: empty logs mean the move changed nothing.
    return this.undoCount > 0 || this.ejectedCount > 0;
  }

  /**
   * Draws an employee who works one day of a two-day weekend and a partner who works the other
   * day, and a window of `length` days holding that weekend; false when none turned up in a few
   * draws. A half-worked weekend uses up one of the employee's allowed weekends for one day of
   * cover; where weekend demand exceeds what the allowed weekends can give (Instance13, 16, 18
   * and 20), every such weekend leaves a weekend cell short. The pair re-plan can hand the
   * partner's day to the employee and pay the partner back on other days, which a uniform draw
   * of the pair seldom tries.
   */
  private aimAtHalfWeekend(length: number): boolean {
    const p = this.p;
    const a = this.state.a;
    const D = p.days;
    const weekends = this.weekendStart.length;
    if (weekends === 0 || length < 2 || this.movable.length < 2) return false;
    for (let draw = 0; draw < AIM_TRIES; draw++) {
      const e1 = this.movable[this.random.int(this.movable.length)]!;
      const w = this.random.int(weekends);
      if (p.weekendLength[w] !== 2) continue;
      const first = this.weekendStart[w]!;
      const firstWorked = a[e1 * D + first] !== OFF;
      if (firstWorked === (a[e1 * D + first + 1] !== OFF)) continue;
      const missing = firstWorked ? first + 1 : first;
      for (let pick = 0; pick < AIM_TRIES; pick++) {
        const e2 = this.movable[this.random.int(this.movable.length)]!;
        if (e2 === e1 || a[e2 * D + missing] === OFF) continue;
        this.aimedEmployee = e1;
        this.aimedPartner = e2;
        this.aimedLo = Math.max(0, Math.min(D - length, first - this.random.int(length - 1)));
        return true;
      }
    }
    return false;
  }

  /**
   * Draws a day whose employee would pay less on another option (its cheapest allowed one), and a
   * partner who holds that option's shift that day — or, where the cheaper option is a day off,
   * a partner off that day who may take the employee's shift — and a window of `length` days
   * holding that day; false when none turned up in a few draws. Where every employee works close
   * to the maximum (Instance13), meeting a request takes a shift from one person and pays them
   * back on other days, which only a pair re-plan of the right two does; a uniform draw of the
   * pair seldom picks them.
   */
  private aimAtUnmetWish(length: number): boolean {
    const p = this.p;
    const a = this.state.a;
    const D = p.days;
    const S1 = p.shifts + 1;
    const E = this.movable.length;
    if (E < 2) return false;
    for (let draw = 0; draw < AIM_TRIES; draw++) {
      const e1 = this.movable[this.random.int(E)]!;
      const d = this.random.int(D);
      const cell = e1 * D + d;
      const current = a[cell]!;
      let wish = current;
      let cheapest = p.daySoft[cell * S1 + current + 1]!;
      for (let k = p.optionStart[cell]!; k < p.optionStart[cell + 1]!; k++) {
        const s = p.optionList[k]!;
        if (this.allowed[cell * S1 + s + 1] === 1 && p.daySoft[cell * S1 + s + 1]! < cheapest) [wish, cheapest] = [s, p.daySoft[cell * S1 + s + 1]!];
      }
      if (wish === current) continue;
      const from = this.random.int(E);
      for (let i = 0; i < E; i++) {
        const e2 = this.movable[(from + i) % E]!;
        const held = a[e2 * D + d]!;
        // A partner pinned that day cannot hand its shift over (nor take the employee's).
        if (e2 === e1 || held !== wish || p.pinned[e2 * D + d] === 1 || (wish === OFF && this.allowed[(e2 * D + d) * S1 + current + 1] !== 1)) continue;
        this.aimedEmployee = e1;
        this.aimedPartner = e2;
        this.aimedDay = d;
        this.aimedLo = Math.max(0, Math.min(D - length, d - this.random.int(length)));
        return true;
      }
    }
    return false;
  }

  /** Plans employee e's window and applies the plan (if it changes anything). */
  private planWindow(e: number, lo: number, hi: number): void {
    const ejections = this.settings.replanEjections;
    const planned = this.planner.plan(this.state, e, lo, hi, this.planWeights, ejections);
    // Pricing an ejection re-scores a worker's day and undoes it; counted as two simple moves (as
    // one, re-plans ran more often and did no better: bench/RESULTS.md, cheaper ejection pricing).
    const work = this.planner.work + this.planner.ejectionsPriced * 2 * MOVE_WORK;
    this.planWork += (work - this.planWork) * 0.05;
    if (this.planWork > MAX_PLAN_WORK && this.replanDays > MIN_REPLAN_DAYS) {
      // A shorter window: fewer days and fewer worked minutes to track, so much less work.
      this.replanDays = Math.max(MIN_REPLAN_DAYS, Math.floor(this.replanDays * 0.8));
      this.planWork *= 0.5;
    }
    this.replanProbability = this.replanChance();
    if (!planned) return;
    this.setWindow(e, lo, hi, this.planner.result);
    if (ejections) this.applyEjections(lo, hi);
  }

  /** Moves the workers the last plan pushed to a short shift of the same day (still in place). */
  private applyEjections(lo: number, hi: number): void {
    const p = this.p;
    const a = this.state.a;
    for (let d = lo; d <= hi; d++) {
      const s = this.planner.result[d - lo]!;
      if (s === OFF) continue;
      const y = this.planner.ejectedEmployee(d - lo, s);
      if (y < 0) continue;
      const cell = y * p.days + d;
      const to = this.planner.ejectedShift(d - lo, s);
      if (a[cell] !== s || !this.isAllowed(y, d, to) || this.ejectedCount === this.ejectedCell.length) continue;
      this.ejectedCell[this.ejectedCount] = cell;
      this.ejectedFrom[this.ejectedCount] = s;
      this.ejectedCount++;
      this.state.setDayScored(y, d, to);
    }
  }

  /** Sets employee e's days [lo, hi] to `values` (undefined: OFF on every unpinned day), logged for undo. */
  private setWindow(e: number, lo: number, hi: number, values: Int16Array | undefined): void {
    const p = this.p;
    const a = this.state.a;
    this.state.openWindow(e, lo, hi);
    for (let d = lo; d <= hi; d++) {
      const cell = e * p.days + d;
      const s = values === undefined ? (p.pinned[cell] === 1 ? a[cell]! : OFF) : values[d - lo]!;
      if (a[cell] !== s) this.set(e, d, s);
    }
    this.state.closeWindow();
  }

  private blockSetMove(length: number): boolean {
    const p = this.p;
    const e = this.movable[this.random.int(this.movable.length)]!;
    if (length > p.days) length = p.days;
    const start = this.random.int(p.days - length + 1);
    // Half the time remove work (OFF), otherwise fill with one shift type allowed on the first day.
    let s = OFF;
    if (this.random.next() < 0.5) {
      const cell = e * p.days + start;
      const from = p.optionStart[cell]!;
      const count = p.optionStart[cell + 1]! - from;
      if (count < 2) return false;
      s = p.optionList[from + 1 + this.random.int(count - 1)]!;
    }
    const a = this.state.a;
    let differs = false;
    for (let d = start; d < start + length; d++) {
      if (a[e * p.days + d] === s) continue;
      if (!this.isAllowed(e, d, s)) return false;
      differs = true;
    }
    if (!differs) return false;
    this.begin(e, -1);
    this.state.openWindow(e, start, start + length - 1);
    for (let d = start; d < start + length; d++) if (a[e * p.days + d] !== s) this.set(e, d, s);
    this.state.closeWindow();
    return true;
  }
}
