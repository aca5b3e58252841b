// The incremental score of one roster. A cell change updates the cover of its (day, shift) in
// O(requirements of that cell). The employee-level rules are re-scored either by one pass over
// the employee's days (`rescoreEmployee`), or — what the search uses — over a window around the
// changed days (`openWindow` / `closeWindow`): cell terms of the changed days, succession and rest
// terms of the days that can see them, the work/off runs that touch them, and the per-employee
// totals (type counts, minutes, weekends) kept as live counters by `setCell`. The window's cost
// does not grow with the period length, which is what made long horizons slow. Nothing is
// allocated per change. Semantics are those of evaluator.ts; a property test checks that
// after any sequence of changes the totals equal a full recomputation and the evaluator's score.
import type { CompiledProblem } from './compiledProblem.js';
import { OFF, RULE, ruleCount } from './compiledProblem.js';

const R = ruleCount();
const R_OVERLAP = RULE.overlap;
const R_MIN_REST = RULE.minRest;
const R_FORBIDDEN = RULE.forbiddenSuccession;
const R_MAX_TYPE = RULE.maxShiftsPerType;
const R_MIN_MINUTES = RULE.minTotalMinutes;
const R_MAX_MINUTES = RULE.maxTotalMinutes;
const R_MAX_CONS = RULE.maxConsecutiveWorkDays;
const R_MIN_CONS = RULE.minConsecutiveWorkDays;
const R_MIN_OFF = RULE.minConsecutiveDaysOff;
const R_MAX_WEEKENDS = RULE.maxWeekends;

export class RosterScore {
  readonly p: CompiledProblem;
  /** The roster: shift index or OFF per (e * days + d). */
  readonly a: Int16Array;
  readonly employeeHard: Float64Array;
  readonly employeeSoft: Float64Array;
  readonly employeeMinutes: Int32Array;
  readonly coverCount: Int32Array;
  readonly groupSum: Float64Array;
  readonly groupSumSq: Float64Array;
  readonly groupPenalty: Float64Array;
  /** Employees whose unused minutes (maximum minus worked) are positive but shorter than any
   * shift they can work: capacity no cell can use. Not part of the score; the search may steer by
   * it where total demand presses on total capacity (Instance13). */
  stranded = 0;
  /** Two-day weekends worked on one day only by employees who work as many weekends as they may:
   * each is a weekend day of cover lost. Not part of the score either. */
  weekendDaysLost = 0;
  private readonly liveHalfWeekends: Int32Array; // per employee, whatever their weekend count
  private readonly shortestShift: Int32Array;
  hard = 0;
  medium = 0;
  soft = 0;
  /** How many constraint evaluations were made (rule checks on a row, cover requirement updates). */
  evaluations = 0;

  // Scratch for one row pass, and its results.
  private readonly typeCount: Int32Array;
  private readonly weekendStamp: Int32Array;
  private stamp = 0;
  rowHard = 0;
  rowSoft = 0;
  rowMinutes = 0;

  // Live per-employee totals, kept up to date by setCell (the window scorer reads them).
  private readonly liveTypeCount: Int32Array; // e * shifts + s
  private readonly liveMinutes: Int32Array;
  private readonly weekendDays: Int32Array; // e * weekendCount + w: worked days in that weekend
  private readonly liveWeekends: Int32Array;
  /** A shift more than this many days before day d can never break rest or overlap on day d. */
  private readonly reach: number;
  // The open window: employee, changed days [lo, hi], run span [runFrom, runTo], pair span
  // [pairFrom, pairTo] (terms counted from lo), and the window's score before the change.
  private wE = -1;
  private wLo = 0;
  private wHi = 0;
  private wRunFrom = 0;
  private wRunTo = 0;
  private wPairFrom = 0;
  private wPairTo = 0;
  private wOldHard = 0;
  private wOldSoft = 0;
  private partHard = 0;
  private partSoft = 0;

