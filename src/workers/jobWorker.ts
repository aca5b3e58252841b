// A worker that claims solve jobs (with a lease), hands each to the handler of its kind, renews
// the lease while the handler runs, and closes the job afterwards. N workers never run one job at
// once; a dead worker's job is claimed again when its lease runs out; a job interrupted by a clean
// shutdown goes straight back to the queue.
import { randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import { hostname } from 'node:os';
import type { CommandContext, CommandHandlerDeps } from '../commands/commandHandler.js';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';
import type { Database } from '../infra/database.js';
import type { Logger } from '../infra/logger.js';
import { claimJob, JOBS_CHANNEL, releaseJob, renewLease, returnJob, type Job, type JobKind } from './jobQueue.js';
import { SolverThread } from './solverThread.js';

export type JobOutcome = 'success' | 'error' | 'cancelled' | 'skipped';

/** What a handler gets besides its job. */
export interface JobRun {
  workerId: string;
  commands: CommandHandlerDeps;
  logger: Logger;
  /** Aborted when the worker stops or loses the lease: stop solving, keep nothing. */
  signal: AbortSignal;
  /** This worker's warm solver thread. */
  solver: SolverThread;
}

export interface JobHandler {
  kind: JobKind;
  run(job: Job, run: JobRun): Promise<JobOutcome>;
}

/**
 * The context of a command a worker sends for one step of a job: its id — also its idempotency
 * key — is fixed by job, attempt and step, so a retried step returns its first result and appends
 * nothing; it belongs to the flow of `trigger`, the event that asked for the job.
 */
export function jobCommandContext(job: Job, workerId: string, step: string, trigger: RecordedEvent | undefined): CommandContext {
  const commandId = `${job.kind}:${job.orgId}:${job.subjectId}:${job.generation}:${job.attempts}:${step}`;
  return {
    commandId,
    idempotencyKey: commandId,
    orgId: job.orgId,
    actorKeyId: `worker:${workerId}`,
    occurredAt: new Date().toISOString(),
    correlationId: typeof trigger?.metadata.correlationId === 'string' ? trigger.metadata.correlationId : undefined,
    causationId: trigger?.id,
  };
}

/**
 * A handler whose outcomes are counted in `generations{status}`. A solve cut short by the worker
 * stopping is not counted: it is not a cancelled generation, it will run again elsewhere.
 */
export function countedHandler(kind: JobKind, generations: Counter<'status'>, solve: (job: Job, run: JobRun) => Promise<JobOutcome>): JobHandler {
  for (const status of ['success', 'error', 'cancelled']) generations.inc({ status }, 0);
  return {
    kind,
    async run(job, run) {
      const outcome = await solve(job, run).catch((error: unknown) => {
        generations.inc({ status: 'error' });
        throw error;
      });
      const interrupted = outcome === 'cancelled' && run.signal.aborted;
      if (outcome !== 'skipped' && !interrupted) generations.inc({ status: outcome });
      return outcome;
    },
  };
}

export interface JobWorkerOptions {
  database: Database;
  commands: CommandHandlerDeps;
  logger: Logger;
  handlers: readonly JobHandler[];
  /** Identifies this worker in leases and events (default host, pid and a random suffix). */
  workerId?: string;
  /** Lease length; renewed every third of it while a job runs (default 30 s). */
  leaseSeconds?: number;
  /** Threads one roster solve uses (default 1; see SolverThread). */
  solverThreads?: number;
  /** Wait between looks for a job when there is none (default 500 ms). */
  pollIntervalMs?: number;
}

export interface JobWorker {
  readonly workerId: string;
  /** Stops taking jobs; a job in progress is interrupted and left for another worker. */
  stop(): Promise<void>;
}

export function startJobWorker(options: JobWorkerOptions): JobWorker {
  const { database, commands, logger } = options;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const handlers = new Map(options.handlers.map((handler) => [handler.kind, handler]));
  const kinds = [...handlers.keys()];
  const log = logger.child({ worker_id: workerId });
  const stopping = new AbortController();
  const solver = new SolverThread(options.solverThreads);
  let wake: (() => void) | undefined;
  // Woken by the announcement of a new job; the poll interval is the safety net.
  const listening = database.listen(JOBS_CHANNEL, () => wake?.()).catch((error: unknown) => {
    log.warn({ err: error }, 'no job announcements; polling only');
    return async () => undefined;
  });

  const runJob = async (job: Job): Promise<{ outcome: JobOutcome; interrupted: boolean }> => {
    const aborted = new AbortController();
    const onStop = () => aborted.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    const lease = setInterval(() => {
      renewLease(database, job, workerId, leaseSeconds).then(
        (held) => {
          if (held) return;
          log.warn({ kind: job.kind, subject_id: job.subjectId }, 'lease lost; stopping this job');
          aborted.abort();
        },
        (error: unknown) => log.warn({ err: error }, 'lease renewal failed'),
      );
    }, (leaseSeconds * 1000) / 3);
    try {
      const outcome = await handlers.get(job.kind)!.run(job, { workerId, commands, logger: log, signal: aborted.signal, solver });
      return { outcome, interrupted: stopping.signal.aborted && outcome === 'cancelled' };
    } catch (error) {
      log.error({ err: error, kind: job.kind, subject_id: job.subjectId }, 'job failed');
      return { outcome: 'error', interrupted: false };
    } finally {
      clearInterval(lease);
      stopping.signal.removeEventListener('abort', onStop);
    }
  };

  const idle = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollIntervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = undefined));

  const loop = async () => {
    while (!stopping.signal.aborted) {
      const job = await claimJob(database, workerId, leaseSeconds, kinds).catch((error: unknown) => {
        log.warn({ err: error }, 'could not look for jobs');
        return undefined;
      });
      if (!job) {
        await idle();
        continue;
      }
      const { interrupted } = await runJob(job);
      const finish = interrupted ? returnJob : releaseJob;
      await finish(database, job, workerId).catch((error: unknown) => log.warn({ err: error }, 'could not release job'));
    }
  };
  const running = loop();
  log.info({ kinds }, 'job worker started');

  return {
    workerId,
    async stop() {
      stopping.abort();
      wake?.();
      await running;
      await (await listening)();
      await solver.close();
    },
  };
}
