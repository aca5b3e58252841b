// Read-model queries the service-order API answers from. Every query is scoped by org id.
import type { Location, TimeWindow } from '../domain/dispatch.js';
import type { ServiceOrderSpec } from '../domain/serviceOrders.js';
import type { Queryable } from '../infra/database.js';

export interface ServiceOrderView {
  orderId: string;
  status: string;
  priority: number;
  location: Location;
  timeWindows: TimeWindow[];
  serviceDuration: number;
  requiredSkills: string[];
  demand: number;
  cancelReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

interface OrderRow {
  order_id: string;
  status: string;
  priority: number;
  location: Location;
  time_windows: TimeWindow[];
  service_duration: number;
  required_skills: string[];
  demand: number;
  cancel_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `order_id, status, priority, location, time_windows, service_duration, required_skills, demand, cancel_reason, version, created_at, updated_at`;
const GET_ORDER = `SELECT ${COLUMNS} FROM service_orders WHERE org_id = $1 AND order_id = $2`;
const GET_ORDERS = `SELECT ${COLUMNS} FROM service_orders WHERE org_id = $1 AND order_id = ANY($2::text[])`;
// Newest first; the cursor is the last row's (created_at, order_id).
const LIST_ORDERS = `
  SELECT ${COLUMNS} FROM service_orders
   WHERE org_id = $1
     AND ($2::text IS NULL OR status = $2)
     AND ($3::text IS NULL OR $3 = ANY(required_skills))
     AND ($4::int IS NULL OR priority >= $4)
     AND ($5::timestamptz IS NULL OR (created_at, order_id) < ($5::timestamptz, $6::text))
   ORDER BY created_at DESC, order_id DESC
   LIMIT $7`;
const OPEN_ORDERS = `SELECT ${COLUMNS} FROM service_orders WHERE org_id = $1 AND status = 'open' ORDER BY created_at, order_id LIMIT $2`;

function toView(row: OrderRow): ServiceOrderView {
  return {
    orderId: row.order_id,
    status: row.status,
    priority: row.priority,
    location: row.location,
    timeWindows: row.time_windows,
    serviceDuration: Number(row.service_duration),
    requiredSkills: row.required_skills,
    demand: Number(row.demand),
    cancelReason: row.cancel_reason,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The order as the routing request takes it. */
export function specOf(view: ServiceOrderView): ServiceOrderSpec & { id: string } {
  return {
    id: view.orderId,
    location: view.location,
    timeWindows: view.timeWindows,
    serviceDuration: view.serviceDuration,
    ...(view.requiredSkills.length ? { requiredSkills: view.requiredSkills } : {}),
    priority: view.priority,
    demand: view.demand,
  };
}

export async function getServiceOrder(db: Queryable, orgId: string, orderId: string): Promise<ServiceOrderView | undefined> {
  const { rows } = await db.query<OrderRow>(GET_ORDER, [orgId, orderId]);
  return rows[0] && toView(rows[0]);
}

export async function getServiceOrders(db: Queryable, orgId: string, orderIds: readonly string[]): Promise<Map<string, ServiceOrderView>> {
  const { rows } = await db.query<OrderRow>(GET_ORDERS, [orgId, orderIds]);
  return new Map(rows.map((row) => [row.order_id, toView(row)]));
}

/** Open orders, oldest first, at most `limit`. */
export async function openServiceOrders(db: Queryable, orgId: string, limit: number): Promise<ServiceOrderView[]> {
  const { rows } = await db.query<OrderRow>(OPEN_ORDERS, [orgId, limit]);
  return rows.map(toView);
}

export interface ServiceOrderFilter {
  status?: string;
  skill?: string;
  minPriority?: number;
  /** From a previous page's `nextCursor`. */
  after?: { createdAt: string; orderId: string };
  limit: number;
}

export async function listServiceOrders(db: Queryable, orgId: string, filter: ServiceOrderFilter): Promise<{ orders: ServiceOrderView[]; next?: { createdAt: string; orderId: string } }> {
  const { rows } = await db.query<OrderRow>(LIST_ORDERS, [
    orgId,
    filter.status ?? null,
    filter.skill ?? null,
    filter.minPriority ?? null,
    filter.after?.createdAt ?? null,
    filter.after?.orderId ?? null,
    filter.limit + 1,
  ]);
  const orders = rows.slice(0, filter.limit).map(toView);
  const last = orders[orders.length - 1];
  return { orders, ...(rows.length > filter.limit && last ? { next: { createdAt: last.createdAt, orderId: last.orderId } } : {}) };
}
