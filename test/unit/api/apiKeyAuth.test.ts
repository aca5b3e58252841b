// API-key verification against the key's own event stream: malformed, unknown, wrong secret,
// revoked and expired keys are refused with a reason; a revocation is seen within the cache time.
import assert from 'node:assert/strict';
import type { Context, Next } from 'koa';
import { authenticate, formatKey, hashSecret, keyVerifier, requireScope, type AuthContext } from '../../../src/api/middleware/apiKeyAuth.js';
import { HttpProblem } from '../../../src/api/problem.js';
import { streamIdOfKey } from '../../../src/domain/apiKeys.js';
import type { EventStore, RecordedEvent } from '../../../src/infra/eventstore/eventStore.js';

const KEY_ID = '0123456789abcdef';
const SECRET = 'S3cretS3cretS3cretS3cretS3cret-_';

/** An event store holding key streams in memory, counting reads (the verifier's only I/O). */
function keyStore() {
  const streams = new Map<string, RecordedEvent[]>();
  let reads = 0;
  const append = (keyId: string, data: Record<string, unknown>) => {
    const stream = streams.get(streamIdOfKey(keyId)) ?? [];
    stream.push({
      id: `${keyId}-${stream.length + 1}`,
      streamId: streamIdOfKey(keyId),
      version: stream.length + 1,
      type: String(data.type),
      data: data as RecordedEvent['data'],
      metadata: {},
      recordedAt: new Date(),
      checkpoint: {} as RecordedEvent['checkpoint'],
    });
    streams.set(streamIdOfKey(keyId), stream);
  };
  const eventStore = {
    readStream: async (streamId: string) => {
      reads++;
      return streams.get(streamId) ?? [];
    },
  } as unknown as EventStore;
  return {
    eventStore,
    reads: () => reads,
    issue: (keyId: string, secret: string, options: { orgId?: string; scopes?: string[]; expiresAt?: string | null } = {}) =>
      append(keyId, { type: 'ApiKeyIssued', keyId, orgId: options.orgId ?? 'acme', name: 'k', scopes: options.scopes ?? ['schedule'], secretHash: hashSecret(secret), expiresAt: options.expiresAt ?? null }),
    revoke: (keyId: string) => append(keyId, { type: 'ApiKeyRevoked', keyId }),
  };
}

