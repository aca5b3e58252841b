// Where a roster's penalty comes from, and how much of it no roster can avoid:
//   npm run bench:roster-breakdown -- --instance <Curtois instance file> --roster <csv from bench:roster>
// Prints, by the independent evaluator, the penalty per rule; the cover heads left unfilled or
// over-filled, in heads and minutes; and the capacity picture behind them: the minutes the cover
// asks for against the most the employees may work (a shortfall no roster avoids), the minutes
// employees leave unused below their maximum, and the weekends worked on one day only. It is how
// Instance13 was read (bench/RESULTS.md, "Instance13's capacity, and what did not close the gap").
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { RosterProblem, Score, ShiftAssignment } from '../src/domain/roster.js';
import { weekdayOf } from '../src/solver/calendar.js';
import { loadCurtoisInstance } from '../src/solver/curtoisLoader.js';
import { evaluateRoster } from '../src/solver/evaluator.js';

const SATURDAY = 6; // weekdayOf: 0 = Sunday … 6 = Saturday

/** What `breakdown` finds in a roster (minutes are shift minutes). */
export interface RosterBreakdown {
  score: Score;
  /** Per rule and level ("cover (soft)"), its total penalty and number of matches, dearest first. */
  rules: { rule: string; penalty: number; matches: number }[];
  unfilled: { heads: number; minutes: number; cells: string[] };
  overFilled: { heads: number; minutes: number };
  demandMinutes: number;
  /** The most the employees may work in total; undefined when some maximum is missing or soft. */
  capacityMinutes: number | undefined;
  /** Cover minutes no roster can fill (0 when none can be claimed: see `breakdown`). */
  shortfallMinutes: number;
  unusedMinutes: number;
  employeesBelowMaximum: number;
  halfWeekends: number;
}

/**
 * The breakdown of `assignments` for `problem`. The shortfall is claimed only where every
 * employee's maximum minutes is a hard rule and no cover requirement names a skill (with skills,
 * one head may count towards several requirements).
 */
export function breakdown(problem: RosterProblem, assignments: readonly ShiftAssignment[]): RosterBreakdown {
  const evaluation = evaluateRoster(problem, assignments);
  const minutesOf = new Map(problem.shiftTypes.map((s) => [s.id, s.durationMinutes]));

  const byRule = new Map<string, { rule: string; penalty: number; matches: number }>();
  for (const m of evaluation.matches) {
    const rule = `${m.constraint} (${m.level})`;
    const total = byRule.get(rule) ?? { rule, penalty: 0, matches: 0 };
    total.matches++;
    total.penalty += m.penalty;
    byRule.set(rule, total);
  }

  const staffed = staffing(problem, assignments);
  const unfilled = { heads: 0, minutes: 0, cells: [] as string[] };
  const overFilled = { heads: 0, minutes: 0 };
  let demandMinutes = 0;
  for (const c of problem.cover) {
    const minutes = minutesOf.get(c.shiftId) ?? 0;
    demandMinutes += c.required * minutes;
    const gap = c.required - (staffed.get(coverKey(c.day, c.shiftId, c.skill)) ?? 0);
    if (gap > 0) {
      unfilled.heads += gap;
      unfilled.minutes += gap * minutes;
      unfilled.cells.push(`day ${c.day} ${c.shiftId}${c.skill === undefined ? '' : `/${c.skill}`} ×${gap}`);
    } else {
      overFilled.heads -= gap;
      overFilled.minutes -= gap * minutes;
    }
  }

  const contractOf = new Map(problem.contracts.map((c) => [c.id, c]));
  const worked = new Map<string, number>();
  for (const a of assignments) worked.set(a.employeeId, (worked.get(a.employeeId) ?? 0) + (minutesOf.get(a.shiftId) ?? 0));
  let capacityMinutes: number | undefined = 0;
  let unusedMinutes = 0;
  let employeesBelowMaximum = 0;
  for (const e of problem.employees) {
    const contract = contractOf.get(e.contractId);
    const maximum = contract?.maxTotalMinutes;
    // A soft maximum does not bound what an employee may work.
    const hard = (contract?.rules?.maxTotalMinutes?.level ?? problem.rules?.maxTotalMinutes?.level ?? 'hard') === 'hard';
    if (maximum === undefined || !hard) {
      capacityMinutes = undefined;
      continue;
    }
    if (capacityMinutes !== undefined) capacityMinutes += maximum;
    const left = maximum - (worked.get(e.id) ?? 0);
    if (left > 0) {
      unusedMinutes += left;
      employeesBelowMaximum++;
    }
  }
  const skillFree = problem.cover.every((c) => c.skill === undefined);
  const shortfallMinutes = capacityMinutes !== undefined && skillFree ? Math.max(0, demandMinutes - capacityMinutes) : 0;

  return {
    score: evaluation.score,
    rules: [...byRule.values()].sort((a, b) => b.penalty - a.penalty),
    unfilled,
    overFilled,
    demandMinutes,
    capacityMinutes,
    shortfallMinutes,
    unusedMinutes,
    employeesBelowMaximum,
    halfWeekends: halfWeekends(problem, assignments),
  };
}

