import assert from 'node:assert/strict';
import { memoryCache, type Cache } from '../../../src/infra/cache.js';
import { ReadCache } from '../../../src/projections/readCache.js';

const ref = { orgId: 'org-a', scheduleId: 'sched-1' };

/** A shared cache that counts round trips, like Redis seen from one instance. */
function countingCache(): Cache & { lookups: number } {
  const inner = memoryCache();
  const counted = Object.assign(Object.create(inner) as Cache, { lookups: 0 });
  counted.getMany = (keys) => {
    counted.lookups++;
    return inner.getMany(keys);
  };
  return counted as Cache & { lookups: number };
}

describe('ReadCache', () => {
  it('answers a hot read from memory without asking the shared cache', async () => {
    const shared = countingCache();
    const cache = new ReadCache(shared, { localTokenMs: 200 });
    let loads = 0;
    const load = async () => ({ version: ++loads });
    assert.deepEqual(await cache.read(ref, 'view', load), { version: 1 });
    assert.deepEqual(await cache.read(ref, 'view', load), { version: 1 });
    const lookupsAfterWarm = shared.lookups;
    for (let i = 0; i < 10; i++) assert.deepEqual(await cache.read(ref, 'view', load), { version: 1 });
    assert.equal(shared.lookups, lookupsAfterWarm);
    assert.equal(loads, 1);
  });

  it('never serves an answer older than its own invalidation', async () => {
    const cache = new ReadCache(countingCache(), { localTokenMs: 10_000 });
    let version = 1;
    const load = async () => ({ version });
    await cache.read(ref, 'view', load);
    await cache.read(ref, 'view', load);
    version = 2;
    await cache.invalidate([ref]);
    assert.deepEqual(await cache.read(ref, 'view', load), { version: 2 });
  });

  it('ignores a lookup that an invalidation overtook', async () => {
    const shared = countingCache();
    const cache = new ReadCache(shared, { localTokenMs: 10_000 });
    let version = 1;
    const load = async () => ({ version });
    await cache.read(ref, 'view', load);
    // A lookup in flight while this instance invalidates must not reinstate the old token.
    const slowRead = cache.read(ref, 'view', load);
    version = 2;
    await cache.invalidate([ref]);
    await slowRead;
    assert.deepEqual(await cache.read(ref, 'view', load), { version: 2 });
  });

  it("sees another instance's invalidation once the local token ages out", async () => {
    let clock = 0;
    const shared = memoryCache();
    const reader = new ReadCache(shared, { localTokenMs: 200, now: () => clock });
    const writer = new ReadCache(shared, { localTokenMs: 200, now: () => clock });
    let version = 1;
    const load = async () => ({ version });
    await reader.read(ref, 'view', load);
    version = 2;
    await writer.invalidate([ref]);
    clock += 199;
    assert.deepEqual(await reader.read(ref, 'view', load), { version: 1 }, 'within the staleness bound');
    clock += 1;
    assert.deepEqual(await reader.read(ref, 'view', load), { version: 2 });
  });

  it('refreshes a hot token in the background past half its life, without making the reader wait', async () => {
    let clock = 0;
    const shared = countingCache();
    const cache = new ReadCache(shared, { localTokenMs: 200, now: () => clock });
    let version = 1;
    const load = async () => ({ version });
    await cache.read(ref, 'view', load);
    await cache.read(ref, 'view', load);
    const before = shared.lookups;
    clock += 99;
    await cache.read(ref, 'view', load);
    assert.equal(shared.lookups, before, 'young token: no lookup');
    clock += 1;
    version = 2;
    await new ReadCache(shared).invalidate([ref]);
    assert.deepEqual(await cache.read(ref, 'view', load), { version: 1 }, 'answered from memory while refreshing');
    assert.equal(shared.lookups, before + 1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await cache.read(ref, 'view', load), { version: 2 }, 'the refreshed token retired the old answer');
  });

  it("never answers with another org's data", async () => {
    const cache = new ReadCache(memoryCache());
    await cache.read(ref, 'view', async () => ({ owner: 'a' }));
    const other = { orgId: 'org-b', scheduleId: ref.scheduleId };
    assert.deepEqual(await cache.read(other, 'view', async () => ({ owner: 'b' })), { owner: 'b' });
    assert.deepEqual(await cache.read(ref, 'view', async () => ({ owner: 'x' })), { owner: 'a' });
  });

  it('shares one lookup between concurrent readers', async () => {
    const shared = countingCache();
    const cache = new ReadCache(shared, { localTokenMs: 200 });
    await cache.read(ref, 'view', async () => ({ version: 1 }));
    const before = shared.lookups;
    const coldInstance = new ReadCache(shared, { localTokenMs: 200 });
    const answers = await Promise.all(Array.from({ length: 20 }, () => coldInstance.read(ref, 'view', async () => ({ version: 9 }))));
    assert.ok(answers.every((answer) => answer?.version === 1));
    assert.equal(shared.lookups - before, 1);
  });

  it('keeps at most the configured number of answers locally', async () => {
    const shared = countingCache();
    const cache = new ReadCache(shared, { localTokenMs: 10_000, localAnswers: 2 });
    for (const resource of ['a', 'b', 'c']) await cache.read(ref, resource, async () => resource);
    const before = shared.lookups;
    assert.equal(await cache.read(ref, 'a', async () => 'reloaded'), 'a');
    assert.equal(shared.lookups - before, 1, 'the oldest answer was dropped locally, so the shared cache answered');
  });

  it('sends the JSON text of the current answer, from memory once hot, and a fresh one after an invalidation', async () => {
    const cache = new ReadCache(countingCache(), { localTokenMs: 10_000 });
    let version = 1;
    const load = async () => ({ version, name: 'week "2"' });
    assert.equal(cache.servedFromMemory(ref, 'view'), undefined, 'nothing in memory yet');
    const first = await cache.readServed(ref, 'view', load);
    assert.deepEqual(first?.value, { version: 1, name: 'week "2"' });
    assert.equal(first?.json, JSON.stringify({ version: 1, name: 'week "2"' }));
    const hot = cache.servedFromMemory<{ version: number }>(ref, 'view');
    assert.equal(hot?.json, first?.json);
    assert.equal(hot?.value.version, 1);
    version = 2;
    await cache.invalidate([ref]);
    assert.equal(cache.servedFromMemory(ref, 'view'), undefined, 'the invalidated answer is not served');
    const fresh = await cache.readServed(ref, 'view', load);
    assert.equal(fresh?.json, JSON.stringify({ version: 2, name: 'week "2"' }));
    assert.equal(cache.servedFromMemory(ref, 'view')?.json, fresh?.json);
    assert.equal(await cache.readServed(ref, 'missing', async () => undefined), undefined);
  });
});
