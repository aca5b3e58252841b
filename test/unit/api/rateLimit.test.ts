// Rate limits counted in memory (no Redis): per key when authenticated, per client address
// otherwise; 429 with Retry-After and RateLimit-* headers; separate keys and addresses do not
// share a budget.
import assert from 'node:assert/strict';
import Koa from 'koa';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { problems } from '../../../src/api/middleware/problems.js';
import { rateLimit } from '../../../src/api/middleware/rateLimit.js';

describe('rate limit (in memory)', () => {
  let server: http.Server;
  let port: number;

  before(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(problems());
    // The test states who is calling: a key id header stands in for authentication.
    app.use(async (ctx, next) => {
      ctx.state.clientAddress = ctx.get('X-Test-Address');
      const keyId = ctx.get('X-Test-Key');
      if (keyId) ctx.state.auth = { keyId, orgId: 'o', scopes: ['schedule'] };
      await next();
    });
    app.use(rateLimit({ perKeyPerMinute: 3, perAddressPerMinute: 2 }));
    app.use((ctx) => (ctx.body = { ok: true }));
    server = http.createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const call = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/`, { headers });

  it('counts down RateLimit-Remaining, then answers 429 with Retry-After as problem+json', async () => {
    const who = { 'X-Test-Address': '198.51.100.1', 'X-Test-Key': 'key-one' };
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await call(who);
      assert.equal(answer.status, 200);
      assert.equal(answer.headers.get('ratelimit-limit'), '3');
      remaining.push(answer.headers.get('ratelimit-remaining')!);
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const refused = await call(who);
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers.get('ratelimit-remaining'), '0');
    assert.ok(Number(refused.headers.get('ratelimit-reset')) >= 1);
    assert.match(refused.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(((await refused.json()) as { type: string }).type, 'https://paiban.dev/problems/rate-limited');
  });

  it('gives every key its own budget, whatever address it calls from', async () => {
    for (let i = 0; i < 4; i++) await call({ 'X-Test-Address': '198.51.100.2', 'X-Test-Key': 'key-two' });
    assert.equal((await call({ 'X-Test-Address': '198.51.100.2', 'X-Test-Key': 'key-three' })).status, 200);
    assert.equal((await call({ 'X-Test-Address': '198.51.100.99', 'X-Test-Key': 'key-two' })).status, 429, 'moving address does not reset a key');
  });

  it('limits unauthenticated callers per address, independently of keys from that address', async () => {
    const anonymous = { 'X-Test-Address': '198.51.100.3' };
    assert.equal((await call(anonymous)).status, 200);
    assert.equal((await call(anonymous)).status, 200);
    const refused = await call(anonymous);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('ratelimit-limit'), '2');
    assert.equal((await call({ 'X-Test-Address': '198.51.100.4' })).status, 200, 'another address has its own budget');
    assert.equal((await call({ ...anonymous, 'X-Test-Key': 'key-four' })).status, 200, 'a key from that address has its own budget');
  });
});