  constructor(p: CompiledProblem, initial?: Int16Array) {
    this.p = p;
    this.a = initial === undefined ? new Int16Array(p.employees * p.days).fill(OFF) : Int16Array.from(initial);
    this.employeeHard = new Float64Array(p.employees);
    this.employeeSoft = new Float64Array(p.employees);
    this.employeeMinutes = new Int32Array(p.employees);
    this.coverCount = new Int32Array(p.coverRequired.length);
    this.groupSum = new Float64Array(p.groupSize.length);
    this.groupSumSq = new Float64Array(p.groupSize.length);
    this.groupPenalty = new Float64Array(p.groupSize.length);
    this.typeCount = new Int32Array(p.shifts);
    this.weekendStamp = new Int32Array(p.weekendCount);
    this.liveTypeCount = new Int32Array(p.employees * p.shifts);
    this.liveMinutes = new Int32Array(p.employees);
    this.weekendDays = new Int32Array(p.employees * p.weekendCount);
    this.liveWeekends = new Int32Array(p.employees);
    this.liveHalfWeekends = new Int32Array(p.employees);
    this.reach = restReach(p);
    this.shortestShift = new Int32Array(p.employees).fill(0x7fffffff);
    for (let e = 0; e < p.employees; e++) {
      for (let cell = e * p.days; cell < (e + 1) * p.days; cell++) {
        for (let k = p.optionStart[cell]!; k < p.optionStart[cell + 1]!; k++) {
          const s = p.optionList[k]!;
          if (s !== OFF) this.shortestShift[e] = Math.min(this.shortestShift[e]!, p.shiftDuration[s]!);
        }
      }
    }
    this.recomputeAll();
  }

  /** Recomputes every total from the roster (used at start and by the property test). */
  recomputeAll(): void {
    const p = this.p;
    this.hard = 0;
    this.medium = 0;
    this.soft = 0;
    this.coverCount.fill(0);
    this.liveTypeCount.fill(0);
    this.liveMinutes.fill(0);
    this.weekendDays.fill(0);
    this.liveWeekends.fill(0);
    this.liveHalfWeekends.fill(0);
    this.weekendDaysLost = 0;
    for (let e = 0; e < p.employees; e++) {
      for (let d = 0; d < p.days; d++) {
        const s = this.a[e * p.days + d]!;
        if (s !== OFF) {
          this.countCover(e, d, s, 1);
          this.countTotals(e, d, s, 1);
        }
      }
    }
    for (let i = 0; i < this.coverCount.length; i++) this.addCoverTerm(i, 1);
    this.groupSum.fill(0);
    this.groupSumSq.fill(0);
    this.stranded = 0;
    for (let e = 0; e < p.employees; e++) {
      this.scoreRow(e);
      this.employeeHard[e] = this.rowHard;
      this.employeeSoft[e] = this.rowSoft;
      this.employeeMinutes[e] = this.rowMinutes;
      this.stranded += this.isStranded(e, this.rowMinutes);
      this.hard += this.rowHard;
      this.soft += this.rowSoft;
      const g = p.groupOf[e]!;
      this.groupSum[g]! += this.rowMinutes;
      this.groupSumSq[g]! += this.rowMinutes * this.rowMinutes;
    }
    for (let g = 0; g < this.groupPenalty.length; g++) {
      this.groupPenalty[g] = this.fairnessOf(g);
      this.soft += this.groupPenalty[g]!;
    }
  }

  /** Sets one cell and updates the cover part of the score. Call `rescoreEmployee(e)` afterwards. */
  setCell(e: number, d: number, s: number): void {
    const i = e * this.p.days + d;
    const old = this.a[i]!;
    if (old === s) return;
    if (old !== OFF) {
      this.changeCover(e, d, old, -1);
      this.countTotals(e, d, old, -1);
    }
    this.a[i] = s;
    if (s !== OFF) {
      this.changeCover(e, d, s, 1);
      this.countTotals(e, d, s, 1);
    }
  }

