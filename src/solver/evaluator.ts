// The independent evaluator: reads a roster (a list of assignments) against a RosterProblem and
// lists every rule match with its penalty. It shares no code with the search or its incremental
// score (it imports only the domain model) and is written for obviousness, not speed, so that
// it can check them. It also defines the semantics the fast score must reproduce:
//
// - every rule is hard with weight 1 unless the contract's or the request's `rules` says otherwise;
//   a match costs weight × amount in the hard or the soft score;
// - amounts: one per offending shift or pair (overlap, minRest, forbiddenSuccession, unavailable,
//   skills); shifts over the per-type maximum; hours (rounded up) below/above the total-minute
//   limits; days beyond/short of the consecutive limits per run (runs touching the first or last
//   day are exempt from the minimum rules when `exemptEdgeRuns`, the default); weekends over;
// - two shifts on one day and a broken pin are always hard (1 each);
// - cover: under × underWeight + over × overWeight (soft); under-filled heads of a `hardMinimum`
//   requirement go to the medium score instead;
// - requests: on-request costs its weight when not met, off-request when not met;
// - fairness: weight × Σ per contract of the squared deviation of worked hours from the contract
//   mean, rounded; cost: round(weight × hourlyCost × hours) per shift; baseline: changePenalty per
//   (employee, day) whose shifts differ from the baseline's.
// For a Curtois-derived problem the soft total is exactly the Curtois objective.
import type { ShiftAssignment, Contract, RosterProblem, RuleKind, RuleLevel, Score } from '../domain/roster.js';

export type MatchLevel = 'hard' | 'medium' | 'soft';

/** One reason the roster is penalised. */
export interface ConstraintMatch {
  constraint: string;
  level: MatchLevel;
  penalty: number;
  employeeId?: string;
  day?: number;
  shiftId?: string;
  detail: string;
}

export interface Evaluation {
  score: Score;
  /** Number of hard matches (not their weighted sum). */
  hardViolations: number;
  matches: ConstraintMatch[];
}

interface PlacedShift {
  day: number;
  shiftId: string;
  start: number; // absolute minutes from the period start
  end: number;
}

