-- Solve jobs: one per requested generation of a schedule or a dispatch (`kind`), opened and closed
-- by projections. Workers claim a job with a lease (FOR UPDATE SKIP LOCKED), renew it while
-- solving, and a job whose lease expired (its worker died) is claimed again.
CREATE TABLE solve_jobs (
  org_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('schedule', 'dispatch')),
  subject_id text NOT NULL,
  generation integer NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done')),
  lease_owner text,
  lease_expires_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, kind, subject_id, generation)
);
CREATE INDEX solve_jobs_claimable ON solve_jobs (created_at) WHERE status <> 'done';