/** Reads a roster written by bench:roster (header employee,day,shift). */
export function readRoster(path: string): ShiftAssignment[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  if (lines[0]?.trim() !== 'employee,day,shift') throw new Error(`${path}: expected the header employee,day,shift`);
  return lines.slice(1).map((line, i) => {
    const [employeeId, day, shiftId] = line.split(',');
    if (employeeId === undefined || shiftId === undefined || !/^\d+$/.test(day ?? '')) throw new Error(`${path}:${i + 2}: expected employee,day,shift`);
    return { employeeId, day: Number(day), shiftId: shiftId.trim() };
  });
}

function coverKey(day: number, shiftId: string, skill: string | undefined): string {
  return `${day}|${shiftId}|${skill ?? ''}`;
}

/** Heads counted per cover requirement (by day, shift and skill). */
function staffing(p: RosterProblem, roster: readonly ShiftAssignment[]): Map<string, number> {
  const skillsOf = new Map(p.employees.map((e) => [e.id, new Set(e.skills ?? [])]));
  const counted = new Map<string, number>();
  for (const a of roster) {
    for (const c of p.cover) {
      if (c.day !== a.day || c.shiftId !== a.shiftId || (c.skill !== undefined && !skillsOf.get(a.employeeId)?.has(c.skill))) continue;
      const key = coverKey(c.day, c.shiftId, c.skill);
      counted.set(key, (counted.get(key) ?? 0) + 1);
    }
  }
  return counted;
}

/** Saturday–Sunday pairs of the period on which an employee works exactly one of the two days. */
function halfWeekends(p: RosterProblem, roster: readonly ShiftAssignment[]): number {
  const worked = new Set(roster.map((a) => `${a.employeeId}|${a.day}`));
  let count = 0;
  for (let d = 0; d + 1 < p.days; d++) {
    if (weekdayOf(p.startDate, d) !== SATURDAY) continue;
    for (const e of p.employees) if (worked.has(`${e.id}|${d}`) !== worked.has(`${e.id}|${d + 1}`)) count++;
  }
  return count;
}

// Run as a script (not when a test imports it).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { instance: { type: 'string' }, roster: { type: 'string' } } });
  if (values.instance === undefined || values.roster === undefined) throw new Error('give --instance <file> --roster <csv>');
  const loaded = loadCurtoisInstance(readFileSync(values.instance, 'utf8'));
  if (!loaded.ok) throw new Error(`${values.instance}: ${loaded.error}`);
  const b = breakdown(loaded.problem, readRoster(values.roster));
  console.log(`score: hard ${b.score.hard}, medium ${b.score.medium}, soft ${b.score.soft}`);
  console.log('\npenalty by rule:');
  for (const { rule, penalty, matches } of b.rules) console.log(`  ${rule.padEnd(34)} ${String(penalty).padStart(7)}  (${matches} matches)`);
  console.log('\ncover:');
  console.log(`  unfilled: ${b.unfilled.heads} heads, ${b.unfilled.minutes} minutes${b.unfilled.cells.length > 0 ? ` (${b.unfilled.cells.join(', ')})` : ''}`);
  console.log(`  over-filled: ${b.overFilled.heads} heads, ${b.overFilled.minutes} minutes`);
  console.log('\ncapacity:');
  console.log(`  cover asks for ${b.demandMinutes} minutes; the employees may work at most ${b.capacityMinutes ?? 'any number of'} minutes`);
  if (b.shortfallMinutes > 0) console.log(`  shortfall: at least ${b.shortfallMinutes} minutes of cover stay unfilled in every roster`);
  console.log(`  unused below the maximum: ${b.unusedMinutes} minutes (${b.employeesBelowMaximum} employees)`);
  console.log(`  weekends worked on one day only: ${b.halfWeekends}`);
}
