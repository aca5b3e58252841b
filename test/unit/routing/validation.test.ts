import assert from 'node:assert/strict';
import { validateDispatchRequest } from '../../../src/domain/dispatchValidation.js';
import { order, planarRequest, technician } from './fixtures.js';

describe('dispatch request validation', () => {
  it('finds nothing wrong in a consistent request', () => {
    assert.deepEqual(validateDispatchRequest(planarRequest([order('a', 1, 1)], [technician('t')])), []);
  });

  it('reports duplicate ids and inverted windows at their paths', () => {
    const request = planarRequest(
      [order('a', 1, 1), order('a', 2, 2, { timeWindows: [{ start: 50, end: 10 }] })],
      [technician('t', { shift: { start: 10, end: 5 } })],
    );
    assert.deepEqual(
      validateDispatchRequest(request).map((e) => e.path),
      ['orders.1.id', 'orders.1.timeWindows.0.end', 'technicians.0.shift.end'],
    );
  });

  it('reports fixed visits that refer to unknown orders or technicians, or fix an order twice', () => {
    const request = planarRequest([order('a', 1, 1)], [technician('t')], {
      fixedVisits: [
        { orderId: 'a', technicianId: 't', status: 'completed', serviceStart: 0 },
        { orderId: 'a', technicianId: 'ghost', status: 'started', serviceStart: 5 },
        { orderId: 'zz', technicianId: 't', status: 'started', serviceStart: 9 },
      ],
    });
    assert.deepEqual(
      validateDispatchRequest(request).map((e) => e.path),
      ['fixedVisits.1.technicianId', 'fixedVisits.1.orderId', 'fixedVisits.2.orderId'],
    );
  });

  it('requires locations that fit the travel model, and square matrices', () => {
    const geo = planarRequest([order('a', 1, 1)], [technician('t', { startLocation: { lat: 1, lon: 2 } })]);
    assert.deepEqual(validateDispatchRequest(geo).map((e) => e.path), ['technicians.0.startLocation']);
    const matrix = {
      ...planarRequest([{ ...order('a', 0, 0), location: { matrixIndex: 2 } }], [technician('t', { startLocation: { matrixIndex: 0 } })]),
      travel: { kind: 'matrix' as const, durations: [[0, 1], [1]] },
    };
    assert.deepEqual(validateDispatchRequest(matrix).map((e) => e.path), ['travel.durations.1', 'orders.0.location.matrixIndex']);
  });
});
