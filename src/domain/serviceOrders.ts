// The service-order aggregate's language: a job at a place, to start inside one of its time
// windows, needing skills and vehicle capacity. One stream per order. The order's fields are the
// routing library's own (domain/dispatch.ts), so an order goes into a dispatch request unchanged.
import * as t from 'io-ts';
import { ORDER_OPTIONAL_FIELDS, ORDER_REQUIRED_FIELDS } from './dispatch.js';
import { strictObject } from './dispatchCodecKit.js';

const Id = t.refinement(t.string, (s) => s.length > 0 && s.length <= 100, 'an id (1-100 characters)');

/** What a service order asks for; times are in the unit the org's dispatches use (e.g. minutes). */
export const ServiceOrderSpec = strictObject('ServiceOrderSpec', ORDER_REQUIRED_FIELDS, ORDER_OPTIONAL_FIELDS);
export type ServiceOrderSpec = t.TypeOf<typeof ServiceOrderSpec>;

/** Fields an update may change; the others stay as they are. */
export const ServiceOrderChanges = strictObject('ServiceOrderChanges', {}, { ...ORDER_REQUIRED_FIELDS, ...ORDER_OPTIONAL_FIELDS });
export type ServiceOrderChanges = t.TypeOf<typeof ServiceOrderChanges>;

export type ServiceOrderStatus = 'open' | 'cancelled' | 'completed';

// ---- commands -------------------------------------------------------------------------------

export const CreateServiceOrder = t.type({ type: t.literal('CreateServiceOrder'), orderId: Id, order: ServiceOrderSpec });
export const UpdateServiceOrder = t.type({ type: t.literal('UpdateServiceOrder'), orderId: Id, changes: ServiceOrderChanges });
export const CancelServiceOrder = t.type({ type: t.literal('CancelServiceOrder'), orderId: Id, reason: t.string });
export const CompleteServiceOrder = t.type({ type: t.literal('CompleteServiceOrder'), orderId: Id });

export const ServiceOrderCommand = t.union([CreateServiceOrder, UpdateServiceOrder, CancelServiceOrder, CompleteServiceOrder]);
export type ServiceOrderCommand = t.TypeOf<typeof ServiceOrderCommand>;

// ---- events ---------------------------------------------------------------------------------

export const ServiceOrderCreated = t.type({ type: t.literal('ServiceOrderCreated'), orderId: t.string, order: ServiceOrderSpec });
/** Carries the whole order after the change, so readers never merge partial updates. */
export const ServiceOrderUpdated = t.type({ type: t.literal('ServiceOrderUpdated'), orderId: t.string, order: ServiceOrderSpec });
export const ServiceOrderCancelled = t.type({ type: t.literal('ServiceOrderCancelled'), orderId: t.string, reason: t.string });
export const ServiceOrderCompleted = t.type({ type: t.literal('ServiceOrderCompleted'), orderId: t.string });

export const ServiceOrderEvent = t.union([ServiceOrderCreated, ServiceOrderUpdated, ServiceOrderCancelled, ServiceOrderCompleted]);
export type ServiceOrderEvent = t.TypeOf<typeof ServiceOrderEvent>;

// ---- refusals -------------------------------------------------------------------------------

export const ServiceOrderRejection = t.type({
  code: t.union([t.literal('not-found'), t.literal('already-exists'), t.literal('wrong-state')]),
  message: t.string,
});
export type ServiceOrderRejection = t.TypeOf<typeof ServiceOrderRejection>;

export const SERVICE_ORDER_STREAM_PREFIX = 'service-order-';
export const streamIdOfServiceOrder = (orgId: string, orderId: string): string => `${SERVICE_ORDER_STREAM_PREFIX}${orgId}-${orderId}`;
