import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadSolomon, parseSolomon } from '../../../src/solver/routing/index.js';

const c101 = readFileSync('/work/shared/bench/solomon/c101.txt', 'utf8');

describe('Solomon loader', () => {
  it('reads fleet, depot and customers without relying on header text', () => {
    const parsed = parseSolomon(c101.replace('CUST NO.', 'Kunde Nr.'));
    assert.ok(parsed.ok);
    assert.equal(parsed.value.name, 'C101');
    assert.equal(parsed.value.vehicles, 25);
    assert.equal(parsed.value.capacity, 200);
    assert.deepEqual(parsed.value.depot, { id: 0, x: 40, y: 50, demand: 0, ready: 0, due: 1236, service: 0 });
    assert.equal(parsed.value.customers.length, 100);
    assert.deepEqual(parsed.value.customers[0], { id: 1, x: 45, y: 68, demand: 10, ready: 912, due: 967, service: 90 });
  });

  it('builds a product request: planar points for hierarchical, truncated matrix for dimacs', () => {
    const hierarchical = loadSolomon(c101, 'hierarchical');
    assert.ok(hierarchical.ok);
    const request = hierarchical.value.request;
    assert.equal(request.orders.length, 100);
    assert.equal(request.technicians.length, 25);
    assert.deepEqual(request.orders[0].location, { x: 45, y: 68 });
    assert.deepEqual(request.technicians[0].shift, { start: 0, end: 1236 });
    const dimacs = loadSolomon(c101, 'dimacs');
    assert.ok(dimacs.ok);
    const travel = dimacs.value.request.travel;
    assert.equal(travel.kind, 'matrix');
    // depot (40,50) to customer 1 (45,68): sqrt(349) = 18.681… truncated to 18.6
    assert.equal(travel.kind === 'matrix' ? travel.durations[0][1] : NaN, 18.6);
    assert.equal(dimacs.value.request.objective?.technicianFixedCost, 0);
  });

  it('reports a malformed row instead of guessing', () => {
    const parsed = parseSolomon('X\n25 200\n0 1 2 3\n');
    assert.deepEqual(parsed.ok ? [] : parsed.errors, [{ path: 'line 3', message: 'expected 2 or 7 numbers, got 4' }]);
  });
});
