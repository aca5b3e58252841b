// Read-model queries the schedule API answers from. Every query is scoped by org id.
import type { RosterProblem, Score } from '../domain/roster.js';
import type { Queryable } from '../infra/database.js';

export interface ScheduleView {
  scheduleId: string;
  name: string;
  status: string;
  published: boolean;
  publishedAt: string | null;
  startDate: string;
  days: number;
  employees: number;
  shifts: number;
  generation: number;
  score: Score | null;
  bestScore: Score | null;
  stats: Record<string, unknown> | null;
  failureReason: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface AssignmentView {
  employeeId: string;
  day: number;
  date: string;
  shiftId: string;
  start: string;
  end: string;
  pinned: boolean;
  source: string;
  createdAt: string;
}

export interface UnfilledView {
  day: number;
  shiftId: string;
  skill: string | null;
  required: number;
  assigned: number;
  missing: number;
  hard: boolean;
}

interface ScheduleRow {
  schedule_id: string;
  name: string;
  status: string;
  published: boolean;
  published_at: Date | null;
  start_date: string | Date;
  days: number;
  employees: number;
  shifts: number;
  generation: number;
  score_hard: number | null;
  score_medium: number | null;
  score_soft: number | null;
  best_hard: number | null;
  best_medium: number | null;
  best_soft: number | null;
  stats: Record<string, unknown> | null;
  failure_reason: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const SCHEDULE_COLUMNS = `schedule_id, name, status, published, published_at, start_date::text AS start_date, days, employees, shifts,
  generation, score_hard, score_medium, score_soft, best_hard, best_medium, best_soft, stats, failure_reason, version, created_at, updated_at`;
const GET_SCHEDULE = `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE org_id = $1 AND schedule_id = $2`;
const GET_VERSION = `SELECT version FROM schedules WHERE org_id = $1 AND schedule_id = $2`;
const GET_PROBLEM = `SELECT problem, version FROM schedules WHERE org_id = $1 AND schedule_id = $2`;
// Newest first; the cursor is the last row's (created_at, schedule_id).
const LIST_SCHEDULES = `
  SELECT ${SCHEDULE_COLUMNS} FROM schedules
   WHERE org_id = $1
     AND ($2::text IS NULL OR status = $2)
     AND ($3::boolean IS NULL OR published = $3)
     AND ($4::timestamptz IS NULL OR (created_at, schedule_id) < ($4::timestamptz, $5::text))
   ORDER BY created_at DESC, schedule_id DESC
   LIMIT $6`;
const LIST_ASSIGNMENTS = `
  SELECT employee_id, day, date::text AS date, shift_id, to_char(starts_at, 'YYYY-MM-DD"T"HH24:MI') AS start,
         to_char(ends_at, 'YYYY-MM-DD"T"HH24:MI') AS "end", pinned, source, created_at
    FROM assignments
   WHERE org_id = $1 AND schedule_id = $2
     AND ($3::text IS NULL OR employee_id = $3)
     AND ($4::int IS NULL OR day >= $4)
     AND ($5::int IS NULL OR day <= $5)
   ORDER BY day, employee_id`;
const LIST_UNFILLED = `
  SELECT day, shift_id, skill, required, assigned, missing, hard FROM unfilled_demand
   WHERE org_id = $1 AND schedule_id = $2 ORDER BY day, shift_id, skill`;

const scoreOf = (hard: number | null, medium: number | null, soft: number | null): Score | null =>
  hard === null || medium === null || soft === null ? null : { hard, medium, soft };

function toView(row: ScheduleRow): ScheduleView {
  return {
    scheduleId: row.schedule_id,
    name: row.name,
    status: row.status,
    published: row.published,
    publishedAt: row.published_at ? new Date(row.published_at).toISOString() : null,
    startDate: typeof row.start_date === 'string' ? row.start_date : row.start_date.toISOString().slice(0, 10),
    days: row.days,
    employees: row.employees,
    shifts: row.shifts,
    generation: row.generation,
    score: scoreOf(row.score_hard, row.score_medium, row.score_soft),
    bestScore: scoreOf(row.best_hard, row.best_medium, row.best_soft),
    stats: row.stats,
    failureReason: row.failure_reason,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export async function getSchedule(db: Queryable, orgId: string, scheduleId: string): Promise<ScheduleView | undefined> {
  const { rows } = await db.query<ScheduleRow>(GET_SCHEDULE, [orgId, scheduleId]);
  return rows[0] && toView(rows[0]);
}

/** The read model's version of a schedule (its ETag), or undefined when there is none. */
export async function scheduleVersion(db: Queryable, orgId: string, scheduleId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ version: number }>(GET_VERSION, [orgId, scheduleId]);
  return rows[0]?.version;
}

export async function getProblem(db: Queryable, orgId: string, scheduleId: string): Promise<{ problem: RosterProblem; version: number } | undefined> {
  const { rows } = await db.query<{ problem: RosterProblem; version: number }>(GET_PROBLEM, [orgId, scheduleId]);
  return rows[0];
}

export interface ScheduleFilter {
  status?: string;
  published?: boolean;
  /** From a previous page's `nextCursor`. */
  after?: { createdAt: string; scheduleId: string };
  limit: number;
}

export async function listSchedules(db: Queryable, orgId: string, filter: ScheduleFilter): Promise<{ schedules: ScheduleView[]; next?: { createdAt: string; scheduleId: string } }> {
  const { rows } = await db.query<ScheduleRow>(LIST_SCHEDULES, [
    orgId,
    filter.status ?? null,
    filter.published ?? null,
    filter.after?.createdAt ?? null,
    filter.after?.scheduleId ?? null,
    filter.limit + 1,
  ]);
  const schedules = rows.slice(0, filter.limit).map(toView);
  const last = schedules[schedules.length - 1];
  return { schedules, ...(rows.length > filter.limit && last ? { next: { createdAt: last.createdAt, scheduleId: last.scheduleId } } : {}) };
}

export async function listAssignments(
  db: Queryable,
  orgId: string,
  scheduleId: string,
  filter: { employeeId?: string; fromDay?: number; toDay?: number } = {},
): Promise<AssignmentView[]> {
  const { rows } = await db.query<{ employee_id: string; day: number; date: string; shift_id: string; start: string; end: string; pinned: boolean; source: string; created_at: Date }>(
    LIST_ASSIGNMENTS,
    [orgId, scheduleId, filter.employeeId ?? null, filter.fromDay ?? null, filter.toDay ?? null],
  );
  return rows.map((r) => ({
    employeeId: r.employee_id,
    day: r.day,
    date: r.date,
    shiftId: r.shift_id,
    start: r.start,
    end: r.end,
    pinned: r.pinned,
    source: r.source,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

export async function listUnfilled(db: Queryable, orgId: string, scheduleId: string): Promise<UnfilledView[]> {
  const { rows } = await db.query<{ day: number; shift_id: string; skill: string; required: number; assigned: number; missing: number; hard: boolean }>(LIST_UNFILLED, [orgId, scheduleId]);
  return rows.map((r) => ({ day: r.day, shiftId: r.shift_id, skill: r.skill || null, required: r.required, assigned: r.assigned, missing: r.missing, hard: r.hard }));
}
