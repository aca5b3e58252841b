// Solving one dispatch generation: start it, solve in a worker thread with throttled progress,
// watch the stream for a newer generation (a real-time change superseded this one), then append
// the routes and DispatchGenerated — or DispatchFailed. Every append goes through the dispatch
// decider, so a stale generation can never be completed.
import { Counter, Histogram } from 'prom-client';
import { dispatchAggregate } from '../commands/dispatchAggregate.js';
import { requestToSolve } from '../commands/dispatchDecider.js';
import { streamIdOfDispatch, type DispatchCommand } from '../domain/dispatchService.js';
import { registry } from '../infra/metrics.js';
import type { DispatchProgress } from '../solver/routing/index.js';
import type { Job } from './jobQueue.js';
import { countedHandler, type JobHandler, type JobOutcome, type JobRun } from './jobWorker.js';
import { startGeneration } from './generationStart.js';
import { superviseSolve } from './solveSupervision.js';

const generations = new Counter({
  name: 'dispatch_generations_total',
  help: 'Dispatch generations by outcome.',
  labelNames: ['status'] as const,
  registers: [registry],
});
const generationDuration = new Histogram({
  name: 'dispatch_generation_duration_seconds',
  help: 'Wall-clock time of a dispatch generation, from start to result.',
  buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
  registers: [registry],
});

export interface DispatchJobOptions {
  /** At most one progress event per this interval (default 1000 ms). */
  progressIntervalMs?: number;
  /** How often a running solve checks its stream for a newer generation (default 500 ms). */
  supersededCheckMs?: number;
  /** A generation whose workers died this many times is failed instead of retried (default 3). */
  maxAttempts?: number;
}

const TRIGGERS = new Set(['DispatchRequested', 'RedispatchRequested']);
/** A change asked for a newer generation: this one's plan is already out of date. */
const ENDS_GENERATION: ReadonlySet<string> = new Set(['RedispatchRequested']);

export function dispatchJobHandler(options: DispatchJobOptions = {}): JobHandler {
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const supersededCheckMs = options.supersededCheckMs ?? 500;
  const maxAttempts = options.maxAttempts ?? 3;

  const solve = async (job: Job, run: JobRun): Promise<JobOutcome> => {
    const { commands, logger } = run;
    const dispatchId = job.subjectId;
    const { generation } = job;
    const streamId = streamIdOfDispatch(job.orgId, dispatchId);
    const start = await startGeneration(job, run, {
      aggregate: dispatchAggregate,
      streamId,
      triggers: TRIGGERS,
      maxAttempts,
      startCommand: { type: 'StartDispatchGeneration', dispatchId, generation, workerId: run.workerId },
      failCommand: (reason): DispatchCommand => ({ type: 'FailDispatchGeneration', dispatchId, generation, reason }),
    });
    if (typeof start === 'string') return start;
    const { state, send } = start;

    const request = requestToSolve(state);
    const startedAt = performance.now();
    const supervision = superviseSolve<DispatchProgress>({
      eventStore: commands.eventStore,
      streamId,
      fromVersion: start.version,
      stopOn: ENDS_GENERATION,
      outer: run.signal,
      progressIntervalMs,
      checkIntervalMs: supersededCheckMs,
      writeProgress: ({ unassigned, techniciansUsed, distance, elapsedMs }, step) =>
        send({ type: 'ReportDispatchProgress', dispatchId, generation, progress: { unassigned, techniciansUsed, distance, elapsedMs: Math.round(elapsedMs) } }, step),
      logger,
    });

    try {
      const outcome = await run.solver.run({ kind: 'dispatch', request, limits: state.solver }, supervision.offer, supervision.signal);
      await supervision.finish();
      if (supervision.signal.aborted) return 'cancelled';
      if (!outcome.ok) {
        const reason = `invalid request: ${outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
        await send({ type: 'FailDispatchGeneration', dispatchId, generation, reason }, 'fail');
        return 'error';
      }
      const { result } = outcome;
      const stats = {
        elapsedMs: Math.round(result.stats.elapsedMs),
        iterations: result.stats.iterations,
        fleetIterations: result.stats.fleetIterations,
        improvements: result.stats.improvements,
        stopReason: result.stats.stopReason,
        seed: result.stats.seed,
        attempt: job.attempts,
      };
      const completed = await send(
        {
          type: 'CompleteDispatchGeneration',
          dispatchId,
          generation,
          routes: result.routes.map((r) => ({ ...r, visits: r.visits.map((v) => ({ ...v })) })),
          unassigned: result.unassigned.map((u) => ({ ...u })),
          objective: { ...result.objective },
          stats,
        },
        'complete',
      );
      if (completed.kind !== 'accepted') return completed.kind === 'rejected' ? 'cancelled' : 'error';
      logger.info(
        {
          org_id: job.orgId,
          dispatch_id: dispatchId,
          generation,
          orders: request.orders.length,
          technicians: request.technicians.length,
          fixed_visits: request.fixedVisits?.length ?? 0,
          unassigned: result.unassigned.length,
          technicians_used: result.objective.techniciansUsed,
          distance: Math.round(result.objective.travelDistance * 100) / 100,
          duration_ms: Math.round(performance.now() - startedAt),
        },
        'dispatch generated',
      );
      return 'success';
    } catch (error) {
      await supervision.finish();
      logger.error({ err: error, dispatch_id: dispatchId }, 'dispatch generation failed');
      await send({ type: 'FailDispatchGeneration', dispatchId, generation, reason: (error as Error).message || 'solver failed' }, 'fail');
      return 'error';
    } finally {
      generationDuration.observe((performance.now() - startedAt) / 1000);
    }
  };

  return countedHandler('dispatch', generations, solve);
}
