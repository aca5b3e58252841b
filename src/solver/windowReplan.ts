// Re-plans a window of consecutive days of one employee by dynamic programming: the best sequence
// of shifts and days off for those days, given everyone else's roster and the employee's own days
// outside the window. It is what a planner does by hand ("give her the under-staffed lates this
// week, keep her hours and her days off right"), and what random one-cell moves rarely find when
// the contract is tight: on the long Curtois instances every employee must work an exact number of
// shifts, so any single added or removed shift breaks a hard rule, while a window re-plan can move
// work around inside the window and keep the total.
//
// The DP state after each day is (that day's option, length of the current run of work or days
// off, worked minutes in the window, weekends started in the window). Its cost is the change the
// plan makes to the score, folded with the search's current hard and medium weights:
//   - cell terms (requests, unavailability) and the cover the employee adds on each (day, shift),
//     with everyone else's cover as it is;
//   - successions, minimum rest and overlap between consecutive days, including the days just
//     outside the window;
//   - maximum and minimum consecutive work days and minimum consecutive days off, for runs inside
//     the window and those that join the runs just outside it;
//   - minimum and maximum worked minutes and maximum weekends, with the employee's totals outside
//     the window (minutes exactly when every shift lasts whole hours, as the rules count hours).
// What it only approximates — maximum shifts per type, fairness, rest rules that reach past the
// next day, minutes of shifts that are not whole hours, ejections (below) priced one day at a
// time — is scored exactly when the search applies the plan (a proposal, not a verdict: the
// search re-scores it with RosterScore and accepts it by its usual rule). The typed-array buffers
// are reused across calls; they grow with the largest state space seen, which MAX_TABLE bounds.
//
// With ejections, a shift the employee would take where it is already fully staffed may instead
// push one of its workers to a shift of the same day that is short (when that worker's own row
// allows it): the cell then keeps its count and the short one gains a head. The planner prices that
// with the worker's real score change and records who moves where (`ejectedEmployee`,
// `ejectedShift`), for the search to apply with the plan. It is the step a planner takes by hand
// when the short shift is one the employee cannot work ("you take Sunday's late, Ann moves to the
// early") and what lets a half-worked weekend be completed when only the other shift types are
// short.
//
// Shift types that behave alike in every sequence rule (same duration, start, forbidden
// successions in and out) share one DP option: per day only the cheapest of them can be part of
// a best plan. On Instance13 this turns 18 shift types into a handful of options.
import type { CompiledProblem } from './compiledProblem.js';
import { OFF, RULE, ruleCount } from './compiledProblem.js';
import type { RosterScore } from './rosterScore.js';

const R = ruleCount();

/** Most back-pointers (window days × DP states) one plan may need; beyond it the planner declines
 * the window (32 MB of Int32). The search then shortens its windows (it sees the work reported). */
const MAX_TABLE = 8_000_000;

/** The search's current conversion of hard and medium points into annealing cost. */
export interface CostWeights {
  hard: number;
  medium: number;
}

