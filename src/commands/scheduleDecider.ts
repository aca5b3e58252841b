// The rules of a schedule's life: requested → generating → generated (or failed / cancelled),
// manual (pinned) assignments that may not break hard rules unless forced, publishing, changes
// after publishing, and replanning with minimal disruption. Pure: time and ids come in commands.
import type { Assignment, CoverRequirement, NonNegativeInt, Pin, RosterProblem, Score } from '../domain/roster.js';
import type { BrokenRule, CoverKey, ResolvedSolverSettings, ScheduleCommand, ScheduleEvent, ScheduleRejection } from '../domain/schedule.js';
import { checkAssignment } from '../solver/explain.js';
import { accept, reject, type Decider, type Decision } from './decider.js';

export type GenerationStatus = 'none' | 'requested' | 'generating' | 'generated' | 'failed' | 'cancelled';

export interface PlacedAssignment extends Assignment {
  /** Manual assignments are pinned: no solve moves them. */
  pinned: boolean;
  forced: boolean;
  source: 'solver' | 'manual';
}

export interface ScheduleState {
  exists: boolean;
  scheduleId: string;
  name: string;
  /** The problem as it stands now: the request with every later change applied. */
  problem: RosterProblem | undefined;
  solver: ResolvedSolverSettings;
  status: GenerationStatus;
  /** The latest requested generation (1 for the first solve, +1 per replan). */
  generation: number;
  attempt: number;
  /** Penalty per changed published assignment, for the latest replan. */
  changePenalty: NonNegativeInt;
  assignments: ReadonlyMap<string, PlacedAssignment>;
  /** The roster as last published. */
  published: { assignments: readonly Assignment[] } | undefined;
  bestScore: Score | undefined;
  score: Score | undefined;
  failureReason: string | undefined;
}

export const cellKey = (employeeId: string, day: number): string => `${employeeId}\u0000${day}`;

const initialState: ScheduleState = {
  exists: false,
  scheduleId: '',
  name: '',
  problem: undefined,
  solver: { timeLimitMs: 0, unimprovedLimitMs: 0, seed: 0 },
  status: 'none',
  generation: 0,
  attempt: 0,
  changePenalty: 0 as NonNegativeInt,
  assignments: new Map(),
  published: undefined,
  bestScore: undefined,
  score: undefined,
  failureReason: undefined,
};

const sameCover = (a: CoverKey, b: CoverKey): boolean => a.day === b.day && a.shiftId === b.shiftId && (a.skill ?? null) === (b.skill ?? null);

function applyDemandChange(cover: readonly CoverRequirement[], set: readonly CoverRequirement[], remove: readonly CoverKey[]): CoverRequirement[] {
  const kept = cover.filter((c) => !remove.some((r) => sameCover(c, r)) && !set.some((s) => sameCover(c, s)));
  return [...kept, ...set];
}

function withoutCells(assignments: ReadonlyMap<string, PlacedAssignment>, drop: (a: PlacedAssignment) => boolean): Map<string, PlacedAssignment> {
  return new Map([...assignments].filter(([, a]) => !drop(a)));
}

