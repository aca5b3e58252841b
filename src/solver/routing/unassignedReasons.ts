// Why an order is left out, in the terms a dispatcher can act on: hire or train (skills), use a
// bigger vehicle (capacity), move the window (unreachable), or add a technician (no room).
import type { UnassignedReason } from '../../domain/dispatchResult.js';
import { earliestServiceStart, type RoutingModel } from './model.js';
import type { Solution } from './solution.js';

/** Can technician t serve order u alone, straight from its start to its end? */
function reachableAlone(m: RoutingModel, t: number, u: number): boolean {
  const size = m.nodeCount;
  const arrival = m.startTime[t] + m.duration[m.startNode[t] * size + u];
  const start = earliestServiceStart(m, u, arrival);
  return start + m.serviceTime[u] + m.duration[u * size + m.endNode[t]] <= m.endTime[t];
}

/** Is there a time-feasible position for u in t's route in this plan, ignoring capacity? */
function fitsInTime(m: RoutingModel, sol: Solution, t: number, u: number): boolean {
  const route = sol.routes[t];
  for (let k = 0; k <= route.nodes.length; k++) if (route.insertionDelta(m, u, k) !== Infinity) return true;
  return false;
}

export function unassignedReason(m: RoutingModel, sol: Solution, u: number): UnassignedReason {
  const skilled = Array.from(m.techniciansForOrder[u]);
  if (skilled.length === 0) return 'no_skilled_technician';
  const carriers = skilled.filter((t) => m.initialLoad[t] + m.demand[u] <= m.capacity[t]);
  if (carriers.length === 0) return 'capacity';
  if (!carriers.some((t) => reachableAlone(m, t, u))) return 'window_unreachable';
  const timeFits = skilled.filter((t) => fitsInTime(m, sol, t, u));
  return timeFits.length > 0 ? 'capacity' : 'no_room_within_time';
}
