import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DispatchRequest } from '../../../src/domain/dispatch.js';
import type { DispatchProgress } from '../../../src/solver/routing/index.js';
import { evaluateResult, loadSolomon, solveDispatch } from '../../../src/solver/routing/index.js';

const SOLOMON = '/work/shared/bench/solomon';

function r101(): DispatchRequest {
  const loaded = loadSolomon(readFileSync(`${SOLOMON}/r101.txt`, 'utf8'), 'hierarchical');
  assert.ok(loaded.ok);
  return loaded.value.request;
}

describe('dispatch search control', () => {
  it('repeats exactly for the same seed and iteration budget', () => {
    const request = r101();
    const first = solveDispatch(request, { seed: 11, iterationBudget: 300 });
    const second = solveDispatch(request, { seed: 11, iterationBudget: 300 });
    assert.ok(first.ok && second.ok);
    assert.deepEqual(first.result.routes, second.result.routes);
    assert.deepEqual(first.result.objective, second.result.objective);
    assert.equal(first.result.stats.stopReason, 'iterationBudget');
    assert.equal(first.result.stats.iterations, 300);
  });

  it('improves on the construction within its budget', () => {
    const request = r101();
    const constructed = solveDispatch(request, { seed: 2, iterationBudget: 1 });
    const searched = solveDispatch(request, { seed: 2, iterationBudget: 2000 });
    assert.ok(constructed.ok && searched.ok);
    const key = (o: { techniciansUsed: number; travelDistance: number }): number => o.techniciansUsed * 1e6 + o.travelDistance;
    assert.ok(key(searched.result.objective) < key(constructed.result.objective));
    assert.deepEqual(evaluateResult(request, searched.result).violations, []);
  });

  it('stops when cancelled and still returns a complete feasible plan', () => {
    const request = r101();
    const controller = new AbortController();
    const seen: DispatchProgress[] = [];
    const outcome = solveDispatch(request, {
      seed: 1,
      timeLimitMs: 20_000,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.phase !== 'construction') controller.abort();
      },
    });
    assert.ok(outcome.ok);
    assert.equal(outcome.result.stats.stopReason, 'cancelled');
    assert.ok(outcome.result.stats.elapsedMs < 10_000);
    assert.equal(seen[0].phase, 'construction');
    assert.equal(outcome.result.unassigned.length, 0);
    assert.deepEqual(evaluateResult(request, outcome.result).violations, []);
  });

  it('stops on a shared cancel flag, for callers in another thread', () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const outcome = solveDispatch(r101(), {
      seed: 1,
      timeLimitMs: 20_000,
      cancelFlag: flag,
      onProgress: () => Atomics.store(flag, 0, 1),
    });
    assert.ok(outcome.ok);
    assert.equal(outcome.result.stats.stopReason, 'cancelled');
    assert.equal(outcome.result.stats.iterations, 0, 'the flag was raised right after construction');
  });

  it('stops when the best plan stops improving', () => {
    // Two orders on a line: the construction is already optimal, so nothing ever improves.
    const request: DispatchRequest = {
      orders: [1, 2].map((x) => ({ id: `o${x}`, location: { x, y: 0 }, timeWindows: [{ start: 0, end: 100 }], serviceDuration: 0 })),
      technicians: [{ id: 't', startLocation: { x: 0, y: 0 }, shift: { start: 0, end: 100 } }],
      travel: { kind: 'euclidean' },
    };
    const outcome = solveDispatch(request, { seed: 1, timeLimitMs: 20_000, unimprovedLimitMs: 200 });
    assert.ok(outcome.ok);
    assert.equal(outcome.result.stats.stopReason, 'unimproved');
    assert.ok(outcome.result.stats.elapsedMs < 5_000);
  });

  it('a stale fleet phase hands over to travel optimisation instead of ending the search', () => {
    const outcome = solveDispatch(r101(), { seed: 1, timeLimitMs: 10_000, unimprovedLimitMs: 150 });
    assert.ok(outcome.ok);
    const { stats } = outcome.result;
    assert.ok(stats.iterations > stats.fleetIterations, `travel phase ran: ${stats.iterations} > ${stats.fleetIterations}`);
    assert.equal(stats.stopReason, 'unimproved');
  });

  it('honours the time limit', () => {
    const outcome = solveDispatch(r101(), { seed: 1, timeLimitMs: 300 });
    assert.ok(outcome.ok);
    assert.equal(outcome.result.stats.stopReason, 'timeLimit');
    assert.ok(outcome.result.stats.elapsedMs < 1500, `took ${outcome.result.stats.elapsedMs} ms`);
  });
});
