// The construction heuristic: start from the pins (and the baseline, for a re-plan, so an
// unchanged situation keeps the published roster), then fill under-staffed cover cells greedily
// with the free employees whose taking the shift makes the whole score fall the most. The search
// refines it.
//
// Each cover cell tries every free employee once, by the incremental (windowed) score, and then
// takes the best of them in order until the cell is full. Trying every employee again for every
// head needed, each with a whole-row re-score, cost heads × employees × days: a 500-employee,
// 366-day request spent four minutes here (bench/RESULTS.md, "Large requests").
import type { CompiledProblem } from './compiledProblem.js';
import { isOption, OFF } from './compiledProblem.js';
import { RosterScore } from './rosterScore.js';

/**
 * The starting roster: pins, baseline cells the search could hold, then greedy cover filling until
 * `stopped()` turns true (checked once per cover cell); the cells not reached by then stay unfilled.
 */
export function constructRoster(p: CompiledProblem, hardWeight: number, mediumWeight: number, stopped: () => boolean = () => false): Int16Array {
  const E = p.employees;
  const D = p.days;
  const start = new Int16Array(E * D).fill(OFF);
  for (let cell = 0; cell < start.length; cell++) {
    if (p.pinned[cell] === 1) start[cell] = p.pinnedShift[cell]!;
    else if (p.baseline !== undefined && isOption(p, cell, p.baseline[cell]!)) start[cell] = p.baseline[cell]!;
  }
  const state = new RosterScore(p, start);
  const cost = (): number => state.hard * hardWeight + state.medium * mediumWeight + state.soft;
  // Requirements in day order, so runs of work grow forwards.
  const dayOf = (i: number): number => Math.floor(p.coverCell[i]! / p.shifts);
  const order = Array.from({ length: p.coverRequired.length }, (_, i) => i).sort((x, y) => dayOf(x) - dayOf(y) || x - y);
  const candidates: number[] = [];
  const gain = new Float64Array(E);
  for (const i of order) {
    if (state.coverCount[i]! >= p.coverRequired[i]!) continue;
    if (stopped()) break;
    const day = dayOf(i);
    const s = p.coverCell[i]! % p.shifts;
    const before = cost();
    candidates.length = 0;
    for (let e = 0; e < E; e++) {
      const cell = e * D + day;
      if (p.pinned[cell] === 1 || state.a[cell] !== OFF || !isOption(p, cell, s)) continue;
      state.setDayScored(e, day, s);
      gain[e] = before - cost();
      state.setDayScored(e, day, OFF);
      if (gain[e]! > 0) candidates.push(e);
    }
    candidates.sort((x, y) => gain[y]! - gain[x]! || x - y);
    for (const e of candidates) {
      if (state.coverCount[i]! >= p.coverRequired[i]!) break;
      // Another head on the cell can change this one's gain (fairness moves the group's mean).
      const current = cost();
      state.setDayScored(e, day, s);
      if (cost() >= current) state.setDayScored(e, day, OFF);
    }
  }
  return Int16Array.from(state.a);
}
