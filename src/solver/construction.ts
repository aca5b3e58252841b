// The construction heuristic: start from the pins (and the baseline, for a re-plan, so an
// unchanged situation keeps the published roster), then fill under-staffed cover cells greedily
// with whichever free employee makes the whole score fall the most. The search refines it.
import type { CompiledProblem } from './compiledProblem.js';
import { isOption, OFF } from './compiledProblem.js';
import { RosterScore } from './rosterScore.js';

/** The starting roster: pins, baseline cells the search could hold, then greedy cover filling. */
export function constructRoster(p: CompiledProblem, hardWeight: number, mediumWeight: number): Int16Array {
  const start = new Int16Array(p.employees * p.days).fill(OFF);
  for (let cell = 0; cell < start.length; cell++) {
    if (p.pinned[cell] === 1) start[cell] = p.pinnedShift[cell]!;
    else if (p.baseline !== undefined && isOption(p, cell, p.baseline[cell]!)) start[cell] = p.baseline[cell]!;
  }
  const state = new RosterScore(p, start);
  const cost = (): number => state.hard * hardWeight + state.medium * mediumWeight + state.soft;
  const coverCount = p.coverRequired.length;
  // Requirements in day order, so runs of work grow forwards.
  const order = Array.from({ length: coverCount }, (_, i) => i).sort((x, y) => x - y);
  let current = cost();
  for (const i of order) {
    const { day, shiftId } = p.problem.cover[i]!;
    const s = p.shiftIndex.get(shiftId)!;
    while (state.coverCount[i]! < p.coverRequired[i]!) {
      let bestEmployee = -1;
      let bestCost = current;
      for (let e = 0; e < p.employees; e++) {
        const cell = e * p.days + day;
        if (p.pinned[cell] === 1 || state.a[cell] !== OFF || !isOption(p, cell, s)) continue;
        state.setCell(e, day, s);
        state.rescoreEmployee(e);
        const c = cost();
        if (c < bestCost) {
          bestCost = c;
          bestEmployee = e;
        }
        state.setCell(e, day, OFF);
        state.rescoreEmployee(e);
      }
      if (bestEmployee < 0) break;
      state.setCell(bestEmployee, day, s);
      state.rescoreEmployee(bestEmployee);
      current = cost();
    }
  }
  return Int16Array.from(state.a);
}