export class WindowPlanner {
  private readonly p: CompiledProblem;
  /** Greatest common divisor of the shift durations: the unit of the minutes dimension. */
  private readonly minuteUnit: number;
  /** Shift types grouped by their sequence behaviour (see above); option k > 0 is class k - 1. */
  private readonly classOf: Int32Array;
  private readonly classShift: Int32Array; // a representative shift of each class
  private readonly classUnits: Int32Array; // its duration in minute units
  private readonly options: number; // classes + 1 (OFF)
  private readonly typeCount: Int32Array;
  private readonly transition: Float64Array;
  // Per-call tables, grown on demand.
  private optionCost = new Float64Array(0); // (day in window) * options + option
  private optionShift = new Int16Array(0); // the shift the option stands for on that day
  private cost = new Float64Array(0);
  private next = new Float64Array(0);
  private active = new Int32Array(0);
  private nextActive = new Int32Array(0);
  private from = new Int32Array(0); // (day in window) * states + state → previous state
  private shortWork = new Float64Array(0);
  private shortOff = new Float64Array(0);
  /** The plan of the last successful `plan` call, one shift (or OFF) per window day. */
  readonly result: Int16Array;
  /** DP transitions tried by the last call: its cost, counted (deterministic, unlike time). */
  work = 0;
  /** Ejections the last call priced on the roster (each re-scores a worker's day, then undoes it). */
  ejectionsPriced = 0;
  /** Per (window day, shift) of the last plan with ejections: the employee the plan assumes moves
   * from that shift to `ejectedShift` on the same day, or -1. */
  private ejected = new Int32Array(0);
  private ejectedTo = new Int16Array(0);
  /** Who could be ejected: per window day, the employees other than the planned one working each
   * shift on an unpinned day, ascending. Day i's workers of shift s are workers[i * employees + k]
   * for k from workerStart[i * (shifts + 1) + s] up to (not including) the entry after it. Built
   * on the day's first ejection pricing in a plan (the roster does not change during one). */
  private workers = new Int32Array(0);
  private workerStart = new Int32Array(0);
  private workersBuilt = new Int32Array(0); // the plan number each day's lists were built for
  private shortOnDay = new Uint8Array(0); // i * shifts + s: 1 when (day, s) has a requirement short
  private planNumber = 0;

  constructor(p: CompiledProblem, maxWindow: number) {
    this.p = p;
    const S = p.shifts;
    let unit = 0;
    for (let s = 0; s < S; s++) unit = gcd(unit, p.shiftDuration[s]!);
    // Durations like 475 and 480 minutes would make the unit 5 minutes and the minutes dimension
    // huge; the rules count hours, so such problems are planned in (rounded) hours instead.
    this.minuteUnit = unit > 0 && unit % 60 === 0 ? unit : 60;
    const classes = new Map<string, number>();
    const representative: number[] = [];
    this.classOf = new Int32Array(S);
    for (let s = 0; s < S; s++) {
      let successors = '';
      let predecessors = '';
      for (let t = 0; t < S; t++) {
        successors += p.forbidden[s * S + t];
        predecessors += p.forbidden[t * S + s];
      }
      const key = `${p.shiftDuration[s]}/${p.shiftStart[s]}/${successors}/${predecessors}`;
      let k = classes.get(key);
      if (k === undefined) {
        classes.set(key, (k = classes.size));
        representative.push(s);
      }
      this.classOf[s] = k;
    }
    this.classShift = Int32Array.from(representative);
    this.classUnits = Int32Array.from(representative, (s) => Math.max(1, Math.round(p.shiftDuration[s]! / this.minuteUnit)));
    this.options = representative.length + 1;
    this.typeCount = new Int32Array(S);
    this.transition = new Float64Array(this.options * this.options);
    this.result = new Int16Array(maxWindow);
  }

  /** The DP option of a cell value: 0 for OFF, else its shift's class + 1. */
  private optionOf(s: number): number {
    return s === OFF ? 0 : this.classOf[s]! + 1;
  }

