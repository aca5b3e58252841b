// The `schedules` projection: schedule streams → the schedules, assignments and unfilled_demand
// read models. Changes to the problem (unavailability, demand) reuse the decider's own evolve, so
// the read side can never disagree with the write side about what a change means.
import { isLeft } from 'fp-ts/lib/Either.js';
import { scheduleDecider } from '../commands/scheduleDecider.js';
import type { RosterProblem } from '../domain/roster.js';
import { ScheduleEvent } from '../domain/schedule.js';
import type { Queryable } from '../infra/database.js';
import type { RecordedEvent } from '../infra/eventstore/eventStore.js';
import { dateOf, minutesOfDay } from '../solver/calendar.js';
import { coverHeads } from '../solver/evaluator.js';
import type { Projection } from './projection.js';

const INSERT_SCHEDULE = `
  INSERT INTO schedules (org_id, schedule_id, name, status, start_date, days, employees, shifts, generation,
                         problem, version, created_at, updated_at)
  VALUES ($1, $2, $3, 'requested', $4, $5, $6, $7, $8, $9, $10, $11, $11)`;
const TOUCH = `UPDATE schedules SET version = $3, updated_at = $4 WHERE org_id = $1 AND schedule_id = $2`;
const SET_STATUS = `UPDATE schedules SET status = $3, version = $4, updated_at = $5 WHERE org_id = $1 AND schedule_id = $2`;
const SET_STARTED = `UPDATE schedules SET status = 'generating', failure_reason = NULL, version = $3, updated_at = $4 WHERE org_id = $1 AND schedule_id = $2`;
const SET_BEST = `UPDATE schedules SET best_hard = $3, best_medium = $4, best_soft = $5, version = $6, updated_at = $7 WHERE org_id = $1 AND schedule_id = $2`;
const SET_GENERATED = `
  UPDATE schedules SET status = 'generated', score_hard = $3, score_medium = $4, score_soft = $5,
         best_hard = $3, best_medium = $4, best_soft = $5, stats = $6, version = $7, updated_at = $8
  WHERE org_id = $1 AND schedule_id = $2`;
const SET_FAILED = `UPDATE schedules SET status = 'failed', failure_reason = $3, version = $4, updated_at = $5 WHERE org_id = $1 AND schedule_id = $2`;
const SET_PUBLISHED = `UPDATE schedules SET published = true, published_at = $3, version = $4, updated_at = $5 WHERE org_id = $1 AND schedule_id = $2`;
const SET_PROBLEM = `UPDATE schedules SET problem = $3, version = $4, updated_at = $5 WHERE org_id = $1 AND schedule_id = $2`;
const SET_REPLANNING = `UPDATE schedules SET status = 'requested', generation = $3, version = $4, updated_at = $5 WHERE org_id = $1 AND schedule_id = $2`;
const LOAD_PROBLEM = `SELECT problem FROM schedules WHERE org_id = $1 AND schedule_id = $2`;
const DELETE_UNPINNED = `DELETE FROM assignments WHERE org_id = $1 AND schedule_id = $2 AND NOT pinned`;
const INSERT_ASSIGNMENTS = `
  INSERT INTO assignments (org_id, schedule_id, employee_id, day, date, shift_id, starts_at, ends_at, pinned, source, created_at)
  SELECT $1, $2, a.employee_id, a.day, a.date::date, a.shift_id, a.starts_at::timestamp, a.ends_at::timestamp, $3, $4, $5
  FROM unnest($6::text[], $7::int[], $8::text[], $9::text[], $10::text[], $11::text[])
       AS a(employee_id, day, date, shift_id, starts_at, ends_at)
  ON CONFLICT (org_id, schedule_id, employee_id, day) DO UPDATE
    SET shift_id = EXCLUDED.shift_id, date = EXCLUDED.date, starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
        pinned = EXCLUDED.pinned, source = EXCLUDED.source, created_at = EXCLUDED.created_at
    WHERE $3 OR NOT assignments.pinned`;
