// An independent judge of a dispatch plan: it re-derives travel from the raw request and
// re-simulates every route from scratch, sharing no code with the search, so a bug in the
// solver's caches or travel matrices cannot also hide in the check.
import type { DispatchRequest, Location, ServiceOrder, Technician } from '../../domain/dispatch.js';
import type { DispatchResult } from '../../domain/dispatchResult.js';

/** A plan to judge: each technician's full visit sequence (fixed visits included). */
export interface DispatchPlan {
  readonly routes: readonly { readonly technicianId: string; readonly orderIds: readonly string[] }[];
}

export type ViolationKind =
  | 'unknown_technician'
  | 'unknown_order'
  | 'duplicate_visit'
  | 'missing_skill'
  | 'capacity'
  | 'time_window'
  | 'shift_end'
  | 'fixed_visit_moved'
  | 'timeline_mismatch'
  | 'unaccounted_order';

export interface Violation {
  readonly kind: ViolationKind;
  readonly technicianId?: string;
  readonly orderId?: string;
  readonly message: string;
}

export interface RouteEvaluation {
  readonly technicianId: string;
  readonly distance: number;
  readonly duration: number;
  readonly load: number;
  /** Start of service at each visit as re-simulated here (earliest possible, waiting if early). */
  readonly serviceStarts: readonly number[];
}

export interface PlanEvaluation {
  readonly feasible: boolean;
  readonly violations: readonly Violation[];
  readonly routes: readonly RouteEvaluation[];
  readonly distance: number;
  readonly techniciansUsed: number;
  readonly fixedCost: number;
  readonly unassignedCount: number;
  readonly unassignedPriority: number;
}

/** The plan a solver result describes. */
export function planOfResult(result: DispatchResult): DispatchPlan {
  return { routes: result.routes.map((r) => ({ technicianId: r.technicianId, orderIds: r.visits.map((v) => v.orderId) })) };
}

function travelBetween(request: DispatchRequest, a: Location, b: Location): { distance: number; duration: number } {
  const travel = request.travel;
  if (travel.kind === 'matrix' && 'matrixIndex' in a && 'matrixIndex' in b) {
    const duration = travel.durations[a.matrixIndex][b.matrixIndex];
    return { duration, distance: (travel.distances ?? travel.durations)[a.matrixIndex][b.matrixIndex] };
  }
  if (travel.kind === 'euclidean' && 'x' in a && 'x' in b) {
    const distance = Math.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2);
    return { distance, duration: distance / (travel.speed ?? 1) };
  }
  if (travel.kind === 'haversine' && 'lat' in a && 'lat' in b) {
    const rad = Math.PI / 180;
    const s1 = Math.sin(((b.lat - a.lat) * rad) / 2);
    const s2 = Math.sin(((b.lon - a.lon) * rad) / 2);
    const h = s1 * s1 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * s2 * s2;
    const distance = 2 * 6371.0088 * Math.atan2(Math.sqrt(h), Math.sqrt(Math.max(0, 1 - h)));
    return { distance, duration: (distance / travel.speedKmh) * 60 };
  }
  throw new Error(`locations do not match travel kind ${travel.kind}`);
}

/** Relative slack for comparing times built from sums of irrational travel times. */
const TOLERANCE = 1e-7;

function evaluateRoute(
  request: DispatchRequest,
  tech: Technician,
  orders: readonly ServiceOrder[],
  fixedStart: ReadonlyMap<string, { technicianId: string; serviceStart: number }>,
  violations: Violation[],
): RouteEvaluation {
  const technicianId = tech.id;
  const skills = new Set(tech.skills ?? []);
  let here = tech.startLocation;
  let time = tech.shift.start;
  let distance = 0;
  let load = 0;
  let freeSoFar = false;
  let lastFixedStart = -Infinity;
  const serviceStarts: number[] = [];
  for (const order of orders) {
    const leg = travelBetween(request, here, order.location);
    distance += leg.distance;
    load += order.demand ?? 0;
    const missing = (order.requiredSkills ?? []).filter((s) => !skills.has(s));
    if (missing.length > 0) {
      violations.push({ kind: 'missing_skill', technicianId, orderId: order.id, message: `lacks ${missing.join(', ')}` });
    }
    const fixed = fixedStart.get(order.id);
    if (fixed !== undefined) {
      if (fixed.technicianId !== technicianId || freeSoFar || fixed.serviceStart < lastFixedStart) {
        violations.push({ kind: 'fixed_visit_moved', technicianId, orderId: order.id, message: 'fixed visit not kept in place' });
      }
      lastFixedStart = fixed.serviceStart;
      serviceStarts.push(fixed.serviceStart);
      time = fixed.serviceStart + order.serviceDuration;
    } else {
      if (!freeSoFar && request.now !== undefined) time = Math.max(time, request.now);
      freeSoFar = true;
      const arrival = time + leg.duration;
      const windows = [...order.timeWindows].sort((a, b) => a.start - b.start);
      const window = windows.find((w) => arrival <= w.end + TOLERANCE * Math.max(1, Math.abs(w.end)));
      if (window === undefined) {
        violations.push({ kind: 'time_window', technicianId, orderId: order.id, message: `arrives at ${arrival}, after every window` });
        serviceStarts.push(arrival);
        time = arrival + order.serviceDuration;
      } else {
        serviceStarts.push(Math.max(arrival, window.start));
        time = Math.max(arrival, window.start) + order.serviceDuration;
      }
    }
    here = order.location;
  }
  const home = travelBetween(request, here, tech.endLocation ?? tech.startLocation);
  distance += home.distance;
  time += home.duration;
  if (time > tech.shift.end + TOLERANCE * Math.max(1, Math.abs(tech.shift.end))) {
    violations.push({ kind: 'shift_end', technicianId, message: `back at ${time}, shift ends ${tech.shift.end}` });
  }
  if (tech.capacity !== undefined && load > tech.capacity + TOLERANCE) {
    violations.push({ kind: 'capacity', technicianId, message: `load ${load} over capacity ${tech.capacity}` });
  }
  return { technicianId, distance, duration: time - tech.shift.start, load, serviceStarts };
}

