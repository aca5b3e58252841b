// Solving one schedule generation: start it, solve in a worker thread with throttled best-score
// progress, watch the stream for a cancellation, then append the roster and ScheduleGenerated —
// or ScheduleGenerationFailed. Every append goes through the schedule decider, so a stale or
// cancelled generation can never be completed.
import { Counter, Histogram } from 'prom-client';
import { scheduleAggregate } from '../commands/scheduleAggregate.js';
import { problemToSolve } from '../commands/scheduleDecider.js';
import type { Score } from '../domain/roster.js';
import { streamIdOfSchedule, type ScheduleCommand } from '../domain/schedule.js';
import { registry } from '../infra/metrics.js';
import type { Job } from './jobQueue.js';
import { countedHandler, type JobHandler, type JobOutcome, type JobRun } from './jobWorker.js';
import { startGeneration } from './generationStart.js';
import { superviseSolve } from './solveSupervision.js';

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

const TRIGGERS: ReadonlySet<string> = new Set(['ScheduleRequested', 'ReplanRequested']);
/** A cancellation ends the running generation (a replan can only follow a finished one). */
const ENDS_GENERATION: ReadonlySet<string> = new Set(['ScheduleGenerationCancelled']);

export interface ScheduleJobOptions {
  /** At most one progress event per this interval (default 1000 ms). */
  progressIntervalMs?: number;
  /** How often a running solve checks its stream for a cancellation (default 500 ms). */
  cancelCheckMs?: number;
  /** A generation whose workers died this many times is failed instead of retried (default 3). */
  maxAttempts?: number;
}

export function scheduleJobHandler(options: ScheduleJobOptions = {}): JobHandler {
  const progressIntervalMs = options.progressIntervalMs ?? 1000;
  const cancelCheckMs = options.cancelCheckMs ?? 500;
  const maxAttempts = options.maxAttempts ?? 3;

  const solve = async (job: Job, run: JobRun): Promise<JobOutcome> => {
    const { commands, logger } = run;
    const scheduleId = job.subjectId;
    const { generation } = job;
    const streamId = streamIdOfSchedule(job.orgId, scheduleId);
    const start = await startGeneration(job, run, {
      aggregate: scheduleAggregate,
      streamId,
      triggers: TRIGGERS,
      maxAttempts,
      startCommand: { type: 'StartGeneration', scheduleId, generation, workerId: run.workerId },
      failCommand: (reason): ScheduleCommand => ({ type: 'FailGeneration', scheduleId, generation, reason }),
    });
    if (typeof start === 'string') return start;
    const { state, send } = start;

    const problem = problemToSolve(state);
    const startedAt = performance.now();
    const supervision = superviseSolve<{ best: Score; elapsedMs: number }>({
      eventStore: commands.eventStore,
      streamId,
      fromVersion: start.version,
      stopOn: ENDS_GENERATION,
      outer: run.signal,
      progressIntervalMs,
      checkIntervalMs: cancelCheckMs,
      writeProgress: ({ best, elapsedMs }, step) => send({ type: 'ReportProgress', scheduleId, generation, bestScore: best, elapsedMs }, step),
      logger,
    });

    try {
      const outcome = await run.solver.run({ kind: 'roster', problem, limits: state.solver }, supervision.offer, supervision.signal);
      await supervision.finish();
      if (supervision.signal.aborted) return 'cancelled';
      if (!outcome.ok) {
        const reason = `invalid problem: ${outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
        await send({ type: 'FailGeneration', scheduleId, generation, reason }, 'fail');
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
        threads: result.stats.threads,
        mipSteps: result.stats.mipSteps,
        mipImprovements: result.stats.mipImprovements,
        attempt: job.attempts,
      };
      const completed = await send({ type: 'CompleteGeneration', scheduleId, generation, assignments: result.assignments, score: result.score, stats }, 'complete');
      if (completed.kind !== 'accepted') return completed.kind === 'rejected' ? 'cancelled' : 'error';
      logger.info(
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
      await supervision.finish();
      logger.error({ err: error, schedule_id: scheduleId }, 'schedule generation failed');
      await send({ type: 'FailGeneration', scheduleId, generation, reason: (error as Error).message || 'solver failed' }, 'fail');
      return 'error';
    } finally {
      generationDuration.observe((performance.now() - startedAt) / 1000);
    }
  };

  return countedHandler('schedule', generations, solve);
}