const DELETE_ASSIGNMENT = `DELETE FROM assignments WHERE org_id = $1 AND schedule_id = $2 AND employee_id = $3 AND day = $4`;
const LOAD_ASSIGNMENTS = `SELECT employee_id, day, shift_id FROM assignments WHERE org_id = $1 AND schedule_id = $2`;
const DELETE_UNFILLED = `DELETE FROM unfilled_demand WHERE org_id = $1 AND schedule_id = $2`;
const INSERT_UNFILLED = `
  INSERT INTO unfilled_demand (org_id, schedule_id, day, shift_id, skill, required, assigned, missing, hard)
  SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::boolean[])`;

/** `schedule-<org>-<id>` → id, given the org from the metadata. */
function scheduleIdOf(streamId: string, orgId: string): string | undefined {
  const prefix = `schedule-${orgId}-`;
  return streamId.startsWith(prefix) ? streamId.slice(prefix.length) : undefined;
}

interface AssignmentRow {
  employeeId: string;
  day: number;
  shiftId: string;
}

async function insertAssignments(tx: Queryable, ids: [string, string], problem: RosterProblem, rows: readonly AssignmentRow[], manual: boolean, at: Date): Promise<void> {
  if (rows.length === 0) return;
  const shifts = new Map(problem.shiftTypes.map((s) => [s.id, s]));
  const columns: [string[], number[], string[], string[], string[], string[]] = [[], [], [], [], [], []];
  for (const row of rows) {
    const shift = shifts.get(row.shiftId);
    if (!shift) continue; // the decider never lets an unknown shift in; be safe on replay of old data
    const date = dateOf(problem.startDate, row.day);
    const start = Date.parse(`${date}T00:00:00Z`) + minutesOfDay(shift.start) * 60_000;
    columns[0].push(row.employeeId);
    columns[1].push(row.day);
    columns[2].push(date);
    columns[3].push(row.shiftId);
    columns[4].push(new Date(start).toISOString().slice(0, 19));
    columns[5].push(new Date(start + shift.durationMinutes * 60_000).toISOString().slice(0, 19));
  }
  await tx.query(INSERT_ASSIGNMENTS, [...ids, manual, manual ? 'manual' : 'solver', at, ...columns]);
}

/** Recomputes which requirements are short of people, from the problem and the assignments. */
async function refreshUnfilled(tx: Queryable, ids: [string, string], problem: RosterProblem): Promise<void> {
  const { rows } = await tx.query<{ employee_id: string; day: number; shift_id: string }>(LOAD_ASSIGNMENTS, ids);
  const heads = coverHeads(problem, rows.map((r) => ({ employeeId: r.employee_id, day: r.day, shiftId: r.shift_id })));
  const columns: [number[], string[], string[], number[], number[], number[], boolean[]] = [[], [], [], [], [], [], []];
  for (const [i, cover] of problem.cover.entries()) {
    const assigned = heads[i]!;
    if (assigned >= cover.required) continue;
    columns[0].push(cover.day);
    columns[1].push(cover.shiftId);
    columns[2].push(cover.skill ?? '');
    columns[3].push(cover.required);
    columns[4].push(assigned);
    columns[5].push(cover.required - assigned);
    columns[6].push(cover.hardMinimum === true);
  }
  await tx.query(DELETE_UNFILLED, ids);
  if (columns[0].length) await tx.query(INSERT_UNFILLED, [...ids, ...columns]);
}

async function loadProblem(tx: Queryable, ids: [string, string]): Promise<RosterProblem> {
  const { rows } = await tx.query<{ problem: RosterProblem }>(LOAD_PROBLEM, ids);
  if (!rows[0]) throw new Error(`schedule ${ids.join('/')} has events but no row: was ScheduleRequested skipped?`);
  return rows[0].problem;
}

/** The problem after a change event, by the decider's own rules. */
function problemAfter(problem: RosterProblem, event: ScheduleEvent): RosterProblem {
  const state = scheduleDecider.evolve({ ...scheduleDecider.initialState, exists: true, problem }, event);
  return state.problem ?? problem;
}

