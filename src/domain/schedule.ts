// The schedule aggregate's language: the commands a planner (or a solve worker) sends and the
// events they produce, as io-ts codecs. One stream per schedule.
import * as t from 'io-ts';
import { Assignment, CoverRequirement, NonNegativeInt, RosterProblem, Score } from './roster.js';
import { strictObject } from './rosterCodecSupport.js';

const Id = t.refinement(t.string, (s) => s.length > 0 && s.length <= 100, 'an id (1-100 characters)');
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'a positive integer');

/** Solver options a requester may set; the service fills the rest from its defaults. */
export const SolverSettings = strictObject(
  'SolverSettings',
  {},
  {
    /** Wall-clock limit of one generation, 1 s to 10 min. */
    timeLimitMs: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1000 && n <= 600_000, 'an integer 1000-600000'),
    /** Stop early when the best roster has not improved for this long (default: the time limit,
     * i.e. no early stop). */
    unimprovedLimitMs: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 100 && n <= 600_000, 'an integer 100-600000'),
    seed: t.refinement(t.number, (n) => Number.isInteger(n) && n >= 0 && n <= 2 ** 31 - 1, 'an integer 0-2147483647'),
  },
);
export type SolverSettings = t.TypeOf<typeof SolverSettings>;

export const ResolvedSolverSettings = t.type({ timeLimitMs: t.number, unimprovedLimitMs: t.number, seed: t.number });
export type ResolvedSolverSettings = t.TypeOf<typeof ResolvedSolverSettings>;

/** Well under the operations guide's 30 s alert. */
const DEFAULT_TIME_LIMIT_MS = 20_000;

/**
 * The settings a generation runs with: the requester's, the rest by default. By default the search
 * uses its whole time limit: its annealing cools over the time limit, so a stop after a short spell
 * without improvement cuts it off while still hot (with 0.5 s, on the Curtois benchmark at 20 s:
 * Instance7 1 152 against 1 091, Instance20 with hard violations left; bench/RESULTS.md, "The
 * service's solves"). A small problem still ends early, once the solver proves its roster optimal.
 */
export function resolveSolverSettings(requested: SolverSettings | undefined): ResolvedSolverSettings {
  const timeLimitMs = requested?.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  return { timeLimitMs, unimprovedLimitMs: requested?.unimprovedLimitMs ?? timeLimitMs, seed: requested?.seed ?? 1 };
}

/** A cover requirement to drop: the shift on that day (for one skill, or the skill-less one). */
export const CoverKey = strictObject('CoverKey', { day: NonNegativeInt, shiftId: Id }, { skill: t.string });
export type CoverKey = t.TypeOf<typeof CoverKey>;

/** A hard rule an assignment breaks, as the evaluator reports it. */
export const BrokenRule = t.intersection([
  t.type({ constraint: t.string, penalty: t.number, detail: t.string }),
  t.partial({ employeeId: t.string, day: t.number, shiftId: t.string }),
]);
export type BrokenRule = t.TypeOf<typeof BrokenRule>;

// ---- commands -------------------------------------------------------------------------------

// Every command names the schedule it addresses (its stream).
export const RequestSchedule = t.type({
  type: t.literal('RequestSchedule'),
  scheduleId: Id,
  name: t.string,
  problem: RosterProblem,
  solver: ResolvedSolverSettings,
});

export const StartGeneration = t.type({ type: t.literal('StartGeneration'), scheduleId: Id, generation: PositiveInt, workerId: t.string });
export const ReportProgress = t.type({ type: t.literal('ReportProgress'), scheduleId: Id, generation: PositiveInt, bestScore: Score, elapsedMs: t.number });
export const CompleteGeneration = t.type({
  type: t.literal('CompleteGeneration'), scheduleId: Id,
  generation: PositiveInt,
  assignments: t.array(Assignment),
  score: Score,
  stats: t.record(t.string, t.union([t.number, t.string])),
});
export const FailGeneration = t.type({ type: t.literal('FailGeneration'), scheduleId: Id, generation: PositiveInt, reason: t.string });
export const CancelGeneration = t.type({ type: t.literal('CancelGeneration'), scheduleId: Id });
export const AssignShift = t.intersection([
  t.type({ type: t.literal('AssignShift'), scheduleId: Id, employeeId: Id, day: NonNegativeInt, shiftId: Id }),
  t.partial({ force: t.boolean }),
]);
export const UnassignShift = t.type({ type: t.literal('UnassignShift'), scheduleId: Id, employeeId: Id, day: NonNegativeInt });
export const PublishSchedule = t.type({ type: t.literal('PublishSchedule'), scheduleId: Id });
export const MarkEmployeeUnavailable = t.intersection([
  t.type({ type: t.literal('MarkEmployeeUnavailable'), scheduleId: Id, employeeId: Id, days: t.array(NonNegativeInt) }),
  t.partial({ reason: t.string }),
]);
export const ChangeDemand = t.type({
  type: t.literal('ChangeDemand'), scheduleId: Id,
  /** Requirements to add or replace (matched on day, shift and skill). */
  set: t.array(CoverRequirement),
  remove: t.array(CoverKey),
});
export const Replan = t.type({
  type: t.literal('Replan'), scheduleId: Id,
  /** Soft penalty per published assignment the new roster changes. */
  changePenalty: NonNegativeInt,
  solver: ResolvedSolverSettings,
});

