import assert from 'node:assert/strict';
import { decodeDispatchRequest } from '../../../src/domain/dispatchValidation.js';

const valid = {
  orders: [{ id: 'o1', location: { x: 1, y: 2 }, timeWindows: [{ start: 0, end: 10 }], serviceDuration: 5, priority: 2, demand: 1 }],
  technicians: [{ id: 't1', startLocation: { x: 0, y: 0 }, shift: { start: 0, end: 100 }, skills: ['gas'], capacity: 3 }],
  travel: { kind: 'euclidean' },
};

function errorsOf(input: unknown): { path: string; message: string }[] {
  const decoded = decodeDispatchRequest(input);
  assert.equal(decoded.ok, false, 'expected the request to be rejected');
  return decoded.ok ? [] : decoded.errors;
}

describe('dispatch request codec', () => {
  it('accepts a well-formed request unchanged', () => {
    const decoded = decodeDispatchRequest(valid);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.request, valid);
  });

  it('rejects unknown fields with their path, so typos do not fall back to defaults', () => {
    const input = { ...valid, orders: [{ ...valid.orders[0], priorty: 3 }] };
    assert.deepEqual(errorsOf(input), [{ path: 'orders.0.priorty', message: 'unknown field' }]);
  });

  it('names the path of every invalid nested field', () => {
    const input = {
      ...valid,
      orders: [{ ...valid.orders[0], timeWindows: [{ start: 0, end: 'noon' }], serviceDuration: -1 }],
      technicians: [{ ...valid.technicians[0], shift: { start: 0 } }],
    };
    const paths = errorsOf(input).map((e) => e.path).sort();
    assert.deepEqual(paths, ['orders.0.serviceDuration', 'orders.0.timeWindows.0.end', 'technicians.0.shift.end']);
  });

  it('explains a location that matches no known shape', () => {
    const input = { ...valid, orders: [{ ...valid.orders[0], location: { street: 'Main' } }] };
    const [error] = errorsOf(input);
    assert.equal(error.path, 'orders.0.location');
    assert.match(error.message, /x and y, lat and lon, or matrixIndex/);
  });

  it('rejects an unknown travel kind listing the allowed ones', () => {
    const [error] = errorsOf({ ...valid, travel: { kind: 'teleport' } });
    assert.equal(error.path, 'travel.kind');
    assert.match(error.message, /"euclidean", "haversine", "matrix"/);
  });

  it('checks the fields of the chosen travel kind and the ranges of coordinates', () => {
    assert.deepEqual(errorsOf({ ...valid, travel: { kind: 'haversine' } }), [{ path: 'travel.speedKmh', message: 'is required' }]);
    const input = { ...valid, orders: [{ ...valid.orders[0], location: { lat: 91, lon: 0 } }] };
    assert.deepEqual(errorsOf(input), [{ path: 'orders.0.location.lat', message: 'must be a latitude in [-90, 90]' }]);
  });

  it('requires at least one time window and a positive integer priority', () => {
    const input = { ...valid, orders: [{ ...valid.orders[0], timeWindows: [], priority: 1.5 }] };
    const paths = errorsOf(input).map((e) => e.path).sort();
    assert.deepEqual(paths, ['orders.0.priority', 'orders.0.timeWindows']);
  });
});
