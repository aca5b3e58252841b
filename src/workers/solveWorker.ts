// The solve worker: claims requested generations (with a lease), solves each in a worker thread,
// and appends what happened to the schedule's stream — started, throttled best-score progress,
// the roster and ScheduleGenerated, or ScheduleGenerationFailed. A cancelled generation stops its
// search. N workers never solve one generation at once; a dead worker's job is retried.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter, Histogram } from 'prom-client';
import { handleCommand, decodeEvents, type CommandContext, type CommandHandlerDeps } from '../commands/commandHandler.js';
import { fold } from '../commands/decider.js';
import { scheduleAggregate } from '../commands/scheduleAggregate.js';
import { problemToSolve, type ScheduleState } from '../commands/scheduleDecider.js';
import type { Score } from '../domain/roster.js';
import { ScheduleEvent, streamIdOfSchedule, type ScheduleCommand } from '../domain/schedule.js';
import type { Database } from '../infra/database.js';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';
import type { Logger } from '../infra/logger.js';
import { registry } from '../infra/metrics.js';
import { claimJob, releaseJob, renewLease, returnJob, type SolveJob } from './solveJobs.js';
import { solveInThread } from './solveThread.js';

const generations = new Counter({
  name: 'schedule_generations_total',
  help: 'Schedule generations by outcome.',
  labelNames: ['status'] as const,
  registers: [registry],
});
const generationDuration = new Histogram({
  name: 'schedule_generation_duration_seconds',
  help: 'Wall-clock time of a schedule generation, from start to result.',
  buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
  registers: [registry],
});
const constraintEvaluations = new Counter({
  name: 'constraint_evaluations_total',
  help: 'Constraint evaluations performed by the roster solver.',
  registers: [registry],
});
for (const status of ['success', 'error', 'cancelled']) generations.inc({ status }, 0);

export interface SolveWorkerOptions {
  database: Database;
  commands: CommandHandlerDeps;
  logger: Logger;
  /** Identifies this worker in leases and events (default host, pid and a random suffix). */
  workerId?: string;
  /** Lease length; renewed every third of it while solving (default 30 s). */
  leaseSeconds?: number;
  /** Wait between looks for a job when there is none (default 500 ms). */
  pollIntervalMs?: number;
  /** At most one progress event per this interval (default 1000 ms). */
  progressIntervalMs?: number;
  /** How often a running solve checks its stream for a cancellation (default 500 ms). */
  cancelCheckMs?: number;
  /** A generation whose workers died this many times is failed instead of retried (default 3). */
  maxAttempts?: number;
}

export interface SolveWorker {
  readonly workerId: string;
  /** Stops taking jobs; a solve in progress is cancelled and its job left for another worker. */
  stop(): Promise<void>;
}

type Outcome = 'success' | 'error' | 'cancelled' | 'skipped';

