// The `solve-jobs` projection: one job per requested schedule generation (a request or a replan),
// closed when that generation ends in any way. Workers claim jobs from this table
// (workers/jobQueue.ts). Dispatch jobs are opened by the dispatch projection the same way.
import type { Projection } from './projection.js';
import { asScheduleEvent } from './schedulesProjection.js';

export const OPEN_JOB = `
  INSERT INTO solve_jobs (org_id, kind, subject_id, generation, created_at) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (org_id, kind, subject_id, generation) DO NOTHING`;
export const CLOSE_JOB = `
  UPDATE solve_jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = $5
  WHERE org_id = $1 AND kind = $2 AND subject_id = $3 AND generation = $4`;

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
          await tx.query(OPEN_JOB, [ref.orgId, 'schedule', ref.scheduleId, event.generation, recorded.recordedAt]);
          return;
        case 'ScheduleGenerated':
        case 'ScheduleGenerationFailed':
        case 'ScheduleGenerationCancelled':
          await tx.query(CLOSE_JOB, [ref.orgId, 'schedule', ref.scheduleId, event.generation, recorded.recordedAt]);
          return;
        default:
          return; // other events do not open or close generations
      }
    },
  };
}
