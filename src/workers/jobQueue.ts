// The solve-job queue in SQL (table solve_jobs): claim the oldest open job of the kinds a worker
// handles whose lease is free (SKIP LOCKED, so concurrent workers never take the same one), renew
// the lease while solving, and close it. A worker that dies stops renewing; its job becomes
// claimable again when the lease runs out.
import type { Queryable } from '../infra/database.js';

export type JobKind = 'schedule' | 'dispatch';

/** The NOTIFY channel on which a newly opened job is announced. */
export const JOBS_CHANNEL = 'paiban_jobs';

export interface Job {
  orgId: string;
  kind: JobKind;
  /** The schedule or dispatch id. */
  subjectId: string;
  generation: number;
  /** 1 for the first claim; more when earlier workers let the lease expire. */
  attempts: number;
}

const CLAIM = `
  UPDATE solve_jobs j
     SET status = 'running', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2),
         attempts = j.attempts + 1, updated_at = now()
   WHERE (j.org_id, j.kind, j.subject_id, j.generation) = (
          SELECT org_id, kind, subject_id, generation FROM solve_jobs
           WHERE (status = 'pending' OR (status = 'running' AND lease_expires_at < now())) AND kind = ANY($3::text[])
           ORDER BY created_at, subject_id, generation
           LIMIT 1
           FOR UPDATE SKIP LOCKED)
  RETURNING j.org_id, j.kind, j.subject_id, j.generation, j.attempts`;
const KEY = `org_id = $1 AND kind = $2 AND subject_id = $3 AND generation = $4 AND lease_owner = $5`;
const RENEW = `UPDATE solve_jobs SET lease_expires_at = now() + make_interval(secs => $6), updated_at = now() WHERE ${KEY} AND status = 'running'`;
const RELEASE = `UPDATE solve_jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE ${KEY}`;
const RETURN = `
  UPDATE solve_jobs SET status = 'pending', lease_owner = NULL, lease_expires_at = NULL,
         attempts = greatest(attempts - 1, 0), updated_at = now()
   WHERE ${KEY} AND status = 'running'`;

const keyOf = (job: Job, workerId: string) => [job.orgId, job.kind, job.subjectId, job.generation, workerId];

export async function claimJob(db: Queryable, workerId: string, leaseSeconds: number, kinds: readonly JobKind[]): Promise<Job | undefined> {
  const { rows } = await db.query<{ org_id: string; kind: JobKind; subject_id: string; generation: number; attempts: number }>(CLAIM, [workerId, leaseSeconds, kinds]);
  const row = rows[0];
  return row && { orgId: row.org_id, kind: row.kind, subjectId: row.subject_id, generation: row.generation, attempts: row.attempts };
}

/** Extends the lease; false when this worker no longer holds the job. */
export async function renewLease(db: Queryable, job: Job, workerId: string, leaseSeconds: number): Promise<boolean> {
  const { rowCount } = await db.query(RENEW, [...keyOf(job, workerId), leaseSeconds]);
  return rowCount > 0;
}

/** Marks the job done (its outcome is in the subject's events). */
export async function releaseJob(db: Queryable, job: Job, workerId: string): Promise<void> {
  await db.query(RELEASE, keyOf(job, workerId));
}

/** Puts an interrupted job back in the queue (a clean shutdown is not a failed attempt). */
export async function returnJob(db: Queryable, job: Job, workerId: string): Promise<void> {
  await db.query(RETURN, keyOf(job, workerId));
}