  private countTotals(e: number, d: number, s: number, delta: number): void {
    const p = this.p;
    this.liveTypeCount[e * p.shifts + s]! += delta;
    this.liveMinutes[e]! += delta * p.shiftDuration[s]!;
    const w = p.weekendOf[d]!;
    if (w >= 0) {
      const k = e * p.weekendCount + w;
      const before = this.weekendDays[k]!;
      const lost = this.weekendDaysLostBy(e);
      this.weekendDays[k] = before + delta;
      if (before === 0) this.liveWeekends[e]!++;
      else if (before + delta === 0) this.liveWeekends[e]!--;
      if (p.weekendLength[w] === 2) this.liveHalfWeekends[e]! += (before + delta === 1 ? 1 : 0) - (before === 1 ? 1 : 0);
      this.weekendDaysLost += this.weekendDaysLostBy(e) - lost;
    }
  }

  /**
   * Starts a change of employee e's cells on days [lo, hi] only: call it before those setCell
   * calls, and `closeWindow()` after them (instead of `rescoreEmployee`). One window at a time.
   */
  openWindow(e: number, lo: number, hi: number): void {
    const p = this.p;
    const D = p.days;
    const a = this.a;
    const base = e * D;
    // The runs that can change are those touching [lo - 1, hi + 1]; their outer ends lie outside
    // the changed days, so the span is the same before and after the change.
    let from = lo;
    if (lo > 0) {
      const worked = a[base + lo - 1]! !== OFF;
      from = lo - 1;
      while (from > 0 && (a[base + from - 1]! !== OFF) === worked) from--;
    }
    let to = hi;
    if (hi < D - 1) {
      const worked = a[base + hi + 1]! !== OFF;
      to = hi + 1;
      while (to < D - 1 && (a[base + to + 1]! !== OFF) === worked) to++;
    }
    this.wE = e;
    this.wLo = lo;
    this.wHi = hi;
    this.wRunFrom = from;
    this.wRunTo = to;
    this.wPairFrom = Math.max(0, lo - this.reach);
    this.wPairTo = Math.min(D - 1, hi + this.reach);
    this.scoreWindow();
    this.wOldHard = this.partHard;
    this.wOldSoft = this.partSoft;
  }

  /** Sets one cell and re-scores it on its own (a one-day window). */
  setDayScored(e: number, d: number, s: number): void {
    this.openWindow(e, d, d);
    this.setCell(e, d, s);
    this.closeWindow();
  }

  /** Ends the open window: folds the change of employee e's score into the totals. */
  closeWindow(): void {
    const e = this.wE;
    this.scoreWindow();
    const dh = this.partHard - this.wOldHard;
    const ds = this.partSoft - this.wOldSoft;
    this.hard += dh;
    this.soft += ds;
    this.employeeHard[e]! += dh;
    this.employeeSoft[e]! += ds;
    this.setMinutes(e, this.liveMinutes[e]!);
    this.wE = -1;
  }

