// The large-request benchmark (bench/largeRequests.ts) claims its requests are ones the service
// accepts, up to its limits: checked here, since bench/RESULTS.md quotes it against them.
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { largeRequest } from '../../../bench/largeRequests.js';
import { loadConfig } from '../../../src/infra/config.js';
import { validateProblem } from '../../../src/solver/validateProblem.js';

describe('large requests (bench tool)', () => {
  it('builds the largest request the limits accept, valid and within the body limit', () => {
    const { limits } = loadConfig({ env: {} });
    const problem = largeRequest({ employees: limits.employees_per_request, days: limits.days_per_request, shiftTypes: 10 });
    assert.deepEqual(validateProblem(problem), []);
    assert.equal(problem.employees.length, limits.employees_per_request);
    assert.equal(problem.days, limits.days_per_request);
    const bytes = Buffer.byteLength(JSON.stringify({ problem }));
    assert.ok(bytes <= limits.body_bytes, `${bytes} bytes against ${limits.body_bytes}`);
    // Every shift of every day wants 60 % of the staff spread over the shift types.
    assert.ok(problem.cover.every((c) => c.required === 120));
  });
});
