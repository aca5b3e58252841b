// Turns the search's best plan into the public result: timed visits per technician (fixed
// visits first, as they happened), unassigned orders with reasons, the objective by level.
import type { DispatchRequest } from '../../domain/dispatch.js';
import type {
  DispatchResult,
  ObjectiveBreakdown,
  PlannedVisit,
  TechnicianRoute,
} from '../../domain/dispatchResult.js';
import { earliestServiceStart, type RoutingModel } from './model.js';
import type { SearchOutcome } from './search.js';
import type { Solution } from './solution.js';
import { unassignedReason } from './unassignedReasons.js';

function fixedVisits(m: RoutingModel, request: DispatchRequest, t: number): PlannedVisit[] {
  const starts = new Map((request.fixedVisits ?? []).map((v) => [v.orderId, v.serviceStart]));
  return m.fixedPrefix[t].map((i) => {
    const serviceStart = starts.get(request.orders[i].id) ?? 0;
    return {
      orderId: request.orders[i].id,
      arrival: serviceStart,
      serviceStart,
      departure: serviceStart + m.serviceTime[i],
      fixed: true,
    };
  });
}

function technicianRoute(m: RoutingModel, request: DispatchRequest, sol: Solution, t: number): TechnicianRoute {
  const size = m.nodeCount;
  const route = sol.routes[t];
  const visits = fixedVisits(m, request, t);
  // Fixed legs count towards the distance the technician drives; the free route starts after them.
  let fixedDistance = 0;
  let prev = m.orderCount + 2 * t;
  for (const i of m.fixedPrefix[t]) {
    fixedDistance += m.distance[prev * size + i];
    prev = i;
  }
  let time = m.startTime[t];
  prev = m.startNode[t];
  for (const node of route.nodes) {
    const arrival = time + m.duration[prev * size + node];
    const serviceStart = earliestServiceStart(m, node, arrival);
    time = serviceStart + m.serviceTime[node];
    visits.push({ orderId: request.orders[node].id, arrival, serviceStart, departure: time, fixed: false });
    prev = node;
  }
  return {
    technicianId: request.technicians[t].id,
    departure: m.fixedPrefix[t].length > 0 ? request.technicians[t].shift.start : m.startTime[t],
    visits,
    arrival: time + m.duration[prev * size + m.endNode[t]],
    distance: fixedDistance + route.distance,
    load: route.load,
  };
}

export function buildResult(m: RoutingModel, request: DispatchRequest, outcome: SearchOutcome, elapsedMs: number, seed: number): DispatchResult {
  const sol = outcome.best;
  const routes: TechnicianRoute[] = [];
  for (let t = 0; t < m.technicianCount; t++) {
    if (sol.isUsed(m, t)) routes.push(technicianRoute(m, request, sol, t));
  }
  const unassigned = [...sol.unassigned]
    .sort((a, b) => a - b)
    .map((u) => ({ orderId: request.orders[u].id, reason: unassignedReason(m, sol, u) }));
  const travelDistance = routes.reduce((sum, r) => sum + r.distance, 0);
  const techniciansUsed = routes.length;
  let fixedCost = 0;
  for (let t = 0; t < m.technicianCount; t++) if (sol.isUsed(m, t)) fixedCost += m.fixedCost[t];
  const unassignedPriority = sol.unassignedPriority(m);
  const w = m.weights;
  const objective: ObjectiveBreakdown = {
    mode: w.mode,
    unassignedCount: unassigned.length,
    unassignedPriority,
    techniciansUsed,
    fixedCost,
    travelDistance,
    travelCost: travelDistance * w.travel,
    weightedTotal:
      w.mode === 'weighted' ? unassignedPriority * w.unassigned + fixedCost + travelDistance * w.travel : fixedCost + travelDistance * w.travel,
  };
  return {
    routes,
    unassigned,
    objective,
    stats: {
      seed,
      iterations: outcome.iterations,
      elapsedMs,
      stopReason: outcome.stopReason,
      fleetIterations: outcome.fleetIterations,
      improvements: outcome.improvements,
    },
  };
}
