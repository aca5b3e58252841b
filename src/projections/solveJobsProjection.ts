// The `solve-jobs` projection: one job per requested schedule generation (a request or a replan),
// closed when that generation ends in any way. Workers claim jobs from this table
// (workers/jobQueue.ts). Dispatch jobs are opened by the dispatch projection the same way.
import type { Queryable } from '../infra/database.js';
import { JOBS_CHANNEL, type JobKind } from '../workers/jobQueue.js';
import type { Projection } from './projection.js';
import { asScheduleEvent } from './schedulesProjection.js';

const OPEN_JOB = `
  INSERT INTO solve_jobs (org_id, kind, subject_id, generation, created_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (org_id, kind, subject_id, generation) DO NOTHING`;
const CLOSE_JOB = `
  UPDATE solve_jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = $5
  WHERE org_id = $1 AND kind = $2 AND subject_id = $3 AND generation = $4`;
// NOTIFY is delivered at commit: idle workers wake when the job can be claimed, not before.
const ANNOUNCE_JOB = `SELECT pg_notify('${JOBS_CHANNEL}', $1)`;

export interface JobRef {
  orgId: string;
  kind: JobKind;
  subjectId: string;
  generation: number;
}

/** Opens a job (once) and wakes the workers when the transaction commits. */
export async function openJob(tx: Queryable, job: JobRef, at: Date): Promise<void> {
  await tx.query(OPEN_JOB, [job.orgId, job.kind, job.subjectId, job.generation, at]);
  await tx.query(ANNOUNCE_JOB, [job.kind]);
}

/** Closes a job: its generation ended (or was superseded), so no worker should take it. */
export async function closeJob(tx: Queryable, job: JobRef, at: Date): Promise<void> {
  await tx.query(CLOSE_JOB, [job.orgId, job.kind, job.subjectId, job.generation, at]);
}

export function solveJobsProjection(): Projection {
  return {
    name: 'solve-jobs',
    tables: ['solve_jobs'],
    async apply(tx, recorded) {
      const decoded = asScheduleEvent(recorded);
      if (!decoded) return;
      const { ref, event } = decoded;
      switch (event.type) {
        case 'ScheduleRequested':
        case 'ReplanRequested':
          await openJob(tx, { orgId: ref.orgId, kind: 'schedule', subjectId: ref.scheduleId, generation: event.generation }, recorded.recordedAt);
          return;
        case 'ScheduleGenerated':
        case 'ScheduleGenerationFailed':
        case 'ScheduleGenerationCancelled':
          await closeJob(tx, { orgId: ref.orgId, kind: 'schedule', subjectId: ref.scheduleId, generation: event.generation }, recorded.recordedAt);
          return;
        default:
          return; // other events do not open or close generations
      }
    },
  };
}
