// Why a roster scores what it scores, and who would fit a shift best. The per-constraint and
// per-employee views come from the independent evaluator (the reference semantics); the
// "who fits" ranking uses the incremental score, since it tries every employee on the cell.
import type { ShiftAssignment, RosterProblem, Score } from '../domain/roster.js';
import { compareScores } from '../domain/roster.js';
import { compileProblem } from './compiledProblem.js';
import { OFF } from './compiledProblem.js';
import type { ConstraintMatch, MatchLevel } from './evaluator.js';
import { evaluateRoster } from './evaluator.js';
import { RosterScore } from './rosterScore.js';
import { rosterFromAssignments } from './rosterConversion.js';

export interface ConstraintSummary {
  constraint: string;
  level: MatchLevel;
  totalPenalty: number;
  matches: ConstraintMatch[];
}

export interface EmployeeSummary {
  employeeId: string;
  shifts: number;
  workedMinutes: number;
  requestsMet: number;
  requestsBroken: number;
  hardViolations: number;
  /** The penalties whose matches name this employee. */
  penalty: Score;
}

export interface Explanation {
  score: Score;
  hardViolations: number;
  constraints: ConstraintSummary[];
  employees: EmployeeSummary[];
}

export function explain(problem: RosterProblem, assignments: readonly ShiftAssignment[]): Explanation {
  const evaluation = evaluateRoster(problem, assignments);
  const byConstraint = new Map<string, ConstraintSummary>();
  for (const m of evaluation.matches) {
    const key = `${m.constraint}\u0000${m.level}`;
    let summary = byConstraint.get(key);
    if (summary === undefined) byConstraint.set(key, (summary = { constraint: m.constraint, level: m.level, totalPenalty: 0, matches: [] }));
    summary.totalPenalty += m.penalty;
    summary.matches.push(m);
  }
  const levelOrder: Record<MatchLevel, number> = { hard: 0, medium: 1, soft: 2 };
  const constraints = [...byConstraint.values()].sort((x, y) => levelOrder[x.level] - levelOrder[y.level] || y.totalPenalty - x.totalPenalty);

  const duration = new Map(problem.shiftTypes.map((s) => [s.id, s.durationMinutes as number]));
  const requestCount = new Map<string, number>();
  for (const r of [...(problem.shiftOnRequests ?? []), ...(problem.shiftOffRequests ?? [])]) {
    if (r.weight > 0) requestCount.set(r.employeeId, (requestCount.get(r.employeeId) ?? 0) + 1);
  }
  const assignmentsOf = groupBy(assignments, (a) => a.employeeId);
  const matchesOf = groupBy(evaluation.matches, (m) => m.employeeId);
  const employees: EmployeeSummary[] = problem.employees.map((employee) => {
    const mine = assignmentsOf.get(employee.id) ?? [];
    const matches = matchesOf.get(employee.id) ?? [];
    const penalty: Score = { hard: 0, medium: 0, soft: 0 };
    for (const m of matches) penalty[m.level] += m.penalty;
    const requestsBroken = matches.filter((m) => m.constraint === 'shiftOnRequest' || m.constraint === 'shiftOffRequest').length;
    return {
      employeeId: employee.id,
      shifts: mine.length,
      workedMinutes: mine.reduce((sum, a) => sum + (duration.get(a.shiftId) ?? 0), 0),
      requestsMet: (requestCount.get(employee.id) ?? 0) - requestsBroken,
      requestsBroken,
      hardViolations: matches.filter((m) => m.level === 'hard' && m.penalty > 0).length,
      penalty,
    };
  });
  return { score: evaluation.score, hardViolations: evaluation.hardViolations, constraints, employees };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string | undefined, T[]> {
  const groups = new Map<string | undefined, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

export interface Recommendation {
  employeeId: string;
  /** What the employee works that day now (null = off). */
  currentShiftId: string | null;
  /** Score after the change minus score before (negative = better). */
  scoreChange: Score;
}

/** The top-N employees for `shiftId` on `day`, ranked by the score change if they took it. */
export function recommend(problem: RosterProblem, assignments: readonly ShiftAssignment[], day: number, shiftId: string, topN: number): Recommendation[] {
  const p = compileProblem(problem);
  const s = p.shiftIndex.get(shiftId);
  if (s === undefined || day < 0 || day >= p.days) return [];
  const state = new RosterScore(p, rosterFromAssignments(p, assignments));
  const ranked: Recommendation[] = [];
  for (let e = 0; e < p.employees; e++) {
    const cell = e * p.days + day;
    const current = state.a[cell]!;
    if (current === s || p.pinned[cell] === 1) continue;
    const before = { hard: state.hard, medium: state.medium, soft: state.soft };
    state.setCell(e, day, s);
    state.rescoreEmployee(e);
    ranked.push({
      employeeId: p.employeeIds[e]!,
      currentShiftId: current === OFF ? null : p.shiftIds[current]!,
      scoreChange: { hard: state.hard - before.hard, medium: state.medium - before.medium, soft: state.soft - before.soft },
    });
    state.setCell(e, day, current);
    state.rescoreEmployee(e);
  }
  ranked.sort((x, y) => compareScores(x.scoreChange, y.scoreChange) || x.employeeId.localeCompare(y.employeeId));
  return ranked.slice(0, Math.max(0, topN));
}

/**
 * The hard-rule matches a manual assignment would add (empty = allowed). The candidate replaces
 * whatever the employee works that day.
 */
export function checkAssignment(problem: RosterProblem, assignments: readonly ShiftAssignment[], candidate: ShiftAssignment): ConstraintMatch[] {
  // Every hard rule is one employee's own (cover short of a hard minimum is 'medium'), so the
  // candidate's own row decides: evaluating the whole roster took over a second per manual
  // assignment on a 2 000-employee, 366-day schedule.
  const own = (x: { employeeId: string }): boolean => x.employeeId === candidate.employeeId;
  const alone: RosterProblem = { ...problem, employees: problem.employees.filter((e) => e.id === candidate.employeeId), cover: [], pins: problem.pins?.filter(own) };
  const others = assignments.filter((a) => own(a) && a.day !== candidate.day);
  const key = (m: ConstraintMatch): string => `${m.constraint}\u0000${m.employeeId ?? ''}\u0000${m.day ?? ''}\u0000${m.shiftId ?? ''}\u0000${m.penalty}`;
  const before = new Set(evaluateRoster(alone, others).matches.filter((m) => m.level === 'hard').map(key));
  return evaluateRoster(alone, [...others, candidate]).matches.filter((m) => m.level === 'hard' && !before.has(key(m)));
}