  /** The open window's part of the employee's row score (sets partHard, partSoft). */
  private scoreWindow(): void {
    const p = this.p;
    const e = this.wE;
    const D = p.days;
    const S = p.shifts;
    const S1 = S + 1;
    const a = this.a;
    const base = e * D;
    const rb = e * R;
    const ruleHard = p.ruleHard;
    const ruleSoft = p.ruleSoft;
    const lo = this.wLo;
    const hi = this.wHi;
    let hard = 0;
    let soft = 0;
    // Cell terms of the changed days.
    for (let d = lo, cell = (base + lo) * S1 + 1; d <= hi; d++, cell += S1) {
      const s = a[base + d]!;
      hard += p.dayHard[cell + s]!;
      soft += p.daySoft[cell + s]!;
    }
    // Succession, rest and overlap terms of the days that can see a changed day.
    const minRest = p.minRest[e]!;
    const timed = minRest >= 0 || p.shiftsCanOverlap;
    const forbidden = p.forbidden;
    let prev = this.wPairFrom > 0 ? a[base + this.wPairFrom - 1]! : OFF;
    let lastEnd = -Infinity;
    for (let d = this.wPairFrom; d <= this.wPairTo; d++) {
      const s = a[base + d]!;
      if (s !== OFF) {
        const counted = d >= lo;
        if (counted && prev !== OFF && forbidden[prev * S + s] === 1) {
          hard += ruleHard[rb + R_FORBIDDEN]!;
          soft += ruleSoft[rb + R_FORBIDDEN]!;
        }
        if (timed) {
          const start = d * 1440 + p.shiftStart[s]!;
          const gap = start - lastEnd;
          if (counted) {
            if (gap < 0) {
              hard += ruleHard[rb + R_OVERLAP]!;
              soft += ruleSoft[rb + R_OVERLAP]!;
            } else if (minRest >= 0 && gap < minRest) {
              hard += ruleHard[rb + R_MIN_REST]!;
              soft += ruleSoft[rb + R_MIN_REST]!;
            }
          }
          lastEnd = start + p.shiftDuration[s]!;
        }
      }
      prev = s;
    }
    // The runs inside [runFrom, runTo]. Days runFrom .. lo - 1 and hi + 1 .. runTo are each one run
    // (see openWindow), so the walk jumps over them: a long run of days off, such as the rest of
    // the horizon while the construction fills it day by day, costs no more than a short one.
    const to = this.wRunTo;
    let runStart = this.wRunFrom;
    let runWorked = a[base + runStart]! !== OFF;
    for (let d = runStart + 1; d <= to + 1; d++) {
      if (d < lo) d = lo;
      else if (d > hi + 1 && d <= to) d = to + 1;
      const worked = d <= to && a[base + d]! !== OFF;
      if (d <= to && worked === runWorked) continue;
      this.runPenalty(e, runWorked, runStart, d - 1);
      hard += this.partHard;
      soft += this.partSoft;
      runStart = d;
      runWorked = worked;
    }
    // Per-employee totals from the live counters.
    this.totalsPenalty(e, this.liveTypeCount, e * S, this.liveMinutes[e]!, this.liveWeekends[e]!);
    hard += this.partHard;
    soft += this.partSoft;
    this.evaluations += this.wPairTo - this.wPairFrom + (to - this.wRunFrom) + S + 4;
    this.partHard = hard;
    this.partSoft = soft;
  }

  /** Penalty of one run of work or days off on [first, last] (sets partHard, partSoft), as in scoreRow. */
  private runPenalty(e: number, worked: boolean, first: number, last: number): void {
    const p = this.p;
    const rb = e * R;
    const length = last - first + 1;
    const atEdge = p.exemptEdgeRuns && (first === 0 || last === p.days - 1);
    let hard = 0;
    let soft = 0;
    if (worked) {
      const maxCons = p.maxConsecutive[e]!;
      if (maxCons >= 0 && length > maxCons) {
        hard += p.ruleHard[rb + R_MAX_CONS]! * (length - maxCons);
        soft += p.ruleSoft[rb + R_MAX_CONS]! * (length - maxCons);
      }
      const minCons = p.minConsecutive[e]!;
      if (minCons >= 0 && length < minCons && !atEdge) {
        hard += p.ruleHard[rb + R_MIN_CONS]! * (minCons - length);
        soft += p.ruleSoft[rb + R_MIN_CONS]! * (minCons - length);
      }
    } else {
      const minOff = p.minDaysOff[e]!;
      if (minOff >= 0 && length < minOff && !atEdge) {
        hard += p.ruleHard[rb + R_MIN_OFF]! * (minOff - length);
        soft += p.ruleSoft[rb + R_MIN_OFF]! * (minOff - length);
      }
    }
    this.partHard = hard;
    this.partSoft = soft;
  }