describe('API key verification', () => {
  it('accepts the issued key with its org and scopes', async () => {
    const store = keyStore();
    store.issue(KEY_ID, SECRET, { orgId: 'org-a', scopes: ['schedule', 'dispatch'] });
    const verify = keyVerifier(store.eventStore);
    assert.deepEqual(await verify(formatKey(KEY_ID, SECRET)), { keyId: KEY_ID, orgId: 'org-a', scopes: ['schedule', 'dispatch'] });
  });

  it('refuses malformed, unknown and wrong-secret keys without telling which part was wrong', async () => {
    const store = keyStore();
    store.issue(KEY_ID, SECRET);
    const verify = keyVerifier(store.eventStore);
    assert.equal(await verify('pb_short_x'), 'the API key is malformed');
    assert.equal(await verify(`pb_${KEY_ID}_${SECRET}\n`), 'the API key is malformed');
    assert.equal(await verify(formatKey('fedcba9876543210', SECRET)), 'unknown API key');
    assert.equal(await verify(formatKey(KEY_ID, SECRET.slice(0, -1) + 'X')), 'unknown API key', 'a wrong secret reads like an unknown key');
    assert.equal(await verify(formatKey(KEY_ID, SECRET + 'A')), 'unknown API key', 'a longer secret with the right prefix');
  });

  it('still refuses near-miss secrets after the right one was accepted (and accepts it again)', async () => {
    const store = keyStore();
    store.issue(KEY_ID, SECRET);
    const verify = keyVerifier(store.eventStore);
    assert.equal(typeof (await verify(formatKey(KEY_ID, SECRET))), 'object');
    for (const wrong of [SECRET.slice(0, -1) + 'X', 'X' + SECRET.slice(1), SECRET + 'A', SECRET.slice(0, -1), SECRET.toLowerCase()]) {
      assert.equal(await verify(formatKey(KEY_ID, wrong)), 'unknown API key', wrong);
    }
    assert.equal(typeof (await verify(formatKey(KEY_ID, SECRET))), 'object', 'the right secret after wrong ones');
    store.issue('bbbbbbbbbbbbbbbb', 'AnotherSecretAnotherSecret');
    assert.equal(await verify(formatKey('bbbbbbbbbbbbbbbb', SECRET)), 'unknown API key', "one key's accepted secret opens no other key");
  });

  it('refuses a revoked key once the cache time has passed, and an expired key at once', async () => {
    const store = keyStore();
    store.issue(KEY_ID, SECRET);
    let now = new Date('2026-01-01T00:00:00Z');
    store.issue('aaaaaaaaaaaaaaaa', SECRET, { expiresAt: '2026-01-01T00:00:10Z' });
    const verify = keyVerifier(store.eventStore, 50, () => now);
    assert.equal(typeof (await verify(formatKey(KEY_ID, SECRET))), 'object');
    store.revoke(KEY_ID);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(await verify(formatKey(KEY_ID, SECRET)), 'the API key was revoked');

    assert.equal(typeof (await verify(formatKey('aaaaaaaaaaaaaaaa', SECRET))), 'object', 'usable before expiry');
    now = new Date('2026-01-01T00:00:10Z');
    assert.equal(await verify(formatKey('aaaaaaaaaaaaaaaa', SECRET)), 'the API key has expired', 'refused at the expiry instant, even from the cache');
  });

  it('caches a key for at most cacheMs (one stream read per key per period)', async () => {
    const store = keyStore();
    store.issue(KEY_ID, SECRET);
    const verify = keyVerifier(store.eventStore, 100);
    for (let i = 0; i < 5; i++) await verify(formatKey(KEY_ID, SECRET));
    assert.equal(store.reads(), 1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await verify(formatKey(KEY_ID, SECRET));
    assert.equal(store.reads(), 2);
  });

  it('reads a key once for many concurrent requests when its cache entry has expired', async () => {
    const store = keyStore();
    store.issue(KEY_ID, SECRET);
    const verify = keyVerifier(store.eventStore, 100);
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(formatKey(KEY_ID, SECRET))));
    assert.ok(results.every((result) => typeof result === 'object'));
    assert.equal(store.reads(), 1);
  });
});

describe('authenticate and requireScope', () => {
  async function run(headers: Record<string, string>, scope: 'schedule' | 'dispatch', verdict: AuthContext | string): Promise<number> {
    const ctx = {
      state: {} as Record<string, unknown>,
      get: (name: string) => headers[name.toLowerCase()] ?? '',
      set: () => undefined,
    };
    const presented: string[] = [];
    const verify = async (token: string) => {
      presented.push(token);
      return verdict;
    };
    try {
      let reached = false;
      await authenticate(verify)(ctx as unknown as Context, (() => requireScope(scope)(ctx as unknown as Context, (async () => void (reached = true)) as Next)) as Next);
      assert.ok(reached);
      return 200;
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      return error.status;
    }
  }
  const auth: AuthContext = { keyId: KEY_ID, orgId: 'acme', scopes: ['schedule'] };

  it('401 without a key, 403 for a key lacking the scope, through for the right scope', async () => {
    assert.equal(await run({}, 'schedule', auth), 401);
    assert.equal(await run({ authorization: 'Bearer pb_x' }, 'schedule', 'the API key is malformed'), 401);
    assert.equal(await run({ authorization: 'Bearer pb_x' }, 'dispatch', auth), 403);
    assert.equal(await run({ 'x-api-key': 'pb_x' }, 'schedule', auth), 200);
  });

  it('does not treat the admin token as an API key (no key → 401 on API routes)', async () => {
    assert.equal(await run({ authorization: 'Bearer admin-token-0123456789' }, 'schedule', auth), 401);
  });
});
