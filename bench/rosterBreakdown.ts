// Where a roster's penalty comes from, and how much of it no roster can avoid:
//   npm run bench:roster-breakdown -- --instance <Curtois instance file> --roster <csv from bench:roster>
// Prints, by the independent evaluator, the penalty per rule; the cover heads left unfilled or
// over-filled, in heads and minutes; and the capacity picture behind them: the minutes the cover
// asks for against the most the employees may work (a shortfall no roster avoids), the minutes
// employees leave unused below their maximum, and the weekends worked on one day only. It is how
// Instance13 was read (bench/RESULTS.md, "Instance13's capacity, and what did not close the gap").
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { RosterProblem, ShiftAssignment } from '../src/domain/roster.js';
import { loadCurtoisInstance } from '../src/solver/curtoisLoader.js';
import { evaluateRoster } from '../src/solver/evaluator.js';

const { values } = parseArgs({ options: { instance: { type: 'string' }, roster: { type: 'string' } } });
if (values.instance === undefined || values.roster === undefined) throw new Error('give --instance <file> --roster <csv>');

const loaded = loadCurtoisInstance(readFileSync(values.instance, 'utf8'));
if (!loaded.ok) throw new Error(`${values.instance}: ${loaded.error}`);
const problem = loaded.problem;
const assignments = readRoster(values.roster);
const evaluation = evaluateRoster(problem, assignments);
const minutesOf = new Map(problem.shiftTypes.map((s) => [s.id, s.durationMinutes]));

console.log(`score: hard ${evaluation.score.hard}, medium ${evaluation.score.medium}, soft ${evaluation.score.soft}`);
console.log('\npenalty by rule:');
const byRule = new Map<string, { matches: number; penalty: number }>();
for (const m of evaluation.matches) {
  const key = `${m.constraint} (${m.level})`;
  const total = byRule.get(key) ?? { matches: 0, penalty: 0 };
  total.matches++;
  total.penalty += m.penalty;
  byRule.set(key, total);
}
for (const [rule, { matches, penalty }] of [...byRule].sort((a, b) => b[1].penalty - a[1].penalty)) console.log(`  ${rule.padEnd(34)} ${String(penalty).padStart(7)}  (${matches} matches)`);

console.log('\ncover:');
const staffed = staffing(problem, assignments);
const unfilled: string[] = [];
let unfilledHeads = 0;
let unfilledMinutes = 0;
let overHeads = 0;
let overMinutes = 0;
for (const c of problem.cover) {
  const gap = c.required - (staffed.get(coverKey(c.day, c.shiftId, c.skill)) ?? 0);
  const minutes = minutesOf.get(c.shiftId) ?? 0;
  if (gap > 0) {
    unfilledHeads += gap;
    unfilledMinutes += gap * minutes;
    unfilled.push(`day ${c.day} ${c.shiftId}${c.skill === undefined ? '' : `/${c.skill}`} ×${gap}`);
  } else {
    overHeads -= gap;
    overMinutes -= gap * minutes;
  }
}
console.log(`  unfilled: ${unfilledHeads} heads, ${unfilledMinutes} minutes${unfilled.length > 0 ? ` (${unfilled.join(', ')})` : ''}`);
console.log(`  over-filled: ${overHeads} heads, ${overMinutes} minutes`);

console.log('\ncapacity:');
const contractOf = new Map(problem.contracts.map((c) => [c.id, c]));
let demand = 0;
for (const c of problem.cover) demand += c.required * (minutesOf.get(c.shiftId) ?? 0);
let capacity: number | undefined = 0;
let unused = 0;
let belowMaximum = 0;
const worked = new Map<string, number>();
for (const a of assignments) worked.set(a.employeeId, (worked.get(a.employeeId) ?? 0) + (minutesOf.get(a.shiftId) ?? 0));
for (const e of problem.employees) {
  const contract = contractOf.get(e.contractId);
  const maximum = contract?.maxTotalMinutes;
  // A soft maximum does not bound what an employee may work.
  const hard = (contract?.rules?.maxTotalMinutes?.level ?? problem.rules?.maxTotalMinutes?.level ?? 'hard') === 'hard';
  if (maximum === undefined || !hard) {
    capacity = undefined;
    continue;
  }
  if (capacity !== undefined) capacity += maximum;
  const left = maximum - (worked.get(e.id) ?? 0);
  if (left > 0) {
    unused += left;
    belowMaximum++;
  }
}
console.log(`  cover asks for ${demand} minutes; the employees may work at most ${capacity ?? 'any number of'} minutes`);
// With skills, one head may count towards requirements of several skills: no shortfall is claimed.
const skillFree = problem.cover.every((c) => c.skill === undefined);
if (capacity !== undefined && skillFree && demand > capacity) console.log(`  shortfall: at least ${demand - capacity} minutes of cover stay unfilled in every roster`);
console.log(`  unused below the maximum: ${unused} minutes (${belowMaximum} employees)`);
console.log(`  weekends worked on one day only: ${halfWeekends(problem, assignments)}`);

function readRoster(path: string): ShiftAssignment[] {
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
  const firstWeekday = new Date(`${p.startDate}T00:00:00Z`).getUTCDay();
  const worked = new Set(roster.map((a) => `${a.employeeId}|${a.day}`));
  let count = 0;
  for (let d = 0; d + 1 < p.days; d++) {
    if ((firstWeekday + d) % 7 !== 6) continue; // Saturday
    for (const e of p.employees) if (worked.has(`${e.id}|${d}`) !== worked.has(`${e.id}|${d + 1}`)) count++;
  }
  return count;
}