export const ScheduleCommand = t.union([
  RequestSchedule,
  StartGeneration,
  ReportProgress,
  CompleteGeneration,
  FailGeneration,
  CancelGeneration,
  AssignShift,
  UnassignShift,
  PublishSchedule,
  MarkEmployeeUnavailable,
  ChangeDemand,
  Replan,
]);
export type ScheduleCommand = t.TypeOf<typeof ScheduleCommand>;

// ---- events ---------------------------------------------------------------------------------

export const ScheduleRequested = t.type({
  type: t.literal('ScheduleRequested'),
  scheduleId: t.string,
  name: t.string,
  problem: RosterProblem,
  solver: ResolvedSolverSettings,
  generation: t.number,
});
export const ScheduleGenerationStarted = t.type({ type: t.literal('ScheduleGenerationStarted'), generation: t.number, workerId: t.string, attempt: t.number });
export const ScheduleProgressed = t.type({ type: t.literal('ScheduleProgressed'), generation: t.number, bestScore: Score, elapsedMs: t.number });
/** The solver's roster: replaces every assignment that is not pinned. */
export const ShiftsAssigned = t.type({ type: t.literal('ShiftsAssigned'), generation: t.number, assignments: t.array(Assignment) });
export const ScheduleGenerated = t.type({
  type: t.literal('ScheduleGenerated'),
  generation: t.number,
  score: Score,
  stats: t.record(t.string, t.union([t.number, t.string])),
});
export const ScheduleGenerationFailed = t.type({ type: t.literal('ScheduleGenerationFailed'), generation: t.number, reason: t.string });
export const ScheduleGenerationCancelled = t.type({ type: t.literal('ScheduleGenerationCancelled'), generation: t.number });
/** A planner's assignment: pinned, so no later solve moves it. */
export const ShiftAssigned = t.type({
  type: t.literal('ShiftAssigned'),
  employeeId: t.string,
  day: NonNegativeInt,
  shiftId: t.string,
  forced: t.boolean,
  /** Hard rules the assignment breaks (only when forced). */
  brokenRules: t.array(BrokenRule),
});
export const ShiftUnassigned = t.type({
  type: t.literal('ShiftUnassigned'),
  employeeId: t.string,
  day: NonNegativeInt,
  reason: t.union([t.literal('manual'), t.literal('unavailable'), t.literal('demand-removed')]),
});
/** When it was published is the command's time, in the event's metadata (occurredAt). */
export const SchedulePublished = t.type({ type: t.literal('SchedulePublished'), assignments: t.number });
export const EmployeeMarkedUnavailable = t.type({ type: t.literal('EmployeeMarkedUnavailable'), employeeId: t.string, days: t.array(NonNegativeInt), reason: t.string });
export const DemandChanged = t.type({ type: t.literal('DemandChanged'), set: t.array(CoverRequirement), remove: t.array(CoverKey) });
export const ReplanRequested = t.type({ type: t.literal('ReplanRequested'), generation: t.number, changePenalty: NonNegativeInt, solver: ResolvedSolverSettings });

export const ScheduleEvent = t.union([
  ScheduleRequested,
  ScheduleGenerationStarted,
  ScheduleProgressed,
  ShiftsAssigned,
  ScheduleGenerated,
  ScheduleGenerationFailed,
  ScheduleGenerationCancelled,
  ShiftAssigned,
  ShiftUnassigned,
  SchedulePublished,
  EmployeeMarkedUnavailable,
  DemandChanged,
  ReplanRequested,
]);
export type ScheduleEvent = t.TypeOf<typeof ScheduleEvent>;
export type ScheduleEventType = ScheduleEvent['type'];

// ---- refusals -------------------------------------------------------------------------------

export const ScheduleRejection = t.intersection([
  t.type({
    code: t.union([
      t.literal('not-found'),
      t.literal('already-exists'),
      t.literal('wrong-state'),
      t.literal('stale-generation'),
      t.literal('unknown-reference'),
      t.literal('breaks-hard-rules'),
      t.literal('not-assigned'),
    ]),
    message: t.string,
  }),
  t.partial({
    /** For breaks-hard-rules: each broken rule with what it matched. */
    brokenRules: t.array(BrokenRule),
    /** For unknown-reference: the path of each bad reference in the command. */
    errors: t.array(t.type({ path: t.string, message: t.string })),
  }),
]);
export type ScheduleRejection = t.TypeOf<typeof ScheduleRejection>;

export const streamIdOfSchedule = (orgId: string, scheduleId: string): string => `schedule-${orgId}-${scheduleId}`;
