// Checks a decoded dispatch request for what a codec cannot see: duplicate ids, references that
// point nowhere, windows that end before they start, locations that do not fit the travel model.
import type * as t from 'io-ts';
import { DispatchRequest, type Location, type TimeWindow, type TravelModel } from './dispatch.js';
import { formatErrors, type FieldError } from './fieldErrors.js';

export type { FieldError } from './fieldErrors.js';

function locationErrors(location: Location, travel: TravelModel, matrixSize: number, path: string): FieldError[] {
  switch (travel.kind) {
    case 'euclidean':
      return 'x' in location ? [] : [{ path, message: 'euclidean travel needs planar x/y locations' }];
    case 'haversine':
      return 'lat' in location ? [] : [{ path, message: 'haversine travel needs lat/lon locations' }];
    case 'matrix':
      if (!('matrixIndex' in location)) return [{ path, message: 'matrix travel needs matrixIndex locations' }];
      return location.matrixIndex < matrixSize
        ? []
        : [{ path: `${path}.matrixIndex`, message: `must be below the matrix size ${matrixSize}` }];
    default: {
      const unreachable: never = travel;
      return unreachable;
    }
  }
}

function windowErrors(window: TimeWindow, path: string): FieldError[] {
  return window.start <= window.end ? [] : [{ path: `${path}.end`, message: 'must not be before start' }];
}

function matrixErrors(matrix: readonly (readonly number[])[], size: number, path: string): FieldError[] {
  const errors: FieldError[] = [];
  matrix.forEach((row, i) => {
    if (row.length !== size) errors.push({ path: `${path}.${i}`, message: `row must have ${size} entries (square matrix)` });
  });
  return errors;
}

/** Referential and consistency checks on a decoded request; an empty list means valid. */
export function validateDispatchRequest(request: DispatchRequest): FieldError[] {
  const errors: FieldError[] = [];
  const { travel } = request;
  const matrixSize = travel.kind === 'matrix' ? travel.durations.length : 0;
  if (travel.kind === 'matrix') {
    errors.push(...matrixErrors(travel.durations, matrixSize, 'travel.durations'));
    if (travel.distances !== undefined) {
      if (travel.distances.length !== matrixSize) {
        errors.push({ path: 'travel.distances', message: `must have ${matrixSize} rows like durations` });
      }
      errors.push(...matrixErrors(travel.distances, matrixSize, 'travel.distances'));
    }
  }

  const orderIds = new Set<string>();
  request.orders.forEach((order, i) => {
    const path = `orders.${i}`;
    if (orderIds.has(order.id)) errors.push({ path: `${path}.id`, message: `duplicate order id "${order.id}"` });
    orderIds.add(order.id);
    errors.push(...locationErrors(order.location, travel, matrixSize, `${path}.location`));
    order.timeWindows.forEach((w, k) => errors.push(...windowErrors(w, `${path}.timeWindows.${k}`)));
  });

  const technicianIds = new Set<string>();
  request.technicians.forEach((tech, i) => {
    const path = `technicians.${i}`;
    if (technicianIds.has(tech.id)) errors.push({ path: `${path}.id`, message: `duplicate technician id "${tech.id}"` });
    technicianIds.add(tech.id);
    errors.push(...locationErrors(tech.startLocation, travel, matrixSize, `${path}.startLocation`));
    if (tech.endLocation !== undefined) {
      errors.push(...locationErrors(tech.endLocation, travel, matrixSize, `${path}.endLocation`));
    }
    errors.push(...windowErrors(tech.shift, `${path}.shift`));
  });

  const fixedOrders = new Set<string>();
  (request.fixedVisits ?? []).forEach((visit, i) => {
    const path = `fixedVisits.${i}`;
    if (!orderIds.has(visit.orderId)) errors.push({ path: `${path}.orderId`, message: `unknown order "${visit.orderId}"` });
    if (!technicianIds.has(visit.technicianId)) {
      errors.push({ path: `${path}.technicianId`, message: `unknown technician "${visit.technicianId}"` });
    }
    if (fixedOrders.has(visit.orderId)) {
      errors.push({ path: `${path}.orderId`, message: `order "${visit.orderId}" is fixed more than once` });
    }
    fixedOrders.add(visit.orderId);
  });
  return errors;
}

export type DecodeResult = { ok: true; request: DispatchRequest } | { ok: false; errors: FieldError[] };

/** Decodes untrusted input (e.g. a POST body) and runs the referential checks. */
export function decodeDispatchRequest(input: unknown): DecodeResult {
  const decoded: t.Validation<DispatchRequest> = DispatchRequest.decode(input);
  if (decoded._tag === 'Left') return { ok: false, errors: formatErrors(decoded.left) };
  const errors = validateDispatchRequest(decoded.right);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, request: decoded.right };
}