function evolve(state: ScheduleState, event: ScheduleEvent): ScheduleState {
  switch (event.type) {
    case 'ScheduleRequested':
      return {
        ...state,
        exists: true,
        scheduleId: event.scheduleId,
        name: event.name,
        problem: event.problem,
        solver: event.solver,
        status: 'requested',
        generation: event.generation,
        attempt: 0,
      };
    case 'ScheduleGenerationStarted':
      return { ...state, status: 'generating', attempt: event.attempt, failureReason: undefined };
    case 'ScheduleProgressed':
      return { ...state, bestScore: event.bestScore };
    case 'ShiftsAssigned': {
      const assignments = withoutCells(state.assignments, (a) => !a.pinned);
      for (const a of event.assignments) {
        const key = cellKey(a.employeeId, a.day);
        if (!assignments.get(key)?.pinned) assignments.set(key, { ...a, pinned: false, forced: false, source: 'solver' });
      }
      return { ...state, assignments };
    }
    case 'ScheduleGenerated':
      return { ...state, status: 'generated', score: event.score, bestScore: event.score };
    case 'ScheduleGenerationFailed':
      return { ...state, status: 'failed', failureReason: event.reason };
    case 'ScheduleGenerationCancelled':
      return { ...state, status: 'cancelled' };
    case 'ShiftAssigned': {
      const assignments = new Map(state.assignments);
      const { employeeId, day, shiftId, forced } = event;
      assignments.set(cellKey(employeeId, day), { employeeId, day, shiftId, pinned: true, forced, source: 'manual' });
      return { ...state, assignments };
    }
    case 'ShiftUnassigned': {
      const assignments = new Map(state.assignments);
      assignments.delete(cellKey(event.employeeId, event.day));
      return { ...state, assignments };
    }
    case 'SchedulePublished':
      return { ...state, published: { assignments: currentAssignments(state) } };
    case 'EmployeeMarkedUnavailable': {
      if (!state.problem) return state;
      const days = new Set(event.days);
      const employees = state.problem.employees.map((e) =>
        e.id === event.employeeId ? { ...e, unavailableDays: [...new Set([...(e.unavailableDays ?? []), ...event.days])].sort((a, b) => a - b) } : e,
      );
      const pins = state.problem.pins?.filter((p) => !(p.employeeId === event.employeeId && days.has(p.day)));
      return { ...state, problem: { ...state.problem, employees, ...(pins ? { pins } : {}) } };
    }
    case 'DemandChanged':
      if (!state.problem) return state;
      return { ...state, problem: { ...state.problem, cover: applyDemandChange(state.problem.cover, event.set, event.remove) } };
    case 'ReplanRequested':
      return { ...state, status: 'requested', generation: event.generation, attempt: 0, changePenalty: event.changePenalty, solver: event.solver };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** The roster as plain assignments, in a stable order. */
export function currentAssignments(state: ScheduleState): Assignment[] {
  return [...state.assignments.values()]
    .map(({ employeeId, day, shiftId }) => ({ employeeId, day, shiftId }))
    .sort((a, b) => a.day - b.day || a.employeeId.localeCompare(b.employeeId));
}

/**
 * What the solver gets for the pending generation: the current problem, with every manual
 * assignment pinned and, on a replan, the published roster (or the current one, when nothing is
 * published yet) as a baseline whose every change costs `changePenalty`.
 */
export function problemToSolve(state: ScheduleState): RosterProblem {
  if (!state.problem) throw new Error('schedule has no problem');
  const manual = [...state.assignments.values()].filter((a) => a.pinned);
  const manualCells = new Set(manual.map((a) => cellKey(a.employeeId, a.day)));
  const pins: Pin[] = [
    ...(state.problem.pins ?? []).filter((p) => !manualCells.has(cellKey(p.employeeId, p.day))),
    ...manual.map(({ employeeId, day, shiftId }) => ({ employeeId, day, shiftId })),
  ];
  const replanning = state.generation > 1;
  const baselineAssignments = state.published?.assignments ?? currentAssignments(state);
  return {
    ...state.problem,
    pins,
    ...(replanning ? { baseline: { assignments: [...baselineAssignments], changePenalty: state.changePenalty } } : {}),
  };
}

const refuse = (code: ScheduleRejection['code'], message: string, extra: Omit<ScheduleRejection, 'code' | 'message'> = {}) =>
  reject<ScheduleRejection>({ code, message, ...extra });

function referenceErrors(problem: RosterProblem, refs: { employeeId?: string; shiftId?: string; days?: readonly number[] }): { path: string; message: string }[] {
  const errors: { path: string; message: string }[] = [];
  if (refs.employeeId !== undefined && !problem.employees.some((e) => e.id === refs.employeeId)) {
    errors.push({ path: 'employeeId', message: `no employee "${refs.employeeId}" in this schedule` });
  }
  if (refs.shiftId !== undefined && !problem.shiftTypes.some((s) => s.id === refs.shiftId)) {
    errors.push({ path: 'shiftId', message: `no shift type "${refs.shiftId}" in this schedule` });
  }
  refs.days?.forEach((day, i) => {
    if (day >= problem.days) errors.push({ path: refs.days!.length === 1 ? 'day' : `days.${i}`, message: `day ${day} is outside the period (0-${problem.days - 1})` });
  });
  return errors;
}

function toBrokenRule(match: { constraint: string; penalty: number; detail: string; employeeId?: string; day?: number; shiftId?: string }): BrokenRule {
  const { constraint, penalty, detail, employeeId, day, shiftId } = match;
  return { constraint, penalty, detail, ...(employeeId !== undefined ? { employeeId } : {}), ...(day !== undefined ? { day } : {}), ...(shiftId !== undefined ? { shiftId } : {}) };
}

const GENERATING: readonly GenerationStatus[] = ['requested', 'generating'];

function decide(command: ScheduleCommand, state: ScheduleState): Decision<ScheduleEvent, ScheduleRejection> {
  if (command.type === 'RequestSchedule') {
    if (state.exists) return refuse('already-exists', `schedule ${command.scheduleId} already exists`);
    const { scheduleId, name, problem, solver } = command;
    return accept({ type: 'ScheduleRequested', scheduleId, name, problem, solver, generation: 1 });
  }
  if (!state.exists || !state.problem) return refuse('not-found', 'no such schedule');
  const problem = state.problem;

  switch (command.type) {
    case 'StartGeneration':
      if (command.generation !== state.generation || !GENERATING.includes(state.status)) {
        return refuse('stale-generation', `generation ${command.generation} is not pending (status ${state.status}, generation ${state.generation})`);
      }
      return accept({ type: 'ScheduleGenerationStarted', generation: command.generation, workerId: command.workerId, attempt: state.attempt + 1 });
    case 'ReportProgress':
      if (command.generation !== state.generation || state.status !== 'generating') return refuse('stale-generation', 'generation is not running');
      return accept({ type: 'ScheduleProgressed', generation: command.generation, bestScore: command.bestScore, elapsedMs: command.elapsedMs });
    case 'CompleteGeneration':
      if (command.generation !== state.generation || state.status !== 'generating') return refuse('stale-generation', 'generation is not running');
      return accept(
        { type: 'ShiftsAssigned', generation: command.generation, assignments: command.assignments },
        { type: 'ScheduleGenerated', generation: command.generation, score: command.score, stats: command.stats },
      );
    case 'FailGeneration':
      if (command.generation !== state.generation || !GENERATING.includes(state.status)) return refuse('stale-generation', 'generation is not running');
      return accept({ type: 'ScheduleGenerationFailed', generation: command.generation, reason: command.reason });
    case 'CancelGeneration':
      if (!GENERATING.includes(state.status)) return refuse('wrong-state', `nothing to cancel: the schedule is ${state.status}`);
      return accept({ type: 'ScheduleGenerationCancelled', generation: state.generation });
    case 'AssignShift': {
      if (GENERATING.includes(state.status)) return refuse('wrong-state', 'a generation is running; wait for it or cancel it first');
      const errors = referenceErrors(problem, { employeeId: command.employeeId, shiftId: command.shiftId, days: [command.day] });
      if (errors.length) return refuse('unknown-reference', 'the assignment names something this schedule does not have', { errors });
      const candidate = { employeeId: command.employeeId, day: command.day, shiftId: command.shiftId };
      const broken = checkAssignment(problem, currentAssignments(state), candidate).map(toBrokenRule);
      if (broken.length && !command.force) {
        return refuse('breaks-hard-rules', `assigning ${command.shiftId} to ${command.employeeId} on day ${command.day} breaks ${broken.length} hard rule(s)`, { brokenRules: broken });
      }
      return accept({ type: 'ShiftAssigned', ...candidate, forced: broken.length > 0, brokenRules: broken });
    }
    case 'UnassignShift':
      if (GENERATING.includes(state.status)) return refuse('wrong-state', 'a generation is running; wait for it or cancel it first');
      if (!state.assignments.has(cellKey(command.employeeId, command.day))) {
        return refuse('not-assigned', `${command.employeeId} has no shift on day ${command.day}`);
      }
      return accept({ type: 'ShiftUnassigned', employeeId: command.employeeId, day: command.day, reason: 'manual' });
    case 'PublishSchedule':
      if (state.status !== 'generated') return refuse('wrong-state', `only a generated schedule can be published; this one is ${state.status}`);
      return accept({ type: 'SchedulePublished', assignments: state.assignments.size });
    case 'MarkEmployeeUnavailable': {
      const errors = referenceErrors(problem, { employeeId: command.employeeId, days: command.days });
      if (errors.length) return refuse('unknown-reference', 'the change names something this schedule does not have', { errors });
      const days = new Set(command.days);
      const affected = [...state.assignments.values()].filter((a) => a.employeeId === command.employeeId && days.has(a.day));
      return accept<ScheduleEvent>(
        { type: 'EmployeeMarkedUnavailable', employeeId: command.employeeId, days: [...days].sort((a, b) => a - b), reason: command.reason ?? '' },
        ...affected.map((a) => ({ type: 'ShiftUnassigned' as const, employeeId: a.employeeId, day: a.day, reason: 'unavailable' as const })),
      );
    }
    case 'ChangeDemand': {
      const errors = [
        ...command.set.flatMap((c, i) => referenceErrors(problem, { shiftId: c.shiftId, days: [c.day] }).map((e) => ({ ...e, path: `set.${i}.${e.path}` }))),
        ...command.remove.flatMap((c, i) => referenceErrors(problem, { shiftId: c.shiftId, days: [c.day] }).map((e) => ({ ...e, path: `remove.${i}.${e.path}` }))),
      ];
      if (errors.length) return refuse('unknown-reference', 'the change names something this schedule does not have', { errors });
      // A shift whose last requirement goes is no longer worked: unassign whoever was on it.
      const cover = applyDemandChange(problem.cover, command.set, command.remove);
      const stillWanted = new Set(cover.map((c) => `${c.day}\u0000${c.shiftId}`));
      const dropped = [...state.assignments.values()].filter((a) => !stillWanted.has(`${a.day}\u0000${a.shiftId}`) && problem.cover.some((c) => c.day === a.day && c.shiftId === a.shiftId));
      return accept<ScheduleEvent>(
        { type: 'DemandChanged', set: command.set, remove: command.remove },
        ...dropped.map((a) => ({ type: 'ShiftUnassigned' as const, employeeId: a.employeeId, day: a.day, reason: 'demand-removed' as const })),
      );
    }
    case 'Replan':
      if (GENERATING.includes(state.status)) return refuse('wrong-state', 'a generation is already running');
      return accept({ type: 'ReplanRequested', generation: state.generation + 1, changePenalty: command.changePenalty, solver: command.solver });
    default: {
      const unknown: never = command;
      return unknown;
    }
  }
}

export const scheduleDecider: Decider<ScheduleCommand, ScheduleEvent, ScheduleState, ScheduleRejection> = {
  initialState,
  evolve,
  decide,
};
