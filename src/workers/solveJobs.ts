// The solve-job queue in SQL: claim the oldest open job whose lease is free (SKIP LOCKED, so
// concurrent workers never take the same one), renew the lease while solving, and close it.
// A worker that dies stops renewing; its job becomes claimable again when the lease runs out.
import type { Queryable } from '../infra/database.js';

export interface SolveJob {
  orgId: string;
  scheduleId: string;
  generation: number;
  /** 1 for the first claim; more when earlier workers let the lease expire. */
  attempts: number;
}

const CLAIM = `
  UPDATE solve_jobs j
     SET status = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2),
         attempts = j.attempts + 1, updated_at = now()
   WHERE (j.org_id, j.schedule_id, j.generation) = (
          SELECT org_id, schedule_id, generation FROM solve_jobs
           WHERE status = 'pending' OR (status = 'running' AND lease_expires_at < now())
           ORDER BY created_at, schedule_id, generation
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
  RETURNING j.org_id, j.schedule_id, j.generation, j.attempts`;
const RENEW = `
  UPDATE solve_jobs SET lease_expires_at = now() + make_interval(secs => $5), updated_at = now()
   WHERE org_id = $1 AND schedule_id = $2 AND generation = $3 AND lease_owner = $4 AND status = 'running'`;
const RELEASE = `
  UPDATE solve_jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
   WHERE org_id = $1 AND schedule_id = $2 AND generation = $3 AND lease_owner = $4`;

const RETURN = `
  UPDATE solve_jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,
         attempts = greatest(attempts - 1, 0), updated_at = now()
   WHERE org_id = $1 AND schedule_id = $2 AND generation = $3 AND lease_owner = $4 AND status = 'running'`;

export async function claimJob(db: Queryable, workerId: string, leaseSeconds: number): Promise<SolveJob | undefined> {
  const { rows } = await db.query<{ org_id: string; schedule_id: string; generation: number; attempts: number }>(CLAIM, [workerId, leaseSeconds]);
  const row = rows[0];
  return row && { orgId: row.org_id, scheduleId: row.schedule_id, generation: row.generation, attempts: row.attempts };
}

/** Extends the lease; false when this worker no longer holds the job. */
export async function renewLease(db: Queryable, job: SolveJob, workerId: string, leaseSeconds: number): Promise<boolean> {
  const { rowCount } = await db.query(RENEW, [job.orgId, job.scheduleId, job.generation, workerId, leaseSeconds]);
  return rowCount > 0;
}

/** Marks the job done (its outcome is in the schedule's events). */
export async function releaseJob(db: Queryable, job: SolveJob, workerId: string): Promise<void> {
  await db.query(RELEASE, [job.orgId, job.scheduleId, job.generation, workerId]);
}

/** Puts an interrupted job back in the queue (a clean shutdown is not a failed attempt). */
export async function returnJob(db: Queryable, job: SolveJob, workerId: string): Promise<void> {
  await db.query(RETURN, [job.orgId, job.scheduleId, job.generation, workerId]);
}