  /**
   * Plans employee e's days [lo, hi] against the roster in `state` (which it leaves as it was); the
   * window must fit the `maxWindow` given at construction. Returns true with the plan in `result`,
   * or false when the best plan is the window as it already is (or the window is too large to
   * plan; `work` then says how large). With `ejections`, the plan may assume that other employees
   * move to a short shift of the same day (see the header); `ejectedEmployee` says who.
   */
  plan(state: RosterScore, e: number, lo: number, hi: number, weights: CostWeights, ejections = false): boolean {
    const p = this.p;
    const D = p.days;
    const S = p.shifts;
    const S1 = S + 1;
    const K = this.options;
    const a = state.a;
    const base = e * D;
    const rb = e * R;
    const L = hi - lo + 1;
    if (L > this.result.length) throw new Error(`window of ${L} days exceeds the planner's ${this.result.length}`);
    const hw = weights.hard;
    const hardSoft = (rule: number): number => p.ruleHard[rb + rule]! * hw + p.ruleSoft[rb + rule]!;
    const wMaxCons = hardSoft(RULE.maxConsecutiveWorkDays);
    const wMinCons = hardSoft(RULE.minConsecutiveWorkDays);
    const wMinOff = hardSoft(RULE.minConsecutiveDaysOff);
    const wMaxType = hardSoft(RULE.maxShiftsPerType);
    const wMinMinutes = hardSoft(RULE.minTotalMinutes);
    const wMaxWeekends = hardSoft(RULE.maxWeekends);
    const maxCons = p.maxConsecutive[e]!;
    const minCons = p.minConsecutive[e]!;
    const minOff = p.minDaysOff[e]!;
    // Run lengths are tracked up to `cap`; a longer run satisfies every minimum and is charged
    // per day past the maximum as it grows, so nothing is lost by capping.
    const cap = Math.max(1, maxCons + 1, minCons, minOff);

    // --- what lies outside the window ---------------------------------------------------------
    let windowMinutes = 0;
    for (let d = lo; d <= hi; d++) if (a[base + d]! !== OFF) windowMinutes += p.shiftDuration[a[base + d]!]!;
    const outsideMinutes = state.employeeMinutes[e]! - windowMinutes;
    const minMinutes = p.minMinutes[e]!;
    const maxMinutes = p.maxMinutes[e]!;
    const unit = this.minuteUnit;
    let most = 0;
    for (let k = 1; k < K; k++) most = Math.max(most, this.classUnits[k - 1]!);
    // Minutes matter only when the window can decide them: some filling breaks a bound.
    const trackMinutes = (minMinutes >= 0 && outsideMinutes < minMinutes) || (maxMinutes >= 0 && outsideMinutes + most * L * unit > maxMinutes);
    // The minutes dimension stops at the first amount over the maximum: each unit beyond it is
    // charged as it is added (exact when the unit is a whole number of hours, as the penalty
    // counts started hours over), so the states past the maximum need not be kept apart.
    const wMaxMinutes = hardSoft(RULE.maxTotalMinutes);
    let mCap = 0;
    // Past the maximum each further unit is charged as it is added (below); when only the
    // minimum can bind, every amount at or above it is equally good, so the dimension stops there.
    const maxBinds = maxMinutes >= 0 && outsideMinutes + most * L * unit > maxMinutes;
    if (trackMinutes) {
      mCap = most * L;
      if (maxBinds) mCap = Math.min(mCap, Math.max(0, Math.floor((maxMinutes - outsideMinutes) / unit) + 1));
      else mCap = Math.min(mCap, Math.max(0, Math.ceil((minMinutes - outsideMinutes) / unit)));
    }
    const M = mCap + 1;
    const overPerUnit = maxBinds ? (wMaxMinutes * unit) / 60 : 0;

    const maxWeekends = p.maxWeekends[e]!;
    const limitsWeekends = maxWeekends >= 0 && p.weekendCount > 0;
    let weekendsOutside = 0;
    let weekendsInWindow = 0;
    if (limitsWeekends) {
      // A weekend counts as worked outside when a day of it outside the window is worked.
      let lastCounted = -1;
      for (let d = 0; d < D; d++) {
        const w = p.weekendOf[d]!;
        if (w < 0) continue;
        if (d >= lo && d <= hi) {
          if (w !== lastCounted && (d === lo || p.weekendOf[d - 1] !== w)) weekendsInWindow++;
          continue;
        }
        if (a[base + d]! !== OFF && w !== lastCounted) {
          weekendsOutside++;
          lastCounted = w;
        }
      }
    }
    // Weekends matter only when working every weekend in the window would break the maximum.
    const trackWeekends = limitsWeekends && weekendsOutside + weekendsInWindow > maxWeekends;
    const W = trackWeekends ? weekendsInWindow + 1 : 1;
    const outsideWorkedWeekend = (w: number): boolean => {
      for (let d = Math.max(0, lo - 6); d <= Math.min(D - 1, hi + 6); d++) {
        if (p.weekendOf[d] === w && (d < lo || d > hi) && a[base + d]! !== OFF) return true;
      }
      return false;
    };

    // Shift types already at their maximum outside the window: every use inside adds a violation.
    const typeCount = this.typeCount;
    typeCount.fill(0);
    for (let d = 0; d < D; d++) if ((d < lo || d > hi) && a[base + d]! !== OFF) typeCount[a[base + d]!]!++;

    // --- per-day option costs: the cheapest shift of each class ---------------------------------
    if (this.optionCost.length < L * K) {
      this.optionCost = new Float64Array(L * K);
      this.optionShift = new Int16Array(L * K);
    }
    const optionCost = this.optionCost;
    const optionShift = this.optionShift;
    optionCost.fill(Infinity, 0, L * K);
    this.ejectionsPriced = 0;
    if (ejections) {
      if (this.ejected.length < L * S) {
        this.ejected = new Int32Array(L * S);
        this.ejectedTo = new Int16Array(L * S);
      }
      this.ejected.fill(-1, 0, L * S);
      if (this.workersBuilt.length < L) {
        this.workers = new Int32Array(L * p.employees);
        this.workerStart = new Int32Array(L * S1);
        this.workersBuilt = new Int32Array(L);
        this.shortOnDay = new Uint8Array(L * S);
      }
      this.planNumber++;
    }
    for (let i = 0; i < L; i++) {
      const d = lo + i;
      const cell = base + d;
      if (p.pinned[cell] === 1) {
        const kept = a[cell]!;
        optionCost[i * K + this.optionOf(kept)] = 0;
        optionShift[i * K + this.optionOf(kept)] = kept;
        continue;
      }
      for (let j = p.optionStart[cell]!; j < p.optionStart[cell + 1]!; j++) {
        const s = p.optionList[j]!;
        const day = cell * S1 + s + 1;
        let c = p.dayHard[day]! * hw + p.daySoft[day]!;
        if (s !== OFF) {
          const gain = this.coverGain(state, e, d, s, weights);
          c += ejections && gain > 0 && a[cell] !== s ? this.ejectionGain(state, e, d, s, i, gain, weights) : gain;
          const max = p.maxPerType[e * S + s]!;
          if (max >= 0 && typeCount[s]! >= max) c += wMaxType;
        }
        const k = this.optionOf(s);
        if (c < optionCost[i * K + k]!) {
          optionCost[i * K + k] = c;
          optionShift[i * K + k] = s;
        }
      }
    }

    // --- successions, rest and overlap between consecutive days -------------------------------
    const transition = this.transition;
    const minRest = p.minRest[e]!;
    const wForbidden = hardSoft(RULE.forbiddenSuccession);
    const wOverlap = hardSoft(RULE.overlap);
    const wRest = hardSoft(RULE.minRest);
    for (let x = 0; x < K; x++) {
      for (let y = 0; y < K; y++) {
        let c = 0;
        if (x > 0 && y > 0) {
          const s1 = this.classShift[x - 1]!;
          const s2 = this.classShift[y - 1]!;
          if (p.forbidden[s1 * S + s2] === 1) c += wForbidden;
          const gap = 1440 + p.shiftStart[s2]! - (p.shiftStart[s1]! + p.shiftDuration[s1]!);
          if (gap < 0) c += wOverlap;
          else if (minRest >= 0 && gap < minRest) c += wRest;
        }
        transition[x * K + y] = c;
      }
    }

    // Penalty of a finished run (minimums only: maximums are charged day by day).
    const edges = p.exemptEdgeRuns;
    const runEnd = (worked: boolean, length: number, first: number, last: number): number => {
      if (length >= cap) return 0;
      if (edges && (first === 0 || last === D - 1)) return 0;
      if (worked) return minCons >= 0 && length < minCons ? (minCons - length) * wMinCons : 0;
      return minOff >= 0 && length < minOff ? (minOff - length) * wMinOff : 0;
    };

    // --- the DP over reachable states ---------------------------------------------------------
    // State index: ((option * cap + (run length - 1)) * M + minutes) * W + weekends.
    const strideLen = M * W;
    const strideO = cap * strideLen;
    const states = K * strideO;
    if (L * states > MAX_TABLE) {
      this.work = L * states;
      return false;
    }
    if (this.cost.length < states) {
      this.cost = new Float64Array(states).fill(Infinity);
      this.next = new Float64Array(states).fill(Infinity);
      this.active = new Int32Array(states);
      this.nextActive = new Int32Array(states);
    }
    if (this.from.length < L * states) this.from = new Int32Array(L * states);
    let cost = this.cost;
    let next = this.next;
    let active = this.active;
    let nextActive = this.nextActive;

    // The day before the window, as it is (before day 0: a placeholder the first day ignores).
    const before = lo > 0 ? a[base + lo - 1]! : OFF;
    let runBefore = cap;
    if (lo > 0) {
      const worked = before !== OFF;
      runBefore = 1;
      // Its true length up to `cap`: a run reaching day 0 is then recognised as an edge run.
      while (runBefore < cap && lo - 1 - runBefore >= 0 && (a[base + lo - 1 - runBefore]! !== OFF) === worked) runBefore++;
    }
    const start = this.optionOf(before) * strideO + (runBefore - 1) * strideLen;
    cost[start] = 0;
    active[0] = start;
    let activeCount = 1;
    let work = 0;

    // Minimum-run penalties by length, for runs that do not touch the period's edges.
    const shortWork = this.shortWork.length > cap ? this.shortWork : (this.shortWork = new Float64Array(cap + 1));
    const shortOff = this.shortOff.length > cap ? this.shortOff : (this.shortOff = new Float64Array(cap + 1));
    for (let len = 1; len <= cap; len++) {
      shortWork[len] = runEnd(true, len, -1, -1);
      shortOff[len] = runEnd(false, len, -1, -1);
    }
    const from = this.from;
    const units = this.classUnits;
    for (let i = 0; i < L; i++) {
      const d = lo + i;
      const w = p.weekendOf[d]!;
      const weekendDay = trackWeekends && w >= 0;
      const sameWeekendAsPrevious = weekendDay && d > 0 && p.weekendOf[d - 1] === w;
      // Working today starts a weekend unless it is already worked outside the window.
      const startsWeekend = weekendDay && !outsideWorkedWeekend(w);
      const rowOffset = i * states;
      const optionRow = i * K;
      let nextCount = 0;
      for (let n = 0; n < activeCount; n++) {
        const st = active[n]!;
        const c0 = cost[st]!;
        cost[st] = Infinity; // leaves the buffer clean for the day after next
        const wk = st % W;
        const m = ((st / W) | 0) % M;
        const rest = (st / strideLen) | 0;
        const len = (rest % cap) + 1;
        const o = (rest / cap) | 0;
        const wasWorked = o !== 0;
        // What ending the current run here costs (minimums; edge runs exempt).
        const ended = d === 0 || (edges && d - len === 0) ? 0 : wasWorked ? shortWork[len]! : shortOff[len]!;
        const grown = len < cap ? len + 1 : cap;
        const longRun = maxCons >= 0 && len + 1 > maxCons ? wMaxCons : 0;
        const transitionRow = o * K;
        for (let o2 = 0; o2 < K; o2++) {
          const cell = optionCost[optionRow + o2]!;
          if (cell === Infinity) continue;
          const worked = o2 !== 0;
          let c = c0 + cell + transition[transitionRow + o2]!;
          let len2 = 1;
          if (d === 0) {
            // The first day of the period starts a run; nothing comes before it.
          } else if (worked === wasWorked) {
            len2 = grown;
            if (worked) c += longRun;
          } else {
            c += ended;
          }
          let m2 = m;
          let wk2 = wk;
          if (worked) {
            if (trackMinutes) {
              m2 = m + units[o2 - 1]!;
              if (m2 > mCap) {
                c += (m2 - mCap) * overPerUnit;
                m2 = mCap;
              }
            }
            if (startsWeekend && !(sameWeekendAsPrevious && wasWorked) && wk2 < W - 1) wk2++;
          }
          const st2 = o2 * strideO + (len2 - 1) * strideLen + m2 * W + wk2;
          const old = next[st2]!;
          if (c < old) {
            if (old === Infinity) nextActive[nextCount++] = st2;
            next[st2] = c;
            from[rowOffset + st2] = st;
          }
        }
      }
      work += activeCount * K;
      [cost, next] = [next, cost];
      [active, nextActive] = [nextActive, active];
      activeCount = nextCount;
    }

    // --- the days after the window, and the totals --------------------------------------------
    const after = hi < D - 1 ? a[base + hi + 1]! : OFF;
    const afterOption = this.optionOf(after);
    let afterLength = 0;
    if (hi < D - 1) {
      const worked = after !== OFF;
      afterLength = 1;
      while (hi + 1 + afterLength < D && (a[base + hi + 1 + afterLength]! !== OFF) === worked) afterLength++;
    }
    let best = Infinity;
    let bestState = -1;
    for (let n = 0; n < activeCount; n++) {
      const st = active[n]!;
      let c = cost[st]!;
      cost[st] = Infinity;
      const wk = st % W;
      const m = ((st / W) | 0) % M;
      const rest = (st / strideLen) | 0;
      const len = (rest % cap) + 1;
      const o = (rest / cap) | 0;
      const worked = o !== 0;
      if (hi < D - 1) {
        c += transition[o * K + afterOption]!;
        const afterWorked = after !== OFF;
        if (worked === afterWorked) {
          // The window's last run joins the run after it.
          const joined = Math.min(cap, len + afterLength);
          if (worked && maxCons >= 0) c += wMaxCons * (Math.max(0, len + afterLength - maxCons) - Math.max(0, len - maxCons));
          c += runEnd(worked, joined, hi - len + 1, hi + afterLength);
        } else {
          c += runEnd(worked, len, hi - len + 1, hi);
          c += runEnd(afterWorked, Math.min(cap, afterLength), hi + 1, hi + afterLength);
          if (afterWorked && maxCons >= 0) c += wMaxCons * Math.max(0, afterLength - maxCons);
        }
      } else {
        c += runEnd(worked, len, hi - len + 1, hi); // the period's last run
      }
      if (trackMinutes) {
        const minutes = outsideMinutes + m * unit;
        if (minMinutes >= 0 && minutes < minMinutes) c += wMinMinutes * Math.ceil((minMinutes - minutes) / 60);
        if (maxMinutes >= 0 && minutes > maxMinutes) c += wMaxMinutes * Math.ceil((minutes - maxMinutes) / 60);
      }
      if (trackWeekends && weekendsOutside + wk > maxWeekends) c += wMaxWeekends * (weekendsOutside + wk - maxWeekends);
      if (c < best) {
        best = c;
        bestState = st;
      }
    }
    this.work = work;
    if (bestState < 0) return false;
    let st = bestState;
    let same = true;
    for (let i = L - 1; i >= 0; i--) {
      this.result[i] = optionShift[i * K + ((st / strideO) | 0)]!;
      if (a[base + lo + i] !== this.result[i]) same = false;
      st = this.from[i * states + st]!;
    }
    return !same;
  }

