// Reads a Solomon VRPTW instance (text) and expresses it as a product dispatch request, decoded
// and validated like any user request, so the benchmark exercises the real model end to end.
//   hierarchical: planar points, exact Euclidean travel, one fixed cost per vehicle;
//   dimacs: a travel matrix with each leg truncated to one decimal, travel distance only.
import { decodeDispatchRequest, type FieldError } from '../../domain/dispatchValidation.js';
import type { DispatchRequest } from '../../domain/dispatch.js';

export type SolomonConvention = 'hierarchical' | 'dimacs';

export interface SolomonCustomer {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly demand: number;
  readonly ready: number;
  readonly due: number;
  readonly service: number;
}

export interface SolomonInstance {
  readonly name: string;
  readonly vehicles: number;
  readonly capacity: number;
  readonly depot: SolomonCustomer;
  readonly customers: readonly SolomonCustomer[];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Rows are recognised by their count of numbers (2 = fleet, 7 = site), never by header text. */
export function parseSolomon(text: string): ParseResult<SolomonInstance> {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const name = lines.find((l) => l.length > 0) ?? 'unnamed';
  let fleet: number[] | undefined;
  const sites: SolomonCustomer[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.length === 0) continue;
    const fields = line.split(/\s+/);
    if (!fields.every((f) => /^-?\d+(\.\d+)?$/.test(f))) continue;
    const values = fields.map(Number);
    if (values.length === 2 && fleet === undefined) fleet = values;
    else if (values.length === 7) {
      const [id, x, y, demand, ready, due, service] = values;
      sites.push({ id, x, y, demand, ready, due, service });
    } else return { ok: false, errors: [{ path: `line ${index + 1}`, message: `expected 2 or 7 numbers, got ${values.length}` }] };
  }
  if (fleet === undefined) return { ok: false, errors: [{ path: 'VEHICLE', message: 'no "number capacity" row' }] };
  const [depot, ...customers] = sites;
  if (depot === undefined) return { ok: false, errors: [{ path: 'CUSTOMER', message: 'no depot row' }] };
  return { ok: true, value: { name, vehicles: fleet[0], capacity: fleet[1], depot, customers } };
}

/** Leg length under the DIMACS convention: Euclidean, truncated to one decimal. */
export function truncatedDistance(a: SolomonCustomer, b: SolomonCustomer): number {
  return Math.floor(Math.hypot(a.x - b.x, a.y - b.y) * 10) / 10;
}

/** The instance as untyped JSON, the shape a user would POST. */
export function solomonRequestBody(instance: SolomonInstance, convention: SolomonConvention): unknown {
  const sites = [instance.depot, ...instance.customers];
  const location = (index: number, site: SolomonCustomer): unknown =>
    convention === 'dimacs' ? { matrixIndex: index } : { x: site.x, y: site.y };
  const travel =
    convention === 'dimacs'
      ? { kind: 'matrix', durations: sites.map((a) => sites.map((b) => (a === b ? 0 : truncatedDistance(a, b)))) }
      : { kind: 'euclidean' };
  return {
    orders: instance.customers.map((c, k) => ({
      id: String(c.id),
      location: location(k + 1, c),
      timeWindows: [{ start: c.ready, end: c.due }],
      serviceDuration: c.service,
      demand: c.demand,
    })),
    technicians: Array.from({ length: instance.vehicles }, (_, k) => ({
      id: `vehicle-${k + 1}`,
      startLocation: location(0, instance.depot),
      shift: { start: instance.depot.ready, end: instance.depot.due },
      capacity: instance.capacity,
    })),
    travel,
    objective: { mode: 'hierarchical', technicianFixedCost: convention === 'dimacs' ? 0 : 1 },
  };
}

/** Parses, converts and decodes: the request the product would accept for this instance. */
export function loadSolomon(
  text: string,
  convention: SolomonConvention,
): ParseResult<{ instance: SolomonInstance; request: DispatchRequest }> {
  const parsed = parseSolomon(text);
  if (!parsed.ok) return parsed;
  const decoded = decodeDispatchRequest(solomonRequestBody(parsed.value, convention));
  if (!decoded.ok) return decoded;
  return { ok: true, value: { instance: parsed.value, request: decoded.request } };
}