  /** Re-scores employee e's row-level rules and folds the change into the totals. */
  rescoreEmployee(e: number): void {
    this.scoreRow(e);
    this.hard += this.rowHard - this.employeeHard[e]!;
    this.soft += this.rowSoft - this.employeeSoft[e]!;
    this.employeeHard[e] = this.rowHard;
    this.employeeSoft[e] = this.rowSoft;
    this.setMinutes(e, this.rowMinutes);
  }

  /** Puts back cached row results (saved before a rejected move) without a row pass. */
  restoreEmployee(e: number, hard: number, soft: number, minutes: number): void {
    this.hard += hard - this.employeeHard[e]!;
    this.soft += soft - this.employeeSoft[e]!;
    this.employeeHard[e] = hard;
    this.employeeSoft[e] = soft;
    this.setMinutes(e, minutes);
  }

  private setMinutes(e: number, minutes: number): void {
    const oldMinutes = this.employeeMinutes[e]!;
    if (oldMinutes === minutes) return;
    this.employeeMinutes[e] = minutes;
    this.stranded += this.isStranded(e, minutes) - this.isStranded(e, oldMinutes);
    if (this.p.fairnessWeight > 0) this.moveFairness(e, oldMinutes, minutes);
  }

  /** e's half-worked weekends when e works as many weekends as allowed, else 0. */
  private weekendDaysLostBy(e: number): number {
    const max = this.p.maxWeekends[e]!;
    return max >= 0 && this.liveWeekends[e]! >= max ? this.liveHalfWeekends[e]! : 0;
  }

  /** 1 when e's unused minutes are positive but shorter than e's shortest shift. */
  private isStranded(e: number, minutes: number): number {
    const max = this.p.maxMinutes[e]!;
    return max >= 0 && minutes < max && max - minutes < this.shortestShift[e]! ? 1 : 0;
  }

  private moveFairness(e: number, from: number, to: number): void {
    const g = this.p.groupOf[e]!;
    this.groupSum[g]! += to - from;
    this.groupSumSq[g]! += to * to - from * from;
    const penalty = this.fairnessOf(g);
    this.soft += penalty - this.groupPenalty[g]!;
    this.groupPenalty[g] = penalty;
  }

  private fairnessOf(g: number): number {
    const n = this.p.groupSize[g]!;
    if (n < 2 || this.p.fairnessWeight === 0) return 0;
    const sum = this.groupSum[g]!;
    return Math.round((this.p.fairnessWeight * (n * this.groupSumSq[g]! - sum * sum)) / (n * 3600));
  }

  private changeCover(e: number, d: number, s: number, delta: number): void {
    const p = this.p;
    const cell = d * p.shifts + s;
    const end = p.cellCoverStart[cell + 1]!;
    for (let k = p.cellCoverStart[cell]!; k < end; k++) {
      const i = p.cellCoverList[k]!;
      const skill = p.coverSkill[i]!;
      if (skill >= 0 && p.employeeHasSkill[e * p.skillCount + skill] === 0) continue;
      this.addCoverTerm(i, -1);
      this.coverCount[i]! += delta;
      this.addCoverTerm(i, 1);
      this.evaluations++;
    }
  }

  private countCover(e: number, d: number, s: number, delta: number): void {
    const p = this.p;
    const cell = d * p.shifts + s;
    const end = p.cellCoverStart[cell + 1]!;
    for (let k = p.cellCoverStart[cell]!; k < end; k++) {
      const i = p.cellCoverList[k]!;
      const skill = p.coverSkill[i]!;
      if (skill >= 0 && p.employeeHasSkill[e * p.skillCount + skill] === 0) continue;
      this.coverCount[i]! += delta;
    }
  }

  private addCoverTerm(i: number, sign: number): void {
    const p = this.p;
    const n = this.coverCount[i]!;
    const req = p.coverRequired[i]!;
    if (n < req) {
      if (p.coverHardMinimum[i] === 1) this.medium += sign * (req - n);
      else this.soft += sign * (req - n) * p.coverUnder[i]!;
    } else if (n > req) this.soft += sign * (n - req) * p.coverOver[i]!;
  }

