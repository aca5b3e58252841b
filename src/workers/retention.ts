// Retention: prunes old rows from read models so they do not grow without bound. Events are never
// touched — every pruned row can be rebuilt with `paiban replay`. Rows go in small batches, each
// its own short transaction with a lock timeout and SKIP LOCKED, so projectors and queries never
// wait long behind a prune. One runner at a time across all pods: an advisory lock held on a
// dedicated connection for the duration of a run (the CronJob and the in-process daily job may
// both fire; whoever comes second skips).
import { Counter, Gauge } from 'prom-client';
import type { AppConfig } from '../infra/config.js';
import type { Database, Queryable } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { registry } from '../infra/metrics.js';
import { openServices, type Services } from '../infra/services.js';

/** How long rows are kept, per read model. */
export interface RetentionPolicy {
  /** `assignments` rows older than this (by `created_at`) are pruned. */
  assignmentsDays: number;
  /** `service_orders` rows older than this (by `created_at`) are pruned. */
  serviceOrdersDays: number;
}

/** The `retention` section of the configuration (see the config keys in the lead's notes). */
export interface RetentionSettings {
  assignments_days: number;
  service_orders_days: number;
  /** "HH:MM" in UTC: when the in-process daily job runs. */
  daily_at: string;
  batch_size: number;
}

export const DEFAULT_RETENTION: RetentionSettings = { assignments_days: 365, service_orders_days: 182, daily_at: '03:30', batch_size: 1000 };

export function policyFromSettings(settings: RetentionSettings): RetentionPolicy {
  return { assignmentsDays: settings.assignments_days, serviceOrdersDays: settings.service_orders_days };
}

/**
 * The pruned read models. Table names are constants (never input), so interpolating them into
 * SQL is safe. `service_orders` may not exist yet (dispatch builds it); a missing table is skipped.
 */
const TARGETS = [
  { table: 'assignments', days: (policy: RetentionPolicy) => policy.assignmentsDays },
  { table: 'service_orders', days: (policy: RetentionPolicy) => policy.serviceOrdersDays },
] as const;

export type RetentionTable = (typeof TARGETS)[number]['table'];

const TABLE_EXISTS = 'SELECT to_regclass($1) IS NOT NULL AS present';
const countOlder = (table: RetentionTable) => `SELECT count(*)::int AS rows FROM ${table} WHERE created_at < $1`;
// ctid batches: no key assumptions, and each statement touches at most `$2` rows. SKIP LOCKED
// leaves rows a projector is writing right now for the next run instead of waiting on them.
const deleteOlderBatch = (table: RetentionTable) =>
  `DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE created_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`;
/** A batch that cannot get its table lock quickly fails instead of queueing other writers behind it. */
const SHORT_LOCK_WAIT = "SET LOCAL lock_timeout = '5s'";

/** Namespaces the retention advisory lock (7012: event streams, 7013: projections). */
const RETENTION_LOCK_SPACE = 7014;
const TRY_LOCK = "SELECT pg_try_advisory_lock($1, hashtext('retention')) AS locked";
const UNLOCK = "SELECT pg_advisory_unlock($1, hashtext('retention'))";

const rowsPruned = new Counter({
  name: 'retention_rows_pruned_total',
  help: 'Read-model rows deleted by retention, by table.',
  labelNames: ['table'] as const,
  registers: [registry],
});

// Every table's series exists from the start, so increase() sees the first prune.
for (const target of TARGETS) rowsPruned.inc({ table: target.table }, 0);

const lastSuccess = new Gauge({
  name: 'retention_last_success_timestamp_seconds',
  help: 'When the last retention run (not a dry run) finished without error, as a Unix time.',
  registers: [registry],
});

export interface RetentionOptions {
  database: Database;
  logger: Logger;
  policy: RetentionPolicy;
  /** Count what would be pruned; delete nothing. */
  dryRun?: boolean;
  /** Rows per delete statement (default 1000). */
  batchSize?: number;
  /** The time the ages are measured from (default now). */
  now?: Date;
  /** Stops between batches (shutdown); the run reports what it pruned so far. */
  signal?: AbortSignal;
}

export type TableOutcome =
  | { table: RetentionTable; status: 'missing' }
  | { table: RetentionTable; status: 'pruned' | 'would-prune'; rows: number; batches: number; cutoff: string };

