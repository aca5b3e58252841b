// Small hand-made dispatch requests shared by the routing tests.
import type { DispatchRequest, ServiceOrder, Technician } from '../../../src/domain/dispatch.js';

export function order(id: string, x: number, y: number, extra: Partial<ServiceOrder> = {}): ServiceOrder {
  return { id, location: { x, y }, timeWindows: [{ start: 0, end: 1000 }], serviceDuration: 0, ...extra };
}

export function technician(id: string, extra: Partial<Technician> = {}): Technician {
  return { id, startLocation: { x: 0, y: 0 }, shift: { start: 0, end: 1000 }, ...extra };
}

export function planarRequest(orders: ServiceOrder[], technicians: Technician[], extra: Partial<DispatchRequest> = {}): DispatchRequest {
  return { orders, technicians, travel: { kind: 'euclidean' }, ...extra };
}