  /**
   * Penalty of employee e's totals (sets partHard, partSoft): shifts per type (counts at
   * `typeCount[typeOffset + s]`), worked minutes and weekends. Shared by the row and window scores.
   */
  private totalsPenalty(e: number, typeCount: Int32Array, typeOffset: number, minutes: number, weekends: number): void {
    const p = this.p;
    const S = p.shifts;
    const rb = e * R;
    const ruleHard = p.ruleHard;
    const ruleSoft = p.ruleSoft;
    let hard = 0;
    let soft = 0;
    for (let s = 0; s < S; s++) {
      const max = p.maxPerType[e * S + s]!;
      const count = typeCount[typeOffset + s]!;
      if (max >= 0 && count > max) {
        hard += ruleHard[rb + R_MAX_TYPE]! * (count - max);
        soft += ruleSoft[rb + R_MAX_TYPE]! * (count - max);
      }
    }
    const minMinutes = p.minMinutes[e]!;
    if (minMinutes >= 0 && minutes < minMinutes) {
      const hours = Math.ceil((minMinutes - minutes) / 60);
      hard += ruleHard[rb + R_MIN_MINUTES]! * hours;
      soft += ruleSoft[rb + R_MIN_MINUTES]! * hours;
    }
    const maxMinutes = p.maxMinutes[e]!;
    if (maxMinutes >= 0 && minutes > maxMinutes) {
      const hours = Math.ceil((minutes - maxMinutes) / 60);
      hard += ruleHard[rb + R_MAX_MINUTES]! * hours;
      soft += ruleSoft[rb + R_MAX_MINUTES]! * hours;
    }
    const maxWeekends = p.maxWeekends[e]!;
    if (maxWeekends >= 0 && weekends > maxWeekends) {
      hard += ruleHard[rb + R_MAX_WEEKENDS]! * (weekends - maxWeekends);
      soft += ruleSoft[rb + R_MAX_WEEKENDS]! * (weekends - maxWeekends);
    }
    this.partHard = hard;
    this.partSoft = soft;
  }

