// The rules of a service order's life: created open, changed while open, then cancelled or
// completed (both final). Pure: ids and time come with the command.
import type { ServiceOrderCommand, ServiceOrderEvent, ServiceOrderRejection, ServiceOrderSpec, ServiceOrderStatus } from '../domain/serviceOrders.js';
import { accept, reject, type Decider, type Decision } from './decider.js';

export interface ServiceOrderState {
  exists: boolean;
  orderId: string;
  order: ServiceOrderSpec | undefined;
  status: ServiceOrderStatus;
}

const initialState: ServiceOrderState = { exists: false, orderId: '', order: undefined, status: 'open' };

function evolve(state: ServiceOrderState, event: ServiceOrderEvent): ServiceOrderState {
  switch (event.type) {
    case 'ServiceOrderCreated':
      return { exists: true, orderId: event.orderId, order: event.order, status: 'open' };
    case 'ServiceOrderUpdated':
      return { ...state, order: event.order };
    case 'ServiceOrderCancelled':
      return { ...state, status: 'cancelled' };
    case 'ServiceOrderCompleted':
      return { ...state, status: 'completed' };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

const refuse = (code: ServiceOrderRejection['code'], message: string) => reject<ServiceOrderRejection>({ code, message });

/** The order with `changes` applied; a field absent from the changes keeps its value. */
export function applyChanges(order: ServiceOrderSpec, changes: Partial<ServiceOrderSpec>): ServiceOrderSpec {
  const merged: ServiceOrderSpec = { ...order };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) Object.assign(merged, { [key]: value });
  return merged;
}

function decide(command: ServiceOrderCommand, state: ServiceOrderState): Decision<ServiceOrderEvent, ServiceOrderRejection> {
  if (command.type === 'CreateServiceOrder') {
    if (state.exists) return refuse('already-exists', `service order ${command.orderId} already exists`);
    return accept({ type: 'ServiceOrderCreated', orderId: command.orderId, order: command.order });
  }
  if (!state.exists || !state.order) return refuse('not-found', 'no such service order');
  if (state.status !== 'open') return refuse('wrong-state', `the service order is ${state.status}`);
  switch (command.type) {
    case 'UpdateServiceOrder':
      return accept({ type: 'ServiceOrderUpdated', orderId: state.orderId, order: applyChanges(state.order, command.changes) });
    case 'CancelServiceOrder':
      return accept({ type: 'ServiceOrderCancelled', orderId: state.orderId, reason: command.reason });
    case 'CompleteServiceOrder':
      return accept({ type: 'ServiceOrderCompleted', orderId: state.orderId });
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const serviceOrderDecider: Decider<ServiceOrderCommand, ServiceOrderEvent, ServiceOrderState, ServiceOrderRejection> = { initialState, evolve, decide };
