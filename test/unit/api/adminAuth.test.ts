// The admin guard: the network is checked first (403), then the bearer token in constant time (401).
import assert from 'node:assert/strict';
import type { Context, Next } from 'koa';
import { bearerToken, requireAdmin, secretsEqual } from '../../../src/api/middleware/adminAuth.js';
import { AddressRanges } from '../../../src/api/middleware/clientAddress.js';
import { HttpProblem } from '../../../src/api/problem.js';

const TOKEN = 'admin-token-0123456789abcdef';

interface Outcome {
  status: number;
  actor?: string;
  wwwAuthenticate?: string;
}

async function guard(options: { token?: string; allowed: string[] }, address: string, authorization: string): Promise<Outcome> {
  const headers: Record<string, string> = {};
  const ctx = {
    state: { clientAddress: address } as { clientAddress: string; actor?: string },
    get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : ''),
    set: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
  };
  try {
    let reached = false;
    await requireAdmin({ token: options.token, allowed: new AddressRanges(options.allowed) })(ctx as unknown as Context, (async () => void (reached = true)) as Next);
    assert.ok(reached);
    return { status: 200, actor: ctx.state.actor };
  } catch (error) {
    if (!(error instanceof HttpProblem)) throw error;
    return { status: error.status, wwwAuthenticate: headers['www-authenticate'] };
  }
}

describe('admin authentication', () => {
  const loopback = ['127.0.0.0/8'];

  it('lets the right token in from an allowed address, and records the actor as admin', async () => {
    assert.deepEqual(await guard({ token: TOKEN, allowed: loopback }, '127.0.0.1', `Bearer ${TOKEN}`), { status: 200, actor: 'admin' });
    assert.equal((await guard({ token: TOKEN, allowed: loopback }, '127.0.0.1', `bearer   ${TOKEN}  `)).status, 200, 'scheme is case-insensitive');
  });

  it('answers 401 (with WWW-Authenticate) for no token, a wrong token, a prefix of it, or another scheme', async () => {
    for (const authorization of ['', 'Bearer wrong-token-0123456789', `Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`]) {
      const outcome = await guard({ token: TOKEN, allowed: loopback }, '127.0.0.1', authorization);
      assert.equal(outcome.status, 401, `Authorization: ${JSON.stringify(authorization)}`);
      assert.match(outcome.wwwAuthenticate ?? '', /^Bearer/);
    }
  });

  it('answers 403 from a disallowed address, even with the right token', async () => {
    assert.equal((await guard({ token: TOKEN, allowed: loopback }, '203.0.113.9', `Bearer ${TOKEN}`)).status, 403);
    assert.equal((await guard({ token: TOKEN, allowed: loopback }, '', `Bearer ${TOKEN}`)).status, 403, 'an unknown peer is not allowed');
  });

  it('is shut (401) when no token is configured: an empty bearer cannot match an empty setting', async () => {
    assert.equal((await guard({ token: undefined, allowed: loopback }, '127.0.0.1', 'Bearer ')).status, 401);
    assert.equal((await guard({ token: undefined, allowed: loopback }, '127.0.0.1', 'Bearer undefined')).status, 401);
  });

  it('compares secrets by value whatever their lengths', () => {
    assert.ok(secretsEqual(TOKEN, TOKEN));
    assert.ok(!secretsEqual(TOKEN, TOKEN + 'x'));
    assert.ok(!secretsEqual('', TOKEN));
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('Bearer'), undefined);
    assert.equal(bearerToken('Token abc'), undefined);
  });
});
