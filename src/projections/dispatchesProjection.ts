// The `dispatches` projection: dispatch streams → the dispatches, dispatch_routes,
// dispatch_technician_routes and dispatch_unassigned read models; it also opens a `dispatch` solve
// job per requested generation and closes it when the generation ends or a newer one supersedes
// it. Changes to the request reuse the decider's own evolve, so the read side can never disagree
// with the write side about what a change means.
import { isLeft } from 'fp-ts/lib/Either.js';
import { dispatchDecider, type DispatchState } from '../commands/dispatchDecider.js';
import type { DispatchRequest, FixedVisit } from '../domain/dispatch.js';
import { DISPATCH_STREAM_PREFIX, DispatchEvent, type TechnicianRouteData, type UnassignedOrderData } from '../domain/dispatchService.js';
import type { Queryable } from '../infra/database.js';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';
import type { Projection } from './projection.js';
import { closeJob, openJob } from './solveJobsProjection.js';

const INSERT_DISPATCH = `
  INSERT INTO dispatches (org_id, dispatch_id, name, status, generation, source, orders, technicians, request, solver,
                          version, created_at, updated_at)
  VALUES ($1, $2, $3, 'requested', $4, $5, $6, $7, $8, $9, $10, $11, $11)`;
const TOUCH = `UPDATE dispatches SET version = $3, updated_at = $4 WHERE org_id = $1 AND dispatch_id = $2`;
const SET_STARTED = `UPDATE dispatches SET status = 'generating', failure_reason = NULL, version = $3, updated_at = $4 WHERE org_id = $1 AND dispatch_id = $2`;
const SET_PROGRESS = `UPDATE dispatches SET progress = $3, version = $4, updated_at = $5 WHERE org_id = $1 AND dispatch_id = $2`;
const SET_GENERATED = `
  UPDATE dispatches SET status = 'generated', objective = $3, stats = $4, version = $5, updated_at = $6
   WHERE org_id = $1 AND dispatch_id = $2`;
const SET_FAILED = `UPDATE dispatches SET status = 'failed', failure_reason = $3, version = $4, updated_at = $5 WHERE org_id = $1 AND dispatch_id = $2`;
const SET_REDISPATCH = `
  UPDATE dispatches SET status = 'requested', generation = $3, now = $4, solver = $5, version = $6, updated_at = $7
   WHERE org_id = $1 AND dispatch_id = $2`;
const LOAD_CHANGEABLE = `SELECT request, fixed_visits, now FROM dispatches WHERE org_id = $1 AND dispatch_id = $2`;
const SET_CHANGEABLE = `
  UPDATE dispatches SET request = $3, fixed_visits = $4::text::jsonb, orders = $5, technicians = $6, version = $7, updated_at = $8
   WHERE org_id = $1 AND dispatch_id = $2`;
const DELETE_ROUTES = `DELETE FROM dispatch_routes WHERE org_id = $1 AND dispatch_id = $2`;
const DELETE_TECHNICIAN_ROUTES = `DELETE FROM dispatch_technician_routes WHERE org_id = $1 AND dispatch_id = $2`;
const DELETE_UNASSIGNED = `DELETE FROM dispatch_unassigned WHERE org_id = $1 AND dispatch_id = $2`;
const INSERT_VISITS = `
  INSERT INTO dispatch_routes (org_id, dispatch_id, technician_id, sequence, order_id, planned_arrival, planned_start,
                               planned_departure, visit_status, fixed, created_at)
  SELECT $1, $2, v.technician_id, v.sequence, v.order_id, v.arrival, v.start, v.departure, v.status, v.fixed, $3
    FROM unnest($4::text[], $5::int[], $6::text[], $7::float8[], $8::float8[], $9::float8[], $10::text[], $11::boolean[])
         AS v(technician_id, sequence, order_id, arrival, start, departure, status, fixed)`;
const INSERT_TECHNICIAN_ROUTES = `
  INSERT INTO dispatch_technician_routes (org_id, dispatch_id, created_at, technician_id, departure, arrival, distance, load)
  SELECT $1, $2, $3, * FROM unnest($4::text[], $5::float8[], $6::float8[], $7::float8[], $8::float8[])`;