/** Evaluates `assignments` for `problem` from scratch. Unknown ids in assignments are ignored. */
export function evaluateRoster(problem: RosterProblem, assignments: readonly ShiftAssignment[]): Evaluation {
  const matches: ConstraintMatch[] = [];
  const shiftById = new Map(problem.shiftTypes.map((s) => [s.id, s]));
  const contractById = new Map(problem.contracts.map((c) => [c.id, c]));
  const exemptEdges = problem.exemptEdgeRuns ?? true;
  const lastDay = problem.days - 1;

  const byEmployee = new Map<string, ShiftAssignment[]>();
  for (const e of problem.employees) byEmployee.set(e.id, []);
  for (const a of assignments) {
    if (!shiftById.has(a.shiftId) || a.day < 0 || a.day > lastDay) continue;
    byEmployee.get(a.employeeId)?.push(a);
  }

  const minutesByEmployee = new Map<string, number>();

  for (const employee of problem.employees) {
    const contract: Contract | undefined = contractById.get(employee.contractId);
    const mine = byEmployee.get(employee.id) ?? [];
    const rule = (kind: RuleKind): { level: RuleLevel; weight: number } => {
      const setting = contract?.rules?.[kind] ?? problem.rules?.[kind];
      return { level: setting?.level ?? 'hard', weight: setting?.weight ?? 1 };
    };
    const add = (kind: RuleKind, amount: number, where: { day?: number; shiftId?: string }, detail: string): void => {
      const r = rule(kind);
      matches.push({ constraint: kind, level: r.level, penalty: r.weight * amount, employeeId: employee.id, ...where, detail });
    };

    const shiftsOnDay: string[][] = Array.from({ length: problem.days }, () => []);
    for (const a of mine) shiftsOnDay[a.day]!.push(a.shiftId);

    // Two shifts on one day.
    for (let d = 0; d < problem.days; d++) {
      for (let extra = 1; extra < shiftsOnDay[d]!.length; extra++) {
        matches.push({ constraint: 'oneShiftPerDay', level: 'hard', penalty: 1, employeeId: employee.id, day: d, shiftId: shiftsOnDay[d]![extra], detail: 'more than one shift on one day' });
      }
    }

    // Overlap and rest, between shifts in time order.
    const placed: PlacedShift[] = mine
      .map((a) => {
        const s = shiftById.get(a.shiftId)!;
        const start = a.day * 1440 + Number(s.start.slice(0, 2)) * 60 + Number(s.start.slice(3, 5));
        return { day: a.day, shiftId: a.shiftId, start, end: start + s.durationMinutes };
      })
      .sort((x, y) => x.start - y.start);
    for (let i = 1; i < placed.length; i++) {
      const prev = placed[i - 1]!;
      const next = placed[i]!;
      const gap = next.start - prev.end;
      if (gap < 0) add('overlap', 1, { day: next.day, shiftId: next.shiftId }, `overlaps the ${prev.shiftId} shift of day ${prev.day}`);
      else if (contract?.minRestMinutes !== undefined && gap < contract.minRestMinutes) {
        add('minRest', 1, { day: next.day, shiftId: next.shiftId }, `only ${gap} min rest after the ${prev.shiftId} shift of day ${prev.day} (minimum ${contract.minRestMinutes})`);
      }
    }

    // Forbidden successions: shift X on day d, then Y on day d+1.
    const pairs = new Map((problem.forbiddenSuccessions ?? []).map((f) => [`${f.from}\u0000${f.to}`, f])); // a set: repeats count once
    for (const f of pairs.values()) {
      for (let d = 0; d < lastDay; d++) {
        if (shiftsOnDay[d]!.includes(f.from) && shiftsOnDay[d + 1]!.includes(f.to)) {
          add('forbiddenSuccession', 1, { day: d + 1, shiftId: f.to }, `${f.to} may not follow ${f.from} (day ${d})`);
        }
      }
    }

    // Per-type maximum.
    for (const [shiftId, max] of Object.entries(contract?.maxShiftsPerType ?? {})) {
      const count = mine.filter((a) => a.shiftId === shiftId).length;
      if (count > max) add('maxShiftsPerType', count - max, { shiftId }, `${count} ${shiftId} shifts, at most ${max}`);
    }

    // Total minutes.
    const minutes = mine.reduce((sum, a) => sum + shiftById.get(a.shiftId)!.durationMinutes, 0);
    minutesByEmployee.set(employee.id, minutes);
    if (contract?.minTotalMinutes !== undefined && minutes < contract.minTotalMinutes) {
      add('minTotalMinutes', Math.ceil((contract.minTotalMinutes - minutes) / 60), {}, `${minutes} min worked, at least ${contract.minTotalMinutes}`);
    }
    if (contract?.maxTotalMinutes !== undefined && minutes > contract.maxTotalMinutes) {
      add('maxTotalMinutes', Math.ceil((minutes - contract.maxTotalMinutes) / 60), {}, `${minutes} min worked, at most ${contract.maxTotalMinutes}`);
    }

    // Runs of worked days and of days off.
    const worked = shiftsOnDay.map((list) => list.length > 0);
    for (const run of runsOf(worked)) {
      const touchesEdge = run.first === 0 || run.last === lastDay;
      const length = run.last - run.first + 1;
      if (run.value) {
        const max = contract?.maxConsecutiveWorkDays;
        if (max !== undefined && length > max) add('maxConsecutiveWorkDays', length - max, { day: run.first }, `${length} consecutive working days from day ${run.first}, at most ${max}`);
        const min = contract?.minConsecutiveWorkDays;
        if (min !== undefined && length < min && !(exemptEdges && touchesEdge)) add('minConsecutiveWorkDays', min - length, { day: run.first }, `${length} consecutive working days from day ${run.first}, at least ${min}`);
      } else {
        const min = contract?.minConsecutiveDaysOff;
        if (min !== undefined && length < min && !(exemptEdges && touchesEdge)) add('minConsecutiveDaysOff', min - length, { day: run.first }, `${length} consecutive days off from day ${run.first}, at least ${min}`);
      }
    }

    // Weekends: Saturday and Sunday of the same Monday-based week.
    if (contract?.maxWeekends !== undefined) {
      const weekends = new Set<number>();
      const startMs = Date.parse(`${problem.startDate}T00:00:00Z`);
      const mondayOffset = (new Date(startMs).getUTCDay() + 6) % 7;
      for (let d = 0; d < problem.days; d++) {
        const weekday = new Date(startMs + d * 86_400_000).getUTCDay();
        if (worked[d] && (weekday === 0 || weekday === 6)) weekends.add(Math.floor((d + mondayOffset) / 7));
      }
      if (weekends.size > contract.maxWeekends) add('maxWeekends', weekends.size - contract.maxWeekends, {}, `${weekends.size} weekends worked, at most ${contract.maxWeekends}`);
    }

    // Unavailable days and missing skills.
    const unavailable = new Set<number>(employee.unavailableDays ?? []);
    const skills = new Set(employee.skills ?? []);
    for (const a of mine) {
      if (unavailable.has(a.day)) add('unavailable', 1, { day: a.day, shiftId: a.shiftId }, `works on an unavailable day`);
      const missing = (shiftById.get(a.shiftId)!.requiredSkills ?? []).filter((k) => !skills.has(k));
      if (missing.length > 0) add('skills', 1, { day: a.day, shiftId: a.shiftId }, `lacks skill ${missing.join(', ')}`);
    }

    // Cost.
    const costWeight = problem.weights?.cost ?? 0;
    if (costWeight > 0 && (employee.hourlyCost ?? 0) > 0) {
      for (const a of mine) {
        const penalty = Math.round((costWeight * (employee.hourlyCost ?? 0) * shiftById.get(a.shiftId)!.durationMinutes) / 60);
        if (penalty > 0) matches.push({ constraint: 'cost', level: 'soft', penalty, employeeId: employee.id, day: a.day, shiftId: a.shiftId, detail: 'labour cost' });
      }
    }
  }

  // Pins.
  for (const pin of problem.pins ?? []) {
    const onDay = (byEmployee.get(pin.employeeId) ?? []).filter((a) => a.day === pin.day).map((a) => a.shiftId);
    const kept = pin.shiftId === null ? onDay.length === 0 : onDay.includes(pin.shiftId);
    if (!kept) matches.push({ constraint: 'pin', level: 'hard', penalty: 1, employeeId: pin.employeeId, day: pin.day, shiftId: pin.shiftId ?? undefined, detail: 'pinned assignment not kept' });
  }

  // Requests.
  const worksShift = (employeeId: string, day: number, shiftId: string | undefined): boolean =>
    (byEmployee.get(employeeId) ?? []).some((a) => a.day === day && (shiftId === undefined || a.shiftId === shiftId));
  for (const r of problem.shiftOnRequests ?? []) {
    if (r.weight > 0 && !worksShift(r.employeeId, r.day, r.shiftId)) {
      matches.push({ constraint: 'shiftOnRequest', level: 'soft', penalty: r.weight, employeeId: r.employeeId, day: r.day, shiftId: r.shiftId, detail: r.shiftId === undefined ? 'asked to work' : `asked for ${r.shiftId}` });
    }
  }
  for (const r of problem.shiftOffRequests ?? []) {
    if (r.weight > 0 && worksShift(r.employeeId, r.day, r.shiftId)) {
      matches.push({ constraint: 'shiftOffRequest', level: 'soft', penalty: r.weight, employeeId: r.employeeId, day: r.day, shiftId: r.shiftId, detail: r.shiftId === undefined ? 'asked for the day off' : `asked not to work ${r.shiftId}` });
    }
  }

  // Cover.
  const heads = coverHeads(problem, assignments);
  for (const [i, c] of problem.cover.entries()) {
    const n = heads[i]!;
    const under = Math.max(0, c.required - n);
    const over = Math.max(0, n - c.required);
    const what = c.skill === undefined ? '' : ` with skill ${c.skill}`;
    if (under > 0 && c.hardMinimum === true) matches.push({ constraint: 'cover', level: 'medium', penalty: under, day: c.day, shiftId: c.shiftId, detail: `${under} of ${c.required}${what} unfilled` });
    else if (under > 0 && c.underWeight > 0) matches.push({ constraint: 'cover', level: 'soft', penalty: under * c.underWeight, day: c.day, shiftId: c.shiftId, detail: `${under} of ${c.required}${what} unfilled` });
    if (over > 0 && c.overWeight > 0) matches.push({ constraint: 'cover', level: 'soft', penalty: over * c.overWeight, day: c.day, shiftId: c.shiftId, detail: `${over} over the ${c.required}${what} required` });
  }

  // Fairness per contract group.
  const fairness = problem.weights?.fairness ?? 0;
  if (fairness > 0) {
    for (const contract of problem.contracts) {
      const xs = problem.employees.filter((e) => e.contractId === contract.id).map((e) => minutesByEmployee.get(e.id) ?? 0);
      if (xs.length < 2) continue;
      const sum = xs.reduce((s, x) => s + x, 0);
      const sumSq = xs.reduce((s, x) => s + x * x, 0);
      const penalty = Math.round((fairness * (xs.length * sumSq - sum * sum)) / (xs.length * 3600));
      if (penalty > 0) matches.push({ constraint: 'fairness', level: 'soft', penalty, detail: `worked hours vary within contract ${contract.id}` });
    }
  }

  // Baseline changes.
  if (problem.baseline !== undefined && problem.baseline.changePenalty > 0) {
    const key = (e: string, d: number): string => `${e}\u0000${d}`;
    const before = new Map<string, string[]>();
    for (const a of problem.baseline.assignments) before.set(key(a.employeeId, a.day), [...(before.get(key(a.employeeId, a.day)) ?? []), a.shiftId]);
    const after = new Map<string, string[]>();
    for (const [employeeId, list] of byEmployee) for (const a of list) after.set(key(employeeId, a.day), [...(after.get(key(employeeId, a.day)) ?? []), a.shiftId]);
    for (const employee of problem.employees) {
      for (let d = 0; d < problem.days; d++) {
        const x = (before.get(key(employee.id, d)) ?? []).sort().join('|');
        const y = (after.get(key(employee.id, d)) ?? []).sort().join('|');
        if (x !== y) matches.push({ constraint: 'baselineChange', level: 'soft', penalty: problem.baseline.changePenalty, employeeId: employee.id, day: d, detail: `was ${x || 'off'}, now ${y || 'off'}` });
      }
    }
  }

  const score: Score = { hard: 0, medium: 0, soft: 0 };
  let hardViolations = 0;
  for (const m of matches) {
    score[m.level] += m.penalty;
    if (m.level === 'hard' && m.penalty > 0) hardViolations++;
  }
  return { score, hardViolations, matches };
}