export function evaluatePlan(request: DispatchRequest, plan: DispatchPlan): PlanEvaluation {
  const violations: Violation[] = [];
  const ordersById = new Map(request.orders.map((o) => [o.id, o]));
  const techsById = new Map(request.technicians.map((t) => [t.id, t]));
  const fixedStart = new Map((request.fixedVisits ?? []).map((v) => [v.orderId, v]));
  const visited = new Set<string>();
  const routes: RouteEvaluation[] = [];
  let fixedCost = 0;
  for (const route of plan.routes) {
    const tech = techsById.get(route.technicianId);
    if (tech === undefined) {
      violations.push({ kind: 'unknown_technician', technicianId: route.technicianId, message: 'no such technician' });
      continue;
    }
    const orders: ServiceOrder[] = [];
    for (const orderId of route.orderIds) {
      const order = ordersById.get(orderId);
      if (order === undefined) {
        violations.push({ kind: 'unknown_order', technicianId: tech.id, orderId, message: 'no such order' });
        continue;
      }
      if (visited.has(orderId)) {
        violations.push({ kind: 'duplicate_visit', technicianId: tech.id, orderId, message: 'order visited more than once' });
      }
      visited.add(orderId);
      orders.push(order);
    }
    if (orders.length === 0) continue;
    routes.push(evaluateRoute(request, tech, orders, fixedStart, violations));
    fixedCost += tech.fixedCost ?? request.objective?.technicianFixedCost ?? 1;
  }
  for (const v of request.fixedVisits ?? []) {
    if (!visited.has(v.orderId)) {
      violations.push({ kind: 'fixed_visit_moved', technicianId: v.technicianId, orderId: v.orderId, message: 'fixed visit missing' });
    }
  }
  const left = request.orders.filter((o) => !visited.has(o.id));
  return {
    feasible: violations.length === 0,
    violations,
    routes,
    distance: routes.reduce((sum, r) => sum + r.distance, 0),
    techniciansUsed: routes.length,
    fixedCost,
    unassignedCount: left.length,
    unassignedPriority: left.reduce((sum, o) => sum + (o.priority ?? 1), 0),
  };
}

/**
 * Judges a solver result as a user will read it: the plan itself, plus the planned start of
 * every visit against the re-simulation, and every order either routed or reported unassigned.
 */
export function evaluateResult(request: DispatchRequest, result: DispatchResult): PlanEvaluation {
  const evaluation = evaluatePlan(request, planOfResult(result));
  const violations = [...evaluation.violations];
  const simulated = new Map(evaluation.routes.map((r) => [r.technicianId, r.serviceStarts]));
  for (const route of result.routes) {
    const starts = simulated.get(route.technicianId) ?? [];
    route.visits.forEach((visit, k) => {
      const expected = starts[k];
      if (expected === undefined || Math.abs(visit.serviceStart - expected) > TOLERANCE * Math.max(1, Math.abs(expected))) {
        violations.push({
          kind: 'timeline_mismatch',
          technicianId: route.technicianId,
          orderId: visit.orderId,
          message: `planned start ${visit.serviceStart}, re-simulated ${expected ?? 'none'}`,
        });
      }
    });
  }
  const accounted = new Set([...result.routes.flatMap((r) => r.visits.map((v) => v.orderId)), ...result.unassigned.map((u) => u.orderId)]);
  for (const order of request.orders) {
    if (!accounted.has(order.id)) violations.push({ kind: 'unaccounted_order', orderId: order.id, message: 'neither routed nor unassigned' });
  }
  return { ...evaluation, violations, feasible: violations.length === 0 };
}
