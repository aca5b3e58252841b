// The `service-orders` projection: service-order streams → the service_orders read model.
import { isLeft } from 'fp-ts/lib/Either.js';
import { SERVICE_ORDER_STREAM_PREFIX, ServiceOrderEvent, type ServiceOrderSpec } from '../domain/serviceOrders.js';
import type { Queryable } from '../infra/database.js';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';
import type { Projection } from './projection.js';

const INSERT_ORDER = `
  INSERT INTO service_orders (org_id, order_id, status, priority, location, time_windows, service_duration,
                              required_skills, demand, version, created_at, updated_at)
  VALUES ($1, $2, 'open', $3, $4::text::jsonb, $5::text::jsonb, $6, $7, $8, $9, $10, $10)`;
const UPDATE_ORDER = `
  UPDATE service_orders SET priority = $3, location = $4::text::jsonb, time_windows = $5::text::jsonb, service_duration = $6,
         required_skills = $7, demand = $8, version = $9, updated_at = $10
   WHERE org_id = $1 AND order_id = $2`;
const SET_STATUS = `UPDATE service_orders SET status = $3, cancel_reason = $4, version = $5, updated_at = $6 WHERE org_id = $1 AND order_id = $2`;

/** Decodes a stored event of a service-order stream; undefined for events of other streams. */
export function asServiceOrderEvent(event: RecordedEvent): { orgId: string; event: ServiceOrderEvent } | undefined {
  const orgId = event.metadata.orgId;
  if (typeof orgId !== 'string' || !event.streamId.startsWith(`${SERVICE_ORDER_STREAM_PREFIX}${orgId}-`)) return undefined;
  const decoded = ServiceOrderEvent.decode({ ...event.data, type: event.type });
  return isLeft(decoded) ? undefined : { orgId, event: decoded.right };
}

// JSON goes in as text cast to jsonb: node-postgres would send a JS array as a PostgreSQL array.
const orderColumns = (order: ServiceOrderSpec) => [
  order.priority ?? 1,
  JSON.stringify(order.location),
  JSON.stringify(order.timeWindows),
  order.serviceDuration,
  order.requiredSkills ?? [],
  order.demand ?? 0,
];

async function applyServiceOrderEvent(tx: Queryable, orgId: string, event: ServiceOrderEvent, version: number, at: Date): Promise<void> {
  switch (event.type) {
    case 'ServiceOrderCreated':
      return void (await tx.query(INSERT_ORDER, [orgId, event.orderId, ...orderColumns(event.order), version, at]));
    case 'ServiceOrderUpdated':
      return void (await tx.query(UPDATE_ORDER, [orgId, event.orderId, ...orderColumns(event.order), version, at]));
    case 'ServiceOrderCancelled':
      return void (await tx.query(SET_STATUS, [orgId, event.orderId, 'cancelled', event.reason, version, at]));
    case 'ServiceOrderCompleted':
      return void (await tx.query(SET_STATUS, [orgId, event.orderId, 'completed', null, version, at]));
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

export function serviceOrdersProjection(): Projection {
  return {
    name: 'service-orders',
    tables: ['service_orders'],
    async apply(tx, recorded) {
      const decoded = asServiceOrderEvent(recorded);
      if (decoded) await applyServiceOrderEvent(tx, decoded.orgId, decoded.event, recorded.version, recorded.recordedAt);
    },
  };
}
