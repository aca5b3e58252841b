// The read cache behind one interface: Redis (ioredis) when REDIS_HOST is set, an in-process map
// otherwise. A cache is an optimisation, never a dependency: when Redis is down every operation
// degrades to a miss or a no-op, so requests fall through to the database and never fail.
import { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  /** Several keys in one round trip. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Sets `key` only when it has no value; true when this call set it. */
  add(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Throws when the cache cannot be reached; used by /health only. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisOptions {
  host: string;
  port: number;
  db: number;
  /** Prefix of every key (cache and rate limits), so several deployments can share one Redis. */
  keyPrefix: string;
  /** A command slower than this counts as a miss. */
  commandTimeoutMs?: number;
}

/** A Redis client that never queues commands while disconnected (callers degrade instead). */
export function connectRedisClient(options: RedisOptions): Redis {
  return new Redis({
    host: options.host,
    port: options.port,
    db: options.db,
    keyPrefix: options.keyPrefix,
    // Fail commands at once while disconnected instead of queueing them: a request must not wait
    // for Redis to come back. ioredis keeps reconnecting in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 200,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
}

/** The cache on a Redis client from connectRedisClient (closing the cache closes the client). */
export function redisCache(redis: Redis, logger: Logger): Cache {
  let lastWarning = 0;
  const degrade = (operation: string) => (error: unknown) => {
    // One warning per 10 s at most: an outage must not flood the logs.
    if (Date.now() - lastWarning > 10_000) {
      lastWarning = Date.now();
      logger.warn({ err: error, operation }, 'cache unavailable, reading from the database');
    }
    return undefined;
  };
  redis.on('error', degrade('connection'));

  return {
    kind: 'redis',
    get: (key) => redis.get(key).then((value) => value ?? undefined, degrade('get')),
    // MGET takes at least one key: with none, Redis answers an error that would read as an outage.
    getMany: (keys) =>
      keys.length === 0
        ? Promise.resolve([])
        : redis.mget(...keys).then(
            (values) => values.map((value) => value ?? undefined),
            (error: unknown) => {
              degrade('mget')(error);
              return keys.map(() => undefined);
            },
          ),
    set: (key, value, ttlSeconds) => redis.set(key, value, 'EX', ttlSeconds).then(() => undefined, degrade('set')),
    add: (key, value, ttlSeconds) => redis.set(key, value, 'EX', ttlSeconds, 'NX').then((reply) => reply === 'OK', () => false),
    del: (...keys) => (keys.length ? redis.del(...keys).then(() => undefined, degrade('del')) : Promise.resolve()),
    async ping() {
      await redis.ping();
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** In-process cache with expiry and a size bound (oldest entries go first). */
export function memoryCache(maxEntries = 10_000): Cache {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  return {
    kind: 'memory',
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    async getMany(keys) {
      return Promise.all(keys.map((key) => this.get(key)));
    },
    async add(key, value, ttlSeconds) {
      if ((await this.get(key)) !== undefined) return false;
      await this.set(key, value, ttlSeconds);
      return true;
    },
    async set(key, value, ttlSeconds) {
      entries.delete(key);
      entries.set(key, { value, expiresAt: Date.now() + ttlSeconds * 1000 });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    async del(...keys) {
      for (const key of keys) entries.delete(key);
    },
    async ping() {},
    async close() {
      entries.clear();
    },
  };
}
