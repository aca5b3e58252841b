// One running instance: `paiban serve` (HTTP API + background workers) or `paiban worker`
// (background workers only, plus the operations endpoints for probes and Prometheus). Owns the
// lifecycle: open services, migrate, listen, and shut down gracefully on SIGTERM/SIGINT.
import { buildApi } from './api/api.js';
import { createApp } from './api/app.js';
import type { HealthCheck } from './api/opsRoutes.js';
import { listen, type RunningServer } from './api/server.js';
import type { AppConfig } from './infra/config.js';
import { reopenLogFile, type Logger } from './infra/logger.js';
import { migrateUp } from './infra/migrations.js';
import { openServices, type Services } from './infra/services.js';
import { allProjections } from './projections/all.js';
import { ReadCache } from './projections/readCache.js';
import { startProjectionRunners } from './projections/runner.js';
import { dispatchJobHandler } from './workers/dispatchJob.js';
import { startJobWorker } from './workers/jobWorker.js';
import { policyFromSettings, startRetentionJob } from './workers/retention.js';
import { scheduleJobHandler } from './workers/scheduleJob.js';

export type InstanceRole = 'serve' | 'worker';

/** A long-running background task (projection runner, solve worker, retention…). */
export interface BackgroundTask {
  name: string;
  stop(): Promise<void>;
}

export interface Instance {
  services: Services;
  http: RunningServer;
  /** Graceful stop: stop accepting, drain in-flight requests, stop tasks, close connections. */
  shutdown(reason: string): Promise<void>;
}

const MIGRATION_RETRY_MS = 5000;

/**
 * Applies pending migrations before serving. When the database is unreachable the instance starts
 * anyway (so /health can say so) and keeps retrying in the background.
 */
async function migrateWhenReachable(services: Services, stopped: () => boolean): Promise<void> {
  const { database, logger } = services;
  const attempt = async (): Promise<boolean> => {
    try {
      const applied = await migrateUp(database);
      if (applied.length) logger.info({ applied }, 'migrations applied');
      return true;
    } catch (error) {
      logger.error({ err: error, retry_in_ms: MIGRATION_RETRY_MS }, 'migrations could not run; retrying');
      return false;
    }
  };
  if (await attempt()) return;
  const retry = async () => {
    if (!stopped() && !(await attempt())) setTimeout(retry, MIGRATION_RETRY_MS).unref();
  };
  setTimeout(retry, MIGRATION_RETRY_MS).unref();
}

function healthChecks(services: Services): HealthCheck[] {
  const { database, cache, eventStore } = services;
  return [
    { name: 'database', critical: true, check: async () => void (await database.query('SELECT 1')) },
    { name: 'cache', critical: false, check: () => cache.ping() },
    { name: 'eventstore', critical: true, check: () => eventStore.ping() },
  ];
}

export async function startInstance(role: InstanceRole, config: AppConfig, logger: Logger): Promise<Instance> {
  const services = await openServices(config, logger);
  let stopping = false;
  if (config.database.migrate_on_start) await migrateWhenReachable(services, () => stopping);

  const readCache = new ReadCache(services.cache);
  const api = role === 'serve' ? buildApi(services, config, readCache) : { middleware: [], routers: [] };
  const tasks: BackgroundTask[] = [];
  // Every instance runs the projections: one is active per projection, the others stand by.
  const projections = startProjectionRunners({ database: services.database, eventStore: services.eventStore, logger, projections: allProjections(readCache) });
  tasks.push({ name: 'projections', stop: () => projections.stop() });
  if (role === 'worker' || config.workers.solve_in_serve) {
    const worker = startJobWorker({
      database: services.database,
      commands: services.commands,
      logger,
      handlers: [scheduleJobHandler(), dispatchJobHandler()],
      leaseSeconds: config.workers.lease_seconds,
      solverThreads: config.workers.solver_threads,
    });
    tasks.push({ name: 'solve-worker', stop: () => worker.stop() });
  }
  // Every instance schedules the daily retention run; the advisory lock lets exactly one work.
  const retention = startRetentionJob({
    database: services.database,
    logger,
    policy: policyFromSettings(config.retention),
    dailyAt: config.retention.daily_at,
    batchSize: config.retention.batch_size,
  });
  tasks.push({ name: 'retention', stop: () => retention.stop() });
  const app = createApp({ logger, checks: healthChecks(services), ...api });
  const http = await listen(app, config.app.port);
  logger.info({ port: http.port, role, env: config.app.env }, `paiban ${role} listening on port ${http.port}`);

  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const { drained } = await http.close(config.app.shutdown_timeout_ms);
    if (!drained) logger.warn({ timeout_ms: config.app.shutdown_timeout_ms }, 'requests still running at shutdown were cut off');
    await Promise.all(tasks.map((task) => task.stop().catch((error) => logger.error({ err: error, task: task.name }, 'task did not stop cleanly'))));
    await services.close();
    logger.info('stopped');
  };
  if (role === 'serve' && config.app.env === 'development') {
    // The demo issues itself an API key with the admin token, so it needs the same one.
    const demo = `node bin/paiban.js demo --url http://localhost:${http.port}`;
    const tryIt = config.security.admin_token
      ? `try it: ${demo} (with the same ADMIN_TOKEN)`
      : `try it: restart with ADMIN_TOKEN=<16 or more characters>, then run ${demo} with the same ADMIN_TOKEN`;
    logger.info({ docs: `http://localhost:${http.port}/docs` }, `${tryIt}; API reference at http://localhost:${http.port}/docs`);
  }
  return { services, http, shutdown };
}

/** Wires SIGTERM/SIGINT to a graceful shutdown (exit 0) and SIGHUP to reopening LOG_FILE. */
export function handleSignals(instance: Instance, logger: Logger): void {
  const stop = (signal: NodeJS.Signals) => {
    instance.shutdown(signal).then(
      () => process.exit(0),
      (error) => {
        logger.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('SIGHUP', () => {
    if (reopenLogFile()) logger.info('log file reopened');
  });
}
