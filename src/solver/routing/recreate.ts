// Recreate: put every unassigned order back at its cheapest feasible position, in a randomly
// chosen order (random, largest demand, farthest, closest), skipping a few positions at random
// ("blinks") so repeated recreates explore different plans. Orders that fit nowhere stay out.
import type { RoutingModel } from './model.js';
import type { Random } from './random.js';
import type { Solution } from './solution.js';

export interface RecreateOptions {
  /** Probability of skipping a position (0 for a plain greedy construction). */
  readonly blinkRate: number;
  /** No more technicians than this may be in use (Infinity: no limit). */
  readonly maxUsed: number;
}

function sortForInsertion(m: RoutingModel, orders: number[], rng: Random): void {
  const pick = rng.next() * 11;
  if (pick < 4) {
    for (let i = orders.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [orders[i], orders[j]] = [orders[j], orders[i]];
    }
  } else if (pick < 8) orders.sort((a, b) => m.demand[b] - m.demand[a] || a - b);
  else if (pick < 10) orders.sort((a, b) => m.startDistance[b] - m.startDistance[a] || a - b);
  else orders.sort((a, b) => m.startDistance[a] - m.startDistance[b] || a - b);
}

export function recreate(m: RoutingModel, sol: Solution, rng: Random, options: RecreateOptions): void {
  const pending = sol.unassigned;
  sol.unassigned = [];
  sortForInsertion(m, pending, rng);
  const w = m.weights;
  let used = sol.usedCount(m);
  // Empty routes of interchangeable technicians give the same insertions: try one per class.
  const classSeen = new Int32Array(m.technicianCount).fill(-1);
  for (let p = 0; p < pending.length; p++) {
    const u = pending[p];
    let bestCost = Infinity;
    let bestTech = -1;
    let bestPos = -1;
    const candidates = m.techniciansForOrder[u];
    for (let c = 0; c < candidates.length; c++) {
      const t = candidates[c];
      const route = sol.routes[t];
      if (route.load + m.demand[u] > m.capacity[t]) continue;
      const opens = !sol.isUsed(m, t);
      let extra = 0;
      if (opens) {
        if (used >= options.maxUsed) continue;
        const cls = m.technicianClass[t];
        if (classSeen[cls] === p) continue;
        classSeen[cls] = p;
        extra = w.technician * m.fixedCost[t] + w.travel * route.distance;
      }
      const len = route.nodes.length;
      const latestEnd = m.latestWindowEnd[u];
      for (let k = 0; k <= len; k++) {
        if (route.depart[k] > latestEnd) break;
        if (options.blinkRate > 0 && rng.next() < options.blinkRate) continue;
        const delta = route.insertionDelta(m, u, k);
        if (delta === Infinity) continue;
        const cost = extra + w.travel * delta;
        if (cost < bestCost) {
          bestCost = cost;
          bestTech = t;
          bestPos = k;
        }
      }
    }
    if (bestTech < 0) {
      sol.unassigned.push(u);
      continue;
    }
    const route = sol.routes[bestTech];
    if (!sol.isUsed(m, bestTech)) used++;
    route.nodes.splice(bestPos, 0, u);
    route.refresh(m);
  }
}
