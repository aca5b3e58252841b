// Read-model queries the dispatch API answers from. Every query is scoped by org id.
import type { DispatchRequest, FixedVisit } from '../domain/dispatch.js';
import type { DispatchSolverSettings } from '../domain/dispatchService.js';
import type { Queryable } from '../infra/database.js';

export interface DispatchView {
  dispatchId: string;
  name: string;
  status: string;
  generation: number;
  source: Record<string, unknown>;
  orders: number;
  technicians: number;
  now: number | null;
  solver: DispatchSolverSettings;
  objective: Record<string, unknown> | null;
  progress: Record<string, unknown> | null;
  stats: Record<string, unknown> | null;
  failureReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface VisitView {
  sequence: number;
  orderId: string;
  plannedArrival: number;
  plannedStart: number;
  plannedDeparture: number;
  /** planned, started or completed. */
  status: string;
  fixed: boolean;
}

export interface RouteView {
  technicianId: string;
  departure: number;
  arrival: number;
  distance: number;
  load: number;
  visits: VisitView[];
}

export interface UnassignedView {
  orderId: string;
  reason: string;
}

const DISPATCH_COLUMNS = `dispatch_id, name, status, generation, source, orders, technicians, now, solver, objective, progress, stats,
  failure_reason, version, created_at, updated_at`;
const GET_DISPATCH = `SELECT ${DISPATCH_COLUMNS} FROM dispatches WHERE org_id = $1 AND dispatch_id = $2`;
// Newest first; the cursor is the last row's (created_at, dispatch_id).
const LIST_DISPATCHES = `
  SELECT ${DISPATCH_COLUMNS} FROM dispatches
   WHERE org_id = $1
     AND ($2::text IS NULL OR status = $2)
     AND ($3::timestamptz IS NULL OR (created_at, dispatch_id) < ($3::timestamptz, $4::text))
   ORDER BY created_at DESC, dispatch_id DESC
   LIMIT $5`;
const GET_REQUEST = `SELECT request, fixed_visits, now, version FROM dispatches WHERE org_id = $1 AND dispatch_id = $2`;
const LIST_TECHNICIAN_ROUTES = `
  SELECT technician_id, departure, arrival, distance, load FROM dispatch_technician_routes
   WHERE org_id = $1 AND dispatch_id = $2 ORDER BY technician_id`;
const LIST_VISITS = `
  SELECT technician_id, sequence, order_id, planned_arrival, planned_start, planned_departure, visit_status, fixed
    FROM dispatch_routes WHERE org_id = $1 AND dispatch_id = $2 ORDER BY technician_id, sequence`;
const LIST_UNASSIGNED = `SELECT order_id, reason FROM dispatch_unassigned WHERE org_id = $1 AND dispatch_id = $2 ORDER BY order_id`;

interface DispatchRow {
  dispatch_id: string; name: string; status: string; generation: number; source: Record<string, unknown>; orders: number; technicians: number;
  now: number | null; solver: DispatchSolverSettings; objective: Record<string, unknown> | null; progress: Record<string, unknown> | null;
  stats: Record<string, unknown> | null; failure_reason: string | null; version: number; created_at: Date; updated_at: Date;
}

export async function getDispatch(db: Queryable, orgId: string, dispatchId: string): Promise<DispatchView | undefined> {
  const { rows } = await db.query<DispatchRow>(GET_DISPATCH, [orgId, dispatchId]);
  return rows[0] && toView(rows[0]);
}

export async function listDispatches(
  db: Queryable,
  orgId: string,
  filter: { status?: string; after?: { createdAt: string; dispatchId: string }; limit: number },
): Promise<{ dispatches: DispatchView[]; next?: { createdAt: string; dispatchId: string } }> {
  const { rows } = await db.query<DispatchRow>(LIST_DISPATCHES, [orgId, filter.status ?? null, filter.after?.createdAt ?? null, filter.after?.dispatchId ?? null, filter.limit + 1]);
  const dispatches = rows.slice(0, filter.limit).map(toView);
  const last = dispatches[dispatches.length - 1];
  return { dispatches, ...(rows.length > filter.limit && last ? { next: { createdAt: last.createdAt, dispatchId: last.dispatchId } } : {}) };
}

function toView(row: DispatchRow): DispatchView {
  return {
    dispatchId: row.dispatch_id,
    name: row.name,
    status: row.status,
    generation: row.generation,
    source: row.source,
    orders: row.orders,
    technicians: row.technicians,
    now: row.now === null ? null : Number(row.now),
    solver: row.solver,
    objective: row.objective,
    progress: row.progress,
    stats: row.stats,
    failureReason: row.failure_reason,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** What the next (or latest) generation solves: the request with fixed visits and `now`. */
export async function getDispatchRequest(db: Queryable, orgId: string, dispatchId: string): Promise<{ request: DispatchRequest; version: number } | undefined> {
  const { rows } = await db.query<{ request: DispatchRequest; fixed_visits: FixedVisit[]; now: number | null; version: number }>(GET_REQUEST, [orgId, dispatchId]);
  const row = rows[0];
  if (!row) return undefined;
  const request: DispatchRequest = {
    ...row.request,
    ...(row.fixed_visits.length ? { fixedVisits: row.fixed_visits } : {}),
    ...(row.now !== null ? { now: Number(row.now) } : {}),
  };
  return { request, version: row.version };
}

export async function listRoutes(db: Queryable, orgId: string, dispatchId: string): Promise<RouteView[]> {
  const routes = await db.query<{ technician_id: string; departure: number; arrival: number; distance: number; load: number }>(LIST_TECHNICIAN_ROUTES, [orgId, dispatchId]);
  const visits = await db.query<{
    technician_id: string; sequence: number; order_id: string; planned_arrival: number; planned_start: number; planned_departure: number; visit_status: string; fixed: boolean;
  }>(LIST_VISITS, [orgId, dispatchId]);
  const byTechnician = new Map<string, VisitView[]>();
  for (const v of visits.rows) {
    const list = byTechnician.get(v.technician_id) ?? [];
    list.push({
      sequence: v.sequence,
      orderId: v.order_id,
      plannedArrival: Number(v.planned_arrival),
      plannedStart: Number(v.planned_start),
      plannedDeparture: Number(v.planned_departure),
      status: v.visit_status,
      fixed: v.fixed,
    });
    byTechnician.set(v.technician_id, list);
  }
  return routes.rows.map((r) => ({
    technicianId: r.technician_id,
    departure: Number(r.departure),
    arrival: Number(r.arrival),
    distance: Number(r.distance),
    load: Number(r.load),
    visits: byTechnician.get(r.technician_id) ?? [],
  }));
}

export async function listUnassigned(db: Queryable, orgId: string, dispatchId: string): Promise<UnassignedView[]> {
  const { rows } = await db.query<{ order_id: string; reason: string }>(LIST_UNASSIGNED, [orgId, dispatchId]);
  return rows.map((r) => ({ orderId: r.order_id, reason: r.reason }));
}
