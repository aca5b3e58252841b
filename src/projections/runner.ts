// Runs one projection: reads the events after its checkpoint and applies each batch together with
// the new checkpoint in ONE transaction (compare-and-set on the old one), so a crash or a takeover
// never applies a batch twice or skips one. Only the instance holding the projection's advisory
// lock (on a connection of its own) applies; the others wait as hot standbys and take over when
// the lock comes free. Cache invalidation and metrics happen after the commit.
import type { Database, Queryable } from '../infra/database.js';
import type { Checkpoint, EventStore, RecordedEvent } from '../infra/eventstore/eventStore.js';
import { IdleBackoff, Wakeup } from '../infra/eventstore/wakeup.js';
import type { Logger } from '../infra/logger.js';
import { advanceCheckpoint, loadCheckpoint } from './checkpoints.js';
import { projectionCheckpoint, projectionLag } from './metrics.js';
import { applyEvents, type Projection } from './projection.js';

/** Namespaces projection advisory locks (the event store's stream locks use 7012). */
const PROJECTION_LOCK_SPACE = 7013;
const TRY_LOCK = 'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked';
const UNLOCK = 'SELECT pg_advisory_unlock($1, hashtext($2))';

/** Lag is counted up to this many events (counting further only costs time). */
const LAG_CAP = 100_000;
const LAG_INTERVAL_MS = 1000;

export interface ProjectionRunnerOptions {
  database: Database;
  eventStore: EventStore;
  projection: Projection;
  logger: Logger;
  /** Events per transaction (default 200). */
  batchSize?: number;
  /** Longest wait for new events when no append hint arrives (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often a standby tries to take over (default 2000 ms). */
  standbyRetryMs?: number;
}

export type RunnerRole = 'starting' | 'standby' | 'active' | 'stopped';

export interface ProjectionRunner {
  readonly name: string;
  readonly role: RunnerRole;
  /** The checkpoint of the last batch this instance committed (or loaded). */
  readonly checkpoint: Checkpoint | undefined;
  stop(): Promise<void>;
}

class CheckpointMoved extends Error {
  override readonly name = 'CheckpointMoved';
}

export function startProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { database, eventStore, projection } = options;
  const batchSize = options.batchSize ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const standbyRetryMs = options.standbyRetryMs ?? 2000;
  const log = options.logger.child({ projection: projection.name });
  const wakeup = new Wakeup();
  const backoff = new IdleBackoff(pollIntervalMs);
  let role: RunnerRole = 'starting';
  let running = true;
  let checkpoint: Checkpoint | undefined;
  let lastLagCount = 0;

  const applyBatch = async (from: Checkpoint, events: readonly RecordedEvent[]): Promise<Checkpoint> => {
    const to = events[events.length - 1].checkpoint;
    await database.transaction(async (tx) => {
      await applyEvents(projection, tx, events);
      if (!(await advanceCheckpoint(tx, projection.name, from, to, events.length))) throw new CheckpointMoved();
    });
    return to;
  };

  const afterCommit = async (events: readonly RecordedEvent[], full: boolean) => {
    if (projection.afterCommit) {
      await projection.afterCommit(events).catch((error: unknown) => log.warn({ err: error }, 'after-commit hook failed'));
    }
    if (checkpoint) projectionCheckpoint.set({ projection: projection.name }, checkpoint.position);
    if (!full) {
      projectionLag.set({ projection: projection.name }, 0);
    } else if (checkpoint && Date.now() - lastLagCount >= LAG_INTERVAL_MS) {
      lastLagCount = Date.now();
      projectionLag.set({ projection: projection.name }, await eventStore.countAfter(checkpoint, LAG_CAP));
    }
  };

  /** Applies batches while this instance holds the lock on `lockConnection`. */
  const runActive = async (lockConnection: Queryable) => {
    checkpoint = (await loadCheckpoint(database, projection.name)).checkpoint;
    log.info({ checkpoint }, 'projection active');
    while (running) {
      const from: Checkpoint = checkpoint;
      const events = await eventStore.readAll(from, batchSize);
      if (events.length === 0) {
        projectionLag.set({ projection: projection.name }, 0);
        // Proves the lock's session is still alive; if it died, a standby may own the projection.
        await lockConnection.query('SELECT 1');
        if (await wakeup.wait(backoff.next())) backoff.reset();
        continue;
      }
      try {
        checkpoint = await applyBatch(from, events);
      } catch (error) {
        if (!(error instanceof CheckpointMoved)) throw error;
        // A replay swapped the tables, or another instance ran meanwhile: continue from the stored checkpoint.
        checkpoint = (await loadCheckpoint(database, projection.name)).checkpoint;
        log.warn({ checkpoint }, 'checkpoint moved by someone else; continuing from the stored one');
        continue;
      }
      backoff.reset();
      await afterCommit(events, events.length === batchSize);
    }
  };

  const loop = (async () => {
    const stopHints = await eventStore.onAppend(() => wakeup.signal()).catch((error: unknown) => {
      log.warn({ err: error }, 'no append hints; polling only');
      return async () => undefined;
    });
    while (running) {
      try {
        await database.withConnection(async (lockConnection) => {
          while (running) {
            const { rows } = await lockConnection.query<{ locked: boolean }>(TRY_LOCK, [PROJECTION_LOCK_SPACE, projection.name]);
            if (rows[0]?.locked) {
              role = 'active';
              try {
                await runActive(lockConnection);
              } finally {
                await lockConnection.query(UNLOCK, [PROJECTION_LOCK_SPACE, projection.name]).catch(() => undefined);
              }
              return;
            }
            if (role !== 'standby') log.info('projection standby: another instance is active');
            role = 'standby';
            await wakeup.wait(standbyRetryMs);
          }
        });
      } catch (error) {
        log.error({ err: error }, 'projection runner failed; retrying');
        role = 'standby';
        if (running) await wakeup.wait(pollIntervalMs);
      }
    }
    await stopHints();
    role = 'stopped';
  })();

  return {
    name: projection.name,
    get role() {
      return role;
    },
    get checkpoint() {
      return checkpoint;
    },
    async stop() {
      running = false;
      wakeup.signal();
      await loop;
    },
  };
}

export interface ProjectionRunners {
  readonly runners: readonly ProjectionRunner[];
  stop(): Promise<void>;
}

/** One runner per projection (each with its own lock connection); `stop` stops them all. */
export function startProjectionRunners(options: Omit<ProjectionRunnerOptions, 'projection'> & { projections: readonly Projection[] }): ProjectionRunners {
  const { projections, ...shared } = options;
  const runners = projections.map((projection) => startProjectionRunner({ ...shared, projection }));
  return {
    runners,
    async stop() {
      await Promise.all(runners.map((runner) => runner.stop()));
    },
  };
}