const INSERT_UNASSIGNED = `
  INSERT INTO dispatch_unassigned (org_id, dispatch_id, created_at, order_id, reason)
  SELECT $1, $2, $3, * FROM unnest($4::text[], $5::text[])`;
const SET_VISIT_STATUS = `
  UPDATE dispatch_routes SET visit_status = $4, fixed = true WHERE org_id = $1 AND dispatch_id = $2 AND order_id = $3`;
const DELETE_ORDER_VISIT = `DELETE FROM dispatch_routes WHERE org_id = $1 AND dispatch_id = $2 AND order_id = $3`;
const DELETE_ORDER_UNASSIGNED = `DELETE FROM dispatch_unassigned WHERE org_id = $1 AND dispatch_id = $2 AND order_id = $3`;

type Ids = [orgId: string, dispatchId: string];

/** `dispatch-<org>-<id>` → id, given the org from the metadata. */
function dispatchIdOf(streamId: string, orgId: string): string | undefined {
  const prefix = `${DISPATCH_STREAM_PREFIX}${orgId}-`;
  return streamId.startsWith(prefix) ? streamId.slice(prefix.length) : undefined;
}

/** Decodes a stored event of a dispatch stream; undefined for events of other streams. */
export function asDispatchEvent(event: RecordedEvent): { orgId: string; dispatchId: string; event: DispatchEvent } | undefined {
  const orgId = event.metadata.orgId;
  if (typeof orgId !== 'string') return undefined;
  const dispatchId = dispatchIdOf(event.streamId, orgId);
  if (dispatchId === undefined) return undefined;
  const decoded = DispatchEvent.decode({ ...event.data, type: event.type });
  return isLeft(decoded) ? undefined : { orgId, dispatchId, event: decoded.right };
}

async function replaceRoutes(tx: Queryable, ids: Ids, routes: readonly TechnicianRouteData[], unassigned: readonly UnassignedOrderData[], fixed: readonly FixedVisit[], at: Date): Promise<void> {
  await tx.query(DELETE_ROUTES, ids);
  await tx.query(DELETE_TECHNICIAN_ROUTES, ids);
  await tx.query(DELETE_UNASSIGNED, ids);
  const statusOf = new Map(fixed.map((v) => [v.orderId, v.status]));
  const visits: [string[], number[], string[], number[], number[], number[], string[], boolean[]] = [[], [], [], [], [], [], [], []];
  for (const route of routes) {
    route.visits.forEach((visit, sequence) => {
      visits[0].push(route.technicianId);
      visits[1].push(sequence + 1);
      visits[2].push(visit.orderId);
      visits[3].push(visit.arrival);
      visits[4].push(visit.serviceStart);
      visits[5].push(visit.departure);
      visits[6].push(statusOf.get(visit.orderId) ?? 'planned');
      visits[7].push(visit.fixed);
    });
  }
  if (visits[0].length) await tx.query(INSERT_VISITS, [...ids, at, ...visits]);
  if (routes.length) {
    await tx.query(INSERT_TECHNICIAN_ROUTES, [
      ...ids,
      at,
      routes.map((r) => r.technicianId),
      routes.map((r) => r.departure),
      routes.map((r) => r.arrival),
      routes.map((r) => r.distance),
      routes.map((r) => r.load),
    ]);
  }
  if (unassigned.length) await tx.query(INSERT_UNASSIGNED, [...ids, at, unassigned.map((u) => u.orderId), unassigned.map((u) => u.reason)]);
}

interface Changeable {
  request: DispatchRequest;
  fixed_visits: FixedVisit[];
  now: number | null;
}

async function loadChangeable(tx: Queryable, ids: Ids): Promise<Changeable> {
  const { rows } = await tx.query<Changeable>(LOAD_CHANGEABLE, ids);
  if (!rows[0]) throw new Error(`dispatch ${ids.join('/')} has events but no row: was DispatchRequested skipped?`);
  return rows[0];
}