async function applyScheduleEvent(tx: Queryable, ids: [string, string], event: ScheduleEvent, version: number, at: Date, occurredAt: unknown): Promise<void> {
  switch (event.type) {
    case 'ScheduleRequested': {
      const { problem } = event;
      const shifts = problem.cover.reduce((sum, c) => sum + c.required, 0);
      await tx.query(INSERT_SCHEDULE, [...ids, event.name, problem.startDate, problem.days, problem.employees.length, shifts, event.generation, problem, version, at]);
      return refreshUnfilled(tx, ids, problem);
    }
    case 'ScheduleGenerationStarted':
      return void (await tx.query(SET_STARTED, [...ids, version, at]));
    case 'ScheduleProgressed':
      return void (await tx.query(SET_BEST, [...ids, event.bestScore.hard, event.bestScore.medium, event.bestScore.soft, version, at]));
    case 'ShiftsAssigned': {
      const problem = await loadProblem(tx, ids);
      await tx.query(DELETE_UNPINNED, ids);
      await insertAssignments(tx, ids, problem, event.assignments, false, at);
      await tx.query(TOUCH, [...ids, version, at]);
      return refreshUnfilled(tx, ids, problem);
    }
    case 'ScheduleGenerated':
      return void (await tx.query(SET_GENERATED, [...ids, event.score.hard, event.score.medium, event.score.soft, event.stats, version, at]));
    case 'ScheduleGenerationFailed':
      return void (await tx.query(SET_FAILED, [...ids, event.reason, version, at]));
    case 'ScheduleGenerationCancelled':
      return void (await tx.query(SET_STATUS, [...ids, 'cancelled', version, at]));
    case 'ShiftAssigned': {
      const problem = await loadProblem(tx, ids);
      await insertAssignments(tx, ids, problem, [event], true, at);
      await tx.query(TOUCH, [...ids, version, at]);
      return refreshUnfilled(tx, ids, problem);
    }
    case 'ShiftUnassigned':
      await tx.query(DELETE_ASSIGNMENT, [...ids, event.employeeId, event.day]);
      await tx.query(TOUCH, [...ids, version, at]);
      return refreshUnfilled(tx, ids, await loadProblem(tx, ids));
    case 'SchedulePublished':
      return void (await tx.query(SET_PUBLISHED, [...ids, typeof occurredAt === 'string' ? occurredAt : at, version, at]));
    case 'EmployeeMarkedUnavailable':
    case 'DemandChanged': {
      const problem = problemAfter(await loadProblem(tx, ids), event);
      await tx.query(SET_PROBLEM, [...ids, problem, version, at]);
      return refreshUnfilled(tx, ids, problem);
    }
    case 'ReplanRequested':
      return void (await tx.query(SET_REPLANNING, [...ids, event.generation, version, at]));
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The schedule ids (with org) a batch touched, for cache invalidation. */
export interface ScheduleRef {
  orgId: string;
  scheduleId: string;
}

/** Decodes a stored event of a schedule stream; undefined for events of other streams. */
export function asScheduleEvent(event: RecordedEvent): { ref: ScheduleRef; event: ScheduleEvent } | undefined {
  const orgId = event.metadata.orgId;
  if (typeof orgId !== 'string' || !event.streamId.startsWith('schedule-')) return undefined;
  const scheduleId = scheduleIdOf(event.streamId, orgId);
  const decoded = ScheduleEvent.decode({ ...event.data, type: event.type });
  if (scheduleId === undefined || isLeft(decoded)) return undefined;
  return { ref: { orgId, scheduleId }, event: decoded.right };
}

export function schedulesProjection(onChanged: (refs: readonly ScheduleRef[]) => Promise<void> = async () => undefined): Projection {
  return {
    name: 'schedules',
    tables: ['schedules', 'assignments', 'unfilled_demand'],
    async apply(tx, recorded) {
      const decoded = asScheduleEvent(recorded);
      if (!decoded) return;
      await applyScheduleEvent(tx, [decoded.ref.orgId, decoded.ref.scheduleId], decoded.event, recorded.version, recorded.recordedAt, recorded.metadata.occurredAt);
    },
    async afterCommit(events) {
      const refs = new Map<string, ScheduleRef>();
      for (const event of events) {
        const decoded = asScheduleEvent(event);
        if (decoded) refs.set(`${decoded.ref.orgId}/${decoded.ref.scheduleId}`, decoded.ref);
      }
      if (refs.size) await onChanged([...refs.values()]);
    },
  };
}