  /** The employee the last plan (with ejections) moves off the shift it gave window day i, or -1. */
  ejectedEmployee(i: number, s: number): number {
    return this.ejected[i * this.p.shifts + s]!;
  }

  /** The shift that employee moves to. */
  ejectedShift(i: number, s: number): number {
    return this.ejectedTo[i * this.p.shifts + s]!;
  }

  /**
   * The cost of employee e taking shift s on day d (window day i) by pushing one of its workers to
   * a short shift of that day, if that beats `plain` (e simply adding to the cell); records the
   * worker. The worker's change is scored for real on `state` and undone.
   */
  private ejectionGain(state: RosterScore, e: number, d: number, s: number, i: number, plain: number, weights: CostWeights): number {
    const p = this.p;
    const D = p.days;
    if (this.workersBuilt[i] !== this.planNumber) this.listWorkers(state, e, d, i);
    const listStart = i * p.employees;
    const range = i * (p.shifts + 1) + s;
    let best = plain;
    for (let k = this.workerStart[range]!; k < this.workerStart[range + 1]!; k++) {
      const y = this.workers[listStart + k]!;
      const cell = y * D + d;
      for (let j = p.optionStart[cell]!; j < p.optionStart[cell + 1]!; j++) {
        const u = p.optionList[j]!;
        if (u === OFF || u === s || this.shortOnDay[i * p.shifts + u] === 0) continue;
        this.ejectionsPriced++;
        const before = weightedCost(state, weights);
        const hard = state.employeeHard[y]!;
        const soft = state.employeeSoft[y]!;
        const minutes = state.employeeMinutes[y]!;
        state.setDayScored(y, d, u);
        const moved = weightedCost(state, weights) - before;
        // Undone as the search undoes a rejected move: the cell back, the row's totals restored.
        state.setCell(y, d, s);
        state.restoreEmployee(y, hard, soft, minutes);
        // `moved` includes y leaving (d, s); with e taking y's place that cell keeps its count.
        const combined = moved + this.coverGain(state, y, d, s, weights);
        if (combined < best) {
          best = combined;
          this.ejected[i * p.shifts + s] = y;
          this.ejectedTo[i * p.shifts + s] = u;
        }
      }
    }
    return best;
  }