interface Run {
  value: boolean;
  first: number;
  last: number;
}

function runsOf(values: readonly boolean[]): Run[] {
  const runs: Run[] = [];
  let first = 0;
  for (let d = 1; d <= values.length; d++) {
    if (d === values.length || values[d] !== values[first]) {
      runs.push({ value: values[first]!, first, last: d - 1 });
      first = d;
    }
  }
  return runs;
}

/**
 * Heads counted towards each cover requirement (in `problem.cover` order): the assignments on its
 * day and shift, by employees of the problem who have its skill when it names one. Each cell's
 * workers are gathered once, so a requirement reads only its own (a 2 000-employee, 366-day roster
 * took 9 s when each requirement scanned every assignment).
 */
export function coverHeads(problem: RosterProblem, assignments: readonly ShiftAssignment[]): number[] {
  const skillsOf = new Map(problem.employees.map((e) => [e.id, new Set(e.skills ?? [])]));
  const workersOf = new Map<string, string[]>();
  for (const a of assignments) {
    if (!skillsOf.has(a.employeeId)) continue;
    const cell = `${a.day}\u0000${a.shiftId}`;
    const workers = workersOf.get(cell);
    if (workers === undefined) workersOf.set(cell, [a.employeeId]);
    else workers.push(a.employeeId);
  }
  return problem.cover.map((c) => {
    const workers = workersOf.get(`${c.day}\u0000${c.shiftId}`) ?? [];
    return c.skill === undefined ? workers.length : workers.filter((id) => skillsOf.get(id)!.has(c.skill!)).length;
  });
}
