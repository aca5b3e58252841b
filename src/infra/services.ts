// Opens the process's shared connections from the configuration: the database (a PostgreSQL pool
// when database.host is set, the embedded PGlite under app.data_dir otherwise) and the cache
// (Redis when redis.host is set, in-process otherwise).
import path from 'node:path';
import type { AppConfig } from './config.js';
import { connectPostgres, openEmbedded, type Database } from './database.js';
import type { Redis } from 'ioredis';
import { connectRedisClient, memoryCache, redisCache, type Cache } from './cache.js';
import { createEventStore } from './eventstore/createEventStore.js';
import type { EventStore } from './eventstore/eventStore.js';
import { sqlCommandResults } from './eventstore/sqlCommandResults.js';
import type { CommandHandlerDeps } from '../commands/commandHandler.js';
import type { CommandResultStore } from '../commands/idempotency.js';
import { StateCache } from '../commands/stateCache.js';
import type { Logger } from './logger.js';

export interface Services {
  config: AppConfig;
  logger: Logger;
  database: Database;
  cache: Cache;
  /** The Redis client behind the cache (shared rate limits), when Redis is configured. */
  redis: Redis | undefined;
  eventStore: EventStore;
  commandResults: CommandResultStore;
  /** What every command handler of this process is given. */
  commands: CommandHandlerDeps;
  close(): Promise<void>;
}

export async function openServices(config: AppConfig, logger: Logger): Promise<Services> {
  const { database: db, redis } = config;
  const database = db.host
    ? connectPostgres({
        host: db.host,
        port: db.port,
        database: db.name,
        user: db.user,
        password: db.password,
        maxConnections: db.max_connections,
        idleConnections: db.idle_connections,
      })
    : await openEmbedded(path.resolve(config.app.data_dir));
  const redisClient = redis.host ? connectRedisClient({ host: redis.host, port: redis.port, db: redis.db, keyPrefix: redis.key_prefix }) : undefined;
  const cache = redisClient ? redisCache(redisClient, logger) : memoryCache();
  const eventStore = createEventStore(database, { url: config.eventstore.url, logger });
  const commandResults = sqlCommandResults(database);
  logger.info(
    {
      database: db.host ? `postgres://${db.user}@${db.host}:${db.port}/${db.name}` : `embedded (${config.app.data_dir})`,
      cache: redis.host ? `redis://${redis.host}:${redis.port}/${redis.db}` : 'in-process',
      eventstore: eventStore.kind,
    },
    'services opened',
  );
  return {
    config,
    logger,
    database,
    cache,
    redis: redisClient,
    eventStore,
    commandResults,
    commands: { eventStore, results: commandResults, states: new StateCache() },
    async close() {
      await cache.close();
      await eventStore.close();
      await database.close();
    },
  };
}