  /** Builds window day i's lists of workers by shift (day d, planned employee e left out) by a
   * counting sort (counts, each shift's first position, each worker placed), and marks the day's
   * short shifts. */
  private listWorkers(state: RosterScore, e: number, d: number, i: number): void {
    const p = this.p;
    const a = state.a;
    const D = p.days;
    const S1 = p.shifts + 1;
    const start = this.workerStart;
    const first = i * S1;
    start.fill(0, first, first + S1);
    for (let y = 0; y < p.employees; y++) {
      const cell = y * D + d;
      if (y !== e && a[cell] !== OFF && p.pinned[cell] === 0) start[first + a[cell]! + 1]!++;
    }
    for (let s = 0; s < p.shifts; s++) start[first + s + 1]! += start[first + s]!;
    const listStart = i * p.employees;
    for (let y = 0; y < p.employees; y++) {
      const cell = y * D + d;
      if (y !== e && a[cell] !== OFF && p.pinned[cell] === 0) this.workers[listStart + start[first + a[cell]!]!++] = y;
    }
    for (let s = p.shifts; s > 0; s--) start[first + s] = start[first + s - 1]!;
    start[first] = 0;
    for (let s = 0; s < p.shifts; s++) this.shortOnDay[i * p.shifts + s] = isShort(p, state, d * p.shifts + s) ? 1 : 0;
    this.workersBuilt[i] = this.planNumber;
  }

