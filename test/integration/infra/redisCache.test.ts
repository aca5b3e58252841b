// The Redis cache against the real server: what callers read back, and that ordinary use logs no
// outage warning (a false "cache unavailable" would send an operator looking for a Redis problem).
import assert from 'node:assert/strict';
import bunyan from 'bunyan';
import { connectRedisClient, redisCache, type Cache } from '../../../src/infra/cache.js';
import { REDIS, redisUnreachable, requireService } from '../../support/services.js';

describe('redisCache on the real Redis', () => {
  requireService('Redis', redisUnreachable);

  let cache: Cache;
  let warnings: bunyan.RingBuffer;

  beforeEach(async () => {
    warnings = new bunyan.RingBuffer({ limit: 10 });
    const logger = bunyan.createLogger({ name: 'paiban', level: 'warn', streams: [{ type: 'raw', stream: warnings, level: 'warn' }] });
    const keyPrefix = `paiban-test-cache-${process.pid}-${Date.now()}:`;
    const redis = connectRedisClient({ ...REDIS, db: 0, keyPrefix });
    // The client fails commands until it is connected (no offline queue): wait for that first.
    await new Promise((resolve) => redis.once('ready', resolve));
    cache = redisCache(redis, logger);
  });
  afterEach(() => cache.close());

  it('reads several keys in one call, a missing one as undefined', async () => {
    await cache.set('a', 'first', 60);
    await cache.set('c', 'third', 60);
    assert.deepEqual(await cache.getMany(['a', 'b', 'c']), ['first', undefined, 'third']);
    assert.deepEqual(warnings.records, []);
  });

  it('answers an empty list of keys with an empty list, without warning of an outage', async () => {
    assert.deepEqual(await cache.getMany([]), []);
    assert.deepEqual(warnings.records, []);
  });

  it('sets a key only once with add, and forgets it after del', async () => {
    assert.equal(await cache.add('k', 'v1', 60), true);
    assert.equal(await cache.add('k', 'v2', 60), false);
    assert.equal(await cache.get('k'), 'v1');
    await cache.del('k');
    assert.equal(await cache.get('k'), undefined);
  });
});