  /** One pass over employee e's days: sets rowHard, rowSoft, rowMinutes. */
  scoreRow(e: number): void {
    const p = this.p;
    const D = p.days;
    const S = p.shifts;
    const S1 = S + 1;
    const a = this.a;
    const base = e * D;
    const rb = e * R;
    const ruleHard = p.ruleHard;
    const ruleSoft = p.ruleSoft;
    const dayHard = p.dayHard;
    const daySoft = p.daySoft;
    const forbidden = p.forbidden;
    const shiftDuration = p.shiftDuration;
    const shiftStart = p.shiftStart;
    const weekendOf = p.weekendOf;
    const typeCount = this.typeCount;
    typeCount.fill(0);
    const stamp = ++this.stamp;
    const weekendStamp = this.weekendStamp;
    let hard = 0;
    let soft = 0;
    let minutes = 0;
    let weekends = 0;
    let prev = OFF;
    let lastEnd = -Infinity;
    const minRest = p.minRest[e]!;
    // Rest and overlap only need the clock when a rest rule exists or two shifts can overlap.
    const timed = minRest >= 0 || p.shiftsCanOverlap;
    const maxCons = p.maxConsecutive[e]!;
    const minCons = p.minConsecutive[e]!;
    const minOff = p.minDaysOff[e]!;
    const exempt = p.exemptEdgeRuns;
    let runStart = 0;
    let runWorked = a[base]! !== OFF;
    let cell = base * S1;
    for (let d = 0; d < D; d++, cell += S1) {
      const s = a[base + d]!;
      hard += dayHard[cell + s + 1]!;
      soft += daySoft[cell + s + 1]!;
      const worked = s !== OFF;
      if (worked !== runWorked) {
        // Close the run [runStart, d - 1].
        const length = d - runStart;
        const touchesEdge = exempt && runStart === 0;
        if (runWorked) {
          if (maxCons >= 0 && length > maxCons) {
            hard += ruleHard[rb + R_MAX_CONS]! * (length - maxCons);
            soft += ruleSoft[rb + R_MAX_CONS]! * (length - maxCons);
          }
          if (minCons >= 0 && length < minCons && !touchesEdge) {
            hard += ruleHard[rb + R_MIN_CONS]! * (minCons - length);
            soft += ruleSoft[rb + R_MIN_CONS]! * (minCons - length);
          }
        } else if (minOff >= 0 && length < minOff && !touchesEdge) {
          hard += ruleHard[rb + R_MIN_OFF]! * (minOff - length);
          soft += ruleSoft[rb + R_MIN_OFF]! * (minOff - length);
        }
        runStart = d;
        runWorked = worked;
      }
      if (worked) {
        typeCount[s]!++;
        minutes += shiftDuration[s]!;
        const w = weekendOf[d]!;
        if (w >= 0 && weekendStamp[w] !== stamp) {
          weekendStamp[w] = stamp;
          weekends++;
        }
        if (prev !== OFF && forbidden[prev * S + s] === 1) {
          hard += ruleHard[rb + R_FORBIDDEN]!;
          soft += ruleSoft[rb + R_FORBIDDEN]!;
        }
        if (timed) {
          const start = d * 1440 + shiftStart[s]!;
          const gap = start - lastEnd;
          if (gap < 0) {
            hard += ruleHard[rb + R_OVERLAP]!;
            soft += ruleSoft[rb + R_OVERLAP]!;
          } else if (minRest >= 0 && gap < minRest) {
            hard += ruleHard[rb + R_MIN_REST]!;
            soft += ruleSoft[rb + R_MIN_REST]!;
          }
          lastEnd = start + shiftDuration[s]!;
        }
      }
      prev = s;
    }
    // The last run touches the end of the period.
    {
      const length = D - runStart;
      if (runWorked) {
        if (maxCons >= 0 && length > maxCons) {
          hard += ruleHard[rb + R_MAX_CONS]! * (length - maxCons);
          soft += ruleSoft[rb + R_MAX_CONS]! * (length - maxCons);
        }
        if (minCons >= 0 && length < minCons && !exempt) {
          hard += ruleHard[rb + R_MIN_CONS]! * (minCons - length);
          soft += ruleSoft[rb + R_MIN_CONS]! * (minCons - length);
        }
      } else if (minOff >= 0 && length < minOff && !exempt) {
        hard += ruleHard[rb + R_MIN_OFF]! * (minOff - length);
        soft += ruleSoft[rb + R_MIN_OFF]! * (minOff - length);
      }
    }
    this.totalsPenalty(e, typeCount, 0, minutes, weekends);
    hard += this.partHard;
    soft += this.partSoft;
    this.evaluations += D + S + 3;
    this.rowHard = hard;
    this.rowSoft = soft;
    this.rowMinutes = minutes;
  }
}

/**
 * Days after which a shift can no longer break rest or overlap: the smallest k >= 1 such that a
 * shift on day d - k always ends at least max(minRest, 0) minutes before any shift on day d starts.
 */
export function restReach(p: CompiledProblem): number {
  if (p.shifts === 0) return 1;
  let maxEnd = 0;
  let minStart = Infinity;
  for (let s = 0; s < p.shifts; s++) {
    maxEnd = Math.max(maxEnd, p.shiftStart[s]! + p.shiftDuration[s]!);
    minStart = Math.min(minStart, p.shiftStart[s]!);
  }
  let rest = 0;
  for (let e = 0; e < p.employees; e++) rest = Math.max(rest, p.minRest[e]!);
  let k = 1;
  while (k * 1440 + minStart - maxEnd < rest) k++;
  return k;
}