export interface RetentionReport {
  dryRun: boolean;
  tables: TableOutcome[];
  durationMs: number;
  /** True when the signal stopped the run (some old rows may be left for the next run). */
  interrupted: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

async function tableExists(database: Queryable, table: string): Promise<boolean> {
  const { rows } = await database.query<{ present: boolean }>(TABLE_EXISTS, [table]);
  return rows[0]?.present === true;
}

async function pruneTable(options: RetentionOptions, table: RetentionTable, cutoff: Date, batchSize: number): Promise<{ rows: number; batches: number }> {
  let rows = 0;
  let batches = 0;
  while (!options.signal?.aborted) {
    const deleted = await options.database.transaction(async (tx) => {
      await tx.query(SHORT_LOCK_WAIT);
      return (await tx.query(deleteOlderBatch(table), [cutoff, batchSize])).rowCount;
    });
    batches++;
    rows += deleted;
    if (deleted > 0) rowsPruned.inc({ table }, deleted);
    if (deleted < batchSize) break;
  }
  return { rows, batches };
}

/** Prunes (or, dry, counts) every read model's old rows once. Never touches `events`. */
export async function runRetention(options: RetentionOptions): Promise<RetentionReport> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? DEFAULT_RETENTION.batch_size;
  const dryRun = options.dryRun === true;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`retention batch size must be a positive integer, got ${batchSize}`);
  const tables: TableOutcome[] = [];
  for (const target of TARGETS) {
    if (options.signal?.aborted) break;
    const days = target.days(options.policy);
    if (!Number.isInteger(days) || days < 1) throw new RangeError(`retention of ${target.table} must be at least 1 day, got ${days}`);
    if (!(await tableExists(options.database, target.table))) {
      options.logger.info({ table: target.table }, `retention: table ${target.table} does not exist; skipped`);
      tables.push({ table: target.table, status: 'missing' });
      continue;
    }
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    if (dryRun) {
      const { rows } = await options.database.query<{ rows: number }>(countOlder(target.table), [cutoff]);
      tables.push({ table: target.table, status: 'would-prune', rows: rows[0]?.rows ?? 0, batches: 0, cutoff: cutoff.toISOString() });
    } else {
      const pruned = await pruneTable(options, target.table, cutoff, batchSize);
      tables.push({ table: target.table, status: 'pruned', ...pruned, cutoff: cutoff.toISOString() });
    }
  }
  const report: RetentionReport = {
    dryRun,
    tables,
    durationMs: Math.round(performance.now() - started),
    interrupted: options.signal?.aborted === true,
  };
  if (!dryRun && !report.interrupted) lastSuccess.set(Date.now() / 1000);
  options.logger.info(
    {
      dry_run: dryRun,
      rows: Object.fromEntries(tables.map((t) => [t.table, t.status === 'missing' ? 'missing' : t.rows])),
      duration_ms: report.durationMs,
      interrupted: report.interrupted,
    },
    dryRun ? 'retention dry run: rows that would be pruned' : 'retention run: rows pruned',
  );
  return report;
}

export type ExclusiveOutcome = { ran: true; report: RetentionReport } | { ran: false; reason: 'another-runner' };

/**
 * Runs retention only if no other process (pod, CronJob) is running it: the advisory lock lives
 * on a connection held for the whole run, so it is released when the run ends or the process dies.
 */
export async function runRetentionExclusive(options: RetentionOptions): Promise<ExclusiveOutcome> {
  return options.database.withConnection(async (connection) => {
    const { rows } = await connection.query<{ locked: boolean }>(TRY_LOCK, [RETENTION_LOCK_SPACE]);
    if (!rows[0]?.locked) {
      options.logger.info('retention: another instance is running it; skipped');
      return { ran: false, reason: 'another-runner' };
    }
    try {
      return { ran: true, report: await runRetention(options) };
    } finally {
      await connection.query(UNLOCK, [RETENTION_LOCK_SPACE]).catch(() => undefined);
    }
  });
}

/** Parses "HH:MM" (UTC); undefined when malformed. */
export function parseDailyAt(text: string): { hour: number; minute: number } | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
}

/** The first moment strictly after `now` at `dailyAt` UTC. */
export function nextDailyRun(now: Date, dailyAt: { hour: number; minute: number }): Date {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), dailyAt.hour, dailyAt.minute));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

export interface RetentionJobOptions {
  database: Database;
  logger: Logger;
  policy: RetentionPolicy;
  /** "HH:MM" UTC. */
  dailyAt: string;
  batchSize?: number;
  /** The clock (tests); default the real one. */
  now?: () => Date;
}

export interface RetentionJob {
  /** When the next run is due. */
  readonly nextRunAt: Date;
  /** Cancels the timer and waits for a run in progress to stop at its next batch boundary. */
  stop(): Promise<void>;
}

/** Starts the in-process daily run; every pod starts one, the advisory lock lets one of them work. */
export function startRetentionJob(options: RetentionJobOptions): RetentionJob {
  const dailyAt = parseDailyAt(options.dailyAt);
  if (!dailyAt) throw new RangeError(`retention.daily_at must be "HH:MM" (UTC), got ${JSON.stringify(options.dailyAt)}`);
  const clock = options.now ?? (() => new Date());
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let nextRunAt = nextDailyRun(clock(), dailyAt);

  const schedule = () => {
    if (abort.signal.aborted) return;
    nextRunAt = nextDailyRun(clock(), dailyAt);
    // unref: a pending daily timer must not keep a stopping process alive.
    timer = setTimeout(fire, Math.max(0, nextRunAt.getTime() - clock().getTime())).unref();
  };
  const fire = () => {
    running = runRetentionExclusive({ database: options.database, logger: options.logger, policy: options.policy, batchSize: options.batchSize, now: clock(), signal: abort.signal })
      .then(
        () => undefined,
        (error: unknown) => options.logger.error({ err: error }, 'retention run failed; next attempt at the next daily run'),
      )
      .finally(schedule);
  };
  schedule();
  options.logger.info({ next_run_at: nextRunAt.toISOString() }, 'retention job scheduled');

  return {
    get nextRunAt() {
      return nextRunAt;
    },
    async stop() {
      abort.abort();
      clearTimeout(timer);
      await running;
    },
  };
}

/**
 * `paiban retention run [--dry-run]`: one exclusive run against the configured database. Its
 * output is the log lines (JSON, like the service's, so the CronJob's logs parse the same way).
 * Resolves to the exit code: 0 when it ran or another runner had it, 1 on an error.
 */
export async function runRetentionCommand(config: AppConfig & { retention: RetentionSettings }, logger: Logger, options: { dryRun: boolean }): Promise<number> {
  let services: Services | undefined;
  try {
    services = await openServices(config, logger);
    await runRetentionExclusive({
      database: services.database,
      logger,
      policy: policyFromSettings(config.retention),
      batchSize: config.retention.batch_size,
      dryRun: options.dryRun,
    });
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'retention run failed');
    return 1;
  } finally {
    await services?.close().catch(() => undefined);
  }
}
