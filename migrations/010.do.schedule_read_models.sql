-- Read models of schedules, built by the `schedules` projection from the schedule streams.
-- Every row carries its org id; every query filters by it.
CREATE TABLE schedules (
  org_id text NOT NULL,
  schedule_id text NOT NULL,
  name text NOT NULL,
  status text NOT NULL,
  published boolean NOT NULL DEFAULT false,
  published_at timestamptz,
  start_date date NOT NULL,
  days integer NOT NULL,
  employees integer NOT NULL,
  shifts integer NOT NULL,
  generation integer NOT NULL,
  score_hard integer,
  score_medium integer,
  score_soft integer,
  best_hard integer,
  best_medium integer,
  best_soft integer,
  stats jsonb,
  failure_reason text,
  -- The problem as it stands (request plus later changes), for unfilled demand and shift times.
  problem jsonb NOT NULL,
  version integer NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, schedule_id)
);
CREATE INDEX schedules_newest_first ON schedules (org_id, created_at DESC, schedule_id DESC);
CREATE INDEX schedules_by_status ON schedules (org_id, status, created_at DESC);

CREATE TABLE assignments (
  org_id text NOT NULL,
  schedule_id text NOT NULL,
  employee_id text NOT NULL,
  day integer NOT NULL,
  date date NOT NULL,
  shift_id text NOT NULL,
  -- Wall-clock times of the roster's own calendar (rosters carry no time zone).
  starts_at timestamp NOT NULL,
  ends_at timestamp NOT NULL,
  pinned boolean NOT NULL,
  source text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (org_id, schedule_id, employee_id, day)
);
CREATE INDEX assignments_by_day ON assignments (org_id, schedule_id, day);
CREATE INDEX assignments_created_at ON assignments (created_at);

CREATE TABLE unfilled_demand (
  org_id text NOT NULL,
  schedule_id text NOT NULL,
  day integer NOT NULL,
  shift_id text NOT NULL,
  skill text NOT NULL DEFAULT '',
  required integer NOT NULL,
  assigned integer NOT NULL,
  missing integer NOT NULL,
  hard boolean NOT NULL,
  PRIMARY KEY (org_id, schedule_id, day, shift_id, skill)
);