export function startSolveWorker(options: SolveWorkerOptions): SolveWorker {
  const { database, commands, logger } = options;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseSeconds = options.leaseSeconds ?? 30;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const cancelCheckMs = options.cancelCheckMs ?? 500;
  const maxAttempts = options.maxAttempts ?? 3;
  const log = logger.child({ worker_id: workerId });
  const stopping = new AbortController();
  let wake: (() => void) | undefined;

  const send = async (job: SolveJob, command: ScheduleCommand, step: string, causation: RecordedEvent | undefined) => {
    const context: CommandContext = {
      // Deterministic per job, attempt and step: a retried append is a no-op, not a duplicate.
      commandId: `solve:${job.orgId}:${job.scheduleId}:${job.generation}:${job.attempts}:${step}`,
      orgId: job.orgId,
      actorKeyId: `worker:${workerId}`,
      occurredAt: new Date().toISOString(),
      correlationId: typeof causation?.metadata.correlationId === 'string' ? causation.metadata.correlationId : undefined,
      causationId: causation?.id,
    };
    return handleCommand(commands, scheduleAggregate, command, context);
  };

  const loadState = async (job: SolveJob) => {
    const recorded = await commands.eventStore.readStream(streamIdOfSchedule(job.orgId, job.scheduleId));
    const state: ScheduleState = fold(scheduleAggregate.decider, decodeEvents(ScheduleEvent, recorded));
    const trigger = [...recorded].reverse().find((e) => e.type === 'ScheduleRequested' || e.type === 'ReplanRequested');
    return { state, version: recorded.length ? recorded[recorded.length - 1].version : 0, trigger };
  };

  const solveJob = async (job: SolveJob): Promise<Outcome> => {
    const { state, trigger } = await loadState(job);
    const { scheduleId, generation } = job;
    const pending = state.generation === generation && (state.status === 'requested' || state.status === 'generating');
    if (!pending) return 'skipped'; // cancelled or finished meanwhile

    if (job.attempts > maxAttempts) {
      await send(job, { type: 'FailGeneration', scheduleId, generation, reason: `abandoned: ${maxAttempts} workers stopped before finishing` }, 'fail', trigger);
      return 'error';
    }
    const started = await send(job, { type: 'StartGeneration', scheduleId, generation, workerId }, 'start', trigger);
    if (started.kind !== 'accepted') return 'skipped';

    const problem = problemToSolve(state);
    const startedAt = performance.now();
    const cancelled = new AbortController();
    const onStop = () => cancelled.abort();
    stopping.signal.addEventListener('abort', onStop, { once: true });
    let streamVersion = started.version;
    let lastProgressAt = 0;
    let pendingProgress: { best: Score; elapsedMs: number } | undefined;
    let progressStep = 0;
    let progressWrite = Promise.resolve();
    const flushProgress = () => {
      if (!pendingProgress) return;
      const { best, elapsedMs } = pendingProgress;
      pendingProgress = undefined;
      lastProgressAt = performance.now();
      const step = `progress-${++progressStep}`;
      progressWrite = progressWrite
        .then(() => send(job, { type: 'ReportProgress', scheduleId, generation, bestScore: best, elapsedMs }, step, trigger))
        .then(() => undefined, (error: unknown) => log.warn({ err: error }, 'progress not recorded'));
    };
    // While solving: renew the lease, watch the stream for a cancellation, write throttled progress.
    const watch = setInterval(() => {
      void (async () => {
        if (performance.now() - lastProgressAt >= progressIntervalMs) flushProgress();
        const newer = await commands.eventStore.readStream(streamIdOfSchedule(job.orgId, scheduleId), { fromVersion: streamVersion + 1 });
        if (newer.length) streamVersion = newer[newer.length - 1].version;
        if (newer.some((e) => e.type === 'ScheduleGenerationCancelled')) cancelled.abort();
      })().catch((error: unknown) => log.warn({ err: error }, 'cancellation check failed'));
    }, cancelCheckMs);
    const lease = setInterval(() => {
      renewLease(database, job, workerId, leaseSeconds).then(
        (held) => {
          if (!held) {
            log.warn({ schedule_id: scheduleId }, 'lease lost; stopping this solve');
            cancelled.abort();
          }
        },
        (error: unknown) => log.warn({ err: error }, 'lease renewal failed'),
      );
    }, (leaseSeconds * 1000) / 3);

    try {
      const outcome = await solveInThread(problem, {
        ...state.solver,
        signal: cancelled.signal,
        onProgress: (best, elapsedMs) => {
          pendingProgress = { best, elapsedMs };
          if (performance.now() - lastProgressAt >= progressIntervalMs) flushProgress();
        },
      });
      clearInterval(watch);
      clearInterval(lease);
      await progressWrite;
      if (cancelled.signal.aborted) return 'cancelled';
      if (!outcome.ok) {
        const reason = `invalid problem: ${outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
        await send(job, { type: 'FailGeneration', scheduleId, generation, reason }, 'fail', trigger);
        return 'error';
      }
      const { result } = outcome;
      constraintEvaluations.inc(result.stats.constraintEvaluations);
      const stats = {
        durationMs: Math.round(result.stats.durationMs),
        movesEvaluated: result.stats.movesEvaluated,
        constraintEvaluations: result.stats.constraintEvaluations,
        stopReason: result.stats.stopReason,
        hardViolations: result.explanation.hardViolations,
        attempt: job.attempts,
      };
      const completed = await send(job, { type: 'CompleteGeneration', scheduleId, generation, assignments: result.assignments, score: result.score, stats }, 'complete', trigger);
      if (completed.kind !== 'accepted') return completed.kind === 'rejected' ? 'cancelled' : 'error';
      log.info(
        {
          org_id: job.orgId,
          schedule_id: scheduleId,
          generation,
          employees: problem.employees.length,
          shifts: problem.cover.reduce((sum, c) => sum + c.required, 0),
          duration_ms: Math.round(performance.now() - startedAt),
          score: result.score,
        },
        'schedule generated (排班生成完成)',
      );
      return 'success';
    } catch (error) {
      clearInterval(watch);
      clearInterval(lease);
      log.error({ err: error, schedule_id: scheduleId }, 'schedule generation failed');
      await send(job, { type: 'FailGeneration', scheduleId, generation, reason: (error as Error).message || 'solver failed' }, 'fail', trigger);
      return 'error';
    } finally {
      stopping.signal.removeEventListener('abort', onStop);
      generationDuration.observe((performance.now() - startedAt) / 1000);
    }
  };

  const loop = async () => {
    while (!stopping.signal.aborted) {
      let job: SolveJob | undefined;
      try {
        job = await claimJob(database, workerId, leaseSeconds);
      } catch (error) {
        log.warn({ err: error }, 'could not look for solve jobs');
      }
      if (!job) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        continue;
      }
      let outcome: Outcome = 'error';
      try {
        outcome = await solveJob(job);
      } catch (error) {
        log.error({ err: error, schedule_id: job.scheduleId }, 'solve job failed');
      }
      const interrupted = stopping.signal.aborted && outcome === 'cancelled';
      if (outcome !== 'skipped' && !interrupted) generations.inc({ status: outcome });
      // A solve interrupted by shutdown goes back to the queue for another worker at once.
      const finish = interrupted ? returnJob : releaseJob;
      await finish(database, job, workerId).catch((error: unknown) => log.warn({ err: error }, 'could not release job'));
    }
  };
  const running = loop();
  log.info('solve worker started');

  return {
    workerId,
    async stop() {
      stopping.abort();
      wake?.();
      await running;
    },
  };
}