/** The request and fixed visits after a change event, by the decider's own rules. */
async function applyChange(tx: Queryable, ids: Ids, event: DispatchEvent, version: number, at: Date): Promise<FixedVisit[]> {
  const stored = await loadChangeable(tx, ids);
  const before: DispatchState = {
    ...dispatchDecider.initialState,
    exists: true,
    request: stored.request,
    fixed: new Map(stored.fixed_visits.map((v) => [v.orderId, { technicianId: v.technicianId, status: v.status, serviceStart: v.serviceStart }])),
  };
  const after = dispatchDecider.evolve(before, event);
  const request = after.request ?? stored.request;
  const fixed: FixedVisit[] = [...after.fixed].map(([orderId, v]) => ({ orderId, ...v }));
  await tx.query(SET_CHANGEABLE, [...ids, request, JSON.stringify(fixed), request.orders.length, request.technicians.length, version, at]);
  return fixed;
}

async function applyDispatchEvent(tx: Queryable, ids: Ids, event: DispatchEvent, version: number, at: Date): Promise<void> {
  const [orgId, dispatchId] = ids;
  switch (event.type) {
    case 'DispatchRequested': {
      const { request } = event;
      await tx.query(INSERT_DISPATCH, [...ids, event.name, event.generation, event.source, request.orders.length, request.technicians.length, request, event.solver, version, at]);
      return void (await openJob(tx, { orgId, kind: 'dispatch', subjectId: dispatchId, generation: event.generation }, at));
    }
    case 'DispatchGenerationStarted':
      return void (await tx.query(SET_STARTED, [...ids, version, at]));
    case 'DispatchProgressed':
      return void (await tx.query(SET_PROGRESS, [...ids, event.progress, version, at]));
    case 'RoutesPlanned': {
      const { fixed_visits: fixed } = await loadChangeable(tx, ids);
      await replaceRoutes(tx, ids, event.routes, event.unassigned, fixed, at);
      return void (await tx.query(TOUCH, [...ids, version, at]));
    }
    case 'DispatchGenerated':
      await tx.query(SET_GENERATED, [...ids, event.objective, event.stats, version, at]);
      return void (await closeJob(tx, { orgId, kind: 'dispatch', subjectId: dispatchId, generation: event.generation }, at));
    case 'DispatchFailed':
      await tx.query(SET_FAILED, [...ids, event.reason, version, at]);
      return void (await closeJob(tx, { orgId, kind: 'dispatch', subjectId: dispatchId, generation: event.generation }, at));
    case 'VisitStarted':
    case 'VisitCompleted':
      await applyChange(tx, ids, event, version, at);
      return void (await tx.query(SET_VISIT_STATUS, [...ids, event.orderId, event.type === 'VisitStarted' ? 'started' : 'completed']));
    case 'TechnicianOffSick':
    case 'DispatchOrderAdded':
      return void (await applyChange(tx, ids, event, version, at));
    case 'DispatchOrderCancelled':
      // Gone from the plan at once, before the re-dispatch finishes.
      await applyChange(tx, ids, event, version, at);
      await tx.query(DELETE_ORDER_VISIT, [...ids, event.orderId]);
      return void (await tx.query(DELETE_ORDER_UNASSIGNED, [...ids, event.orderId]));
    case 'RedispatchRequested':
      await tx.query(SET_REDISPATCH, [...ids, event.generation, event.now, event.solver, version, at]);
      // The previous generation is superseded: its job closes (a worker on it loses its lease).
      await closeJob(tx, { orgId, kind: 'dispatch', subjectId: dispatchId, generation: event.generation - 1 }, at);
      return void (await openJob(tx, { orgId, kind: 'dispatch', subjectId: dispatchId, generation: event.generation }, at));
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function dispatchesProjection(): Projection {
  return {
    name: 'dispatches',
    tables: ['dispatches', 'dispatch_routes', 'dispatch_technician_routes', 'dispatch_unassigned'],
    async apply(tx, recorded) {
      const decoded = asDispatchEvent(recorded);
      if (decoded) await applyDispatchEvent(tx, [decoded.orgId, decoded.dispatchId], decoded.event, recorded.version, recorded.recordedAt);
    },
  };
}
