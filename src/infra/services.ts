// Opens the process's shared connections from the configuration: the database (a PostgreSQL pool
// when database.host is set, the embedded PGlite under app.data_dir otherwise) and the cache
// (Redis when redis.host is set, in-process otherwise).
import path from 'node:path';
import type { AppConfig } from './config.js';
import { connectPostgres, openEmbedded, type Database } from './database.js';
import { connectRedis, memoryCache, type Cache } from './cache.js';
import type { Logger } from './logger.js';

export interface Services {
  config: AppConfig;
  logger: Logger;
  database: Database;
  cache: Cache;
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
  const cache = redis.host ? connectRedis({ host: redis.host, port: redis.port, db: redis.db }, logger) : memoryCache();
  logger.info(
    {
      database: db.host ? `postgres://${db.user}@${db.host}:${db.port}/${db.name}` : `embedded (${config.app.data_dir})`,
      cache: redis.host ? `redis://${redis.host}:${redis.port}/${redis.db}` : 'in-process',
    },
    'services opened',
  );
  return {
    config,
    logger,
    database,
    cache,
    async close() {
      await cache.close();
      await database.close();
    },
  };
}