  /**
   * Cost change of employee e working shift s on day d, everyone else's cover as it is: a negative
   * number where the shift is under-staffed without e, a positive one where it is over-staffed.
   */
  private coverGain(state: RosterScore, e: number, d: number, s: number, weights: CostWeights): number {
    const p = this.p;
    const cellIndex = d * p.shifts + s;
    const own = state.a[e * p.days + d] === s ? 1 : 0;
    let c = 0;
    for (let k = p.cellCoverStart[cellIndex]!; k < p.cellCoverStart[cellIndex + 1]!; k++) {
      const i = p.cellCoverList[k]!;
      const skill = p.coverSkill[i]!;
      if (skill >= 0 && p.employeeHasSkill[e * p.skillCount + skill] === 0) continue;
      const without = state.coverCount[i]! - own;
      if (without < p.coverRequired[i]!) c -= p.coverHardMinimum[i] === 1 ? weights.medium : p.coverUnder[i]!;
      else c += p.coverOver[i]!;
    }
    return c;
  }
}

function weightedCost(state: RosterScore, weights: CostWeights): number {
  return state.hard * weights.hard + state.medium * weights.medium + state.soft;
}

/** True when some cover requirement of the (day, shift) cell is not met. */
function isShort(p: CompiledProblem, state: RosterScore, cellIndex: number): boolean {
  for (let k = p.cellCoverStart[cellIndex]!; k < p.cellCoverStart[cellIndex + 1]!; k++) {
    const i = p.cellCoverList[k]!;
    if (state.coverCount[i]! < p.coverRequired[i]!) return true;
  }
  return false;
}

function gcd(x: number, y: number): number {
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
