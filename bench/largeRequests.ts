// Large roster requests, solved as the service solves them:
//   npm run bench:large -- [--sizes 2000x28x10,500x366x10,…] [--time-limit <s>] [--threads <n>] [--seed <n>]
// Each size (employees x days x shift types) is a synthetic request built through the public codec
// (`largeRequest`), as big as the service's limits (configs/app.yaml `limits`) let a user send, and
// solved with the service's defaults: the schedule request's default time limit and no early stop
// (`resolveSolverSettings`), on `workers.solver_threads` threads. Each size runs in a child process
// of its own, so that its peak RSS (worker threads included) is its own. Printed per size: the
// request's JSON bytes, its shift choices, how long the solve took against its limit, the moves
// made, the score and hard violations by the independent evaluator, and the peak RSS; the last line
// is one JSON object with the figures. It is how "Large requests" in bench/RESULTS.md was measured.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeRosterProblem, type RosterProblem } from '../src/domain/roster.js';
import { resolveSolverSettings } from '../src/domain/schedule.js';
import { loadConfig } from '../src/infra/config.js';
import { evaluateRoster } from '../src/solver/evaluator.js';
import { solve } from '../src/solver/solve.js';

export interface LargeSize {
  employees: number;
  days: number;
  shiftTypes: number;
}

/**
 * A request of the given size: 8-hour shift types starting on the hour from 06:00, one contract
 * (at most 5 shifts a week's worth of minutes, 5 days in a row, 2 days off in a row, 10 h rest,
 * one weekend in two), each employee asking for one day off in four weeks (weight 1; one a week
 * would take the largest request past the 4 MB body limit), and every shift of every day wanting
 * 60 % of the staff spread over the shift types (under 100, over 1 per head).
 */
export function largeRequest(size: LargeSize): RosterProblem {
  const { employees, days } = size;
  const shiftTypes = Array.from({ length: size.shiftTypes }, (_, i) => ({ id: `S${i + 1}`, start: `${String(6 + (i % 12)).padStart(2, '0')}:00`, durationMinutes: 480 }));
  const required = Math.max(1, Math.floor((employees * 0.6) / size.shiftTypes));
  const input = {
    startDate: '2027-01-04',
    days,
    shiftTypes,
    contracts: [
      {
        id: 'full',
        maxTotalMinutes: Math.round((days * 5) / 7) * 480,
        maxConsecutiveWorkDays: 5,
        minConsecutiveDaysOff: 2,
        minRestMinutes: 600,
        maxWeekends: Math.ceil(days / 14),
      },
    ],
    employees: Array.from({ length: employees }, (_, i) => ({ id: `e${i + 1}`, name: `Employee ${i + 1}`, contractId: 'full' })),
    cover: Array.from({ length: days }, (_, day) => shiftTypes.map((t) => ({ day, shiftId: t.id, required, underWeight: 100, overWeight: 1 }))).flat(),
    shiftOffRequests: Array.from({ length: employees }, (_, i) =>
      Array.from({ length: Math.floor(days / 28) }, (_, month) => ({ employeeId: `e${i + 1}`, day: month * 28 + (i % 28), weight: 1 })),
    ).flat(),
  };
  const decoded = decodeRosterProblem(input);
  if (!decoded.ok) throw new Error(`the synthetic request does not decode: ${JSON.stringify(decoded.errors).slice(0, 300)}`);
  return decoded.problem;
}

interface SizeResult {
  size: string;
  requestBytes: number;
  shiftChoices: number;
  timeLimitSeconds: number;
  seconds: number;
  moves: number;
  stopReason: string;
  soft: number;
  hardViolations: number;
  peakRssMb: number;
}

async function solveOne(sizeText: string, timeLimitMs: number, threads: number, seed: number): Promise<SizeResult> {
  const [employees, days, shiftTypes] = sizeText.split('x').map(Number) as [number, number, number];
  const problem = largeRequest({ employees, days, shiftTypes });
  const started = performance.now();
  const outcome = await solve(problem, { ...resolveSolverSettings({ timeLimitMs, seed }), threads });
  const seconds = (performance.now() - started) / 1000;
  if (!outcome.ok) throw new Error(outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  const evaluation = evaluateRoster(problem, outcome.result.assignments);
  return {
    size: sizeText,
    requestBytes: JSON.stringify(problem).length,
    shiftChoices: employees * days * shiftTypes,
    timeLimitSeconds: timeLimitMs / 1000,
    seconds: Math.round(seconds * 10) / 10,
    moves: outcome.result.stats.movesEvaluated,
    stopReason: outcome.result.stats.stopReason,
    soft: evaluation.score.soft,
    hardViolations: evaluation.hardViolations,
    // resourceUsage().maxRSS is in kilobytes and covers the worker threads (same process).
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: `${config.limits.employees_per_request}x28x10,500x366x10,${config.limits.employees_per_request}x${config.limits.days_per_request}x10` },
      'time-limit': { type: 'string', default: String(resolveSolverSettings(undefined).timeLimitMs / 1000) },
      threads: { type: 'string', default: String(config.workers.solver_threads) },
      seed: { type: 'string', default: '1' },
      one: { type: 'string' },
    },
  });
  const timeLimitMs = Number(values['time-limit']) * 1000;
  const threads = Number(values.threads);
  const seed = Number(values.seed);
  if (values.one !== undefined) {
    console.log(JSON.stringify(await solveOne(values.one, timeLimitMs, threads, seed)));
    return;
  }
  const results: SizeResult[] = [];
  console.log(`time limit ${timeLimitMs / 1000} s, ${threads} thread(s), seed ${seed}`);
  console.log('size            request KB   choices  seconds     moves  stop        objective  hard  peak RSS MB');
  for (const size of values.sizes!.split(',')) {
    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--one', size, '--time-limit', String(timeLimitMs / 1000), '--threads', String(threads), '--seed', String(seed)];
    const output = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const r = JSON.parse(output.trim().split('\n').at(-1)!) as SizeResult;
    results.push(r);
    console.log(
      `${r.size.padEnd(15)} ${String(Math.round(r.requestBytes / 1024)).padStart(10)} ${String(r.shiftChoices).padStart(9)} ${r.seconds.toFixed(1).padStart(8)} ${String(r.moves).padStart(9)}  ${r.stopReason.padEnd(10)} ${String(r.soft).padStart(10)} ${String(r.hardViolations).padStart(5)} ${String(r.peakRssMb).padStart(12)}`,
    );
  }
  console.log(JSON.stringify({ bench: 'large-requests', timeLimitSeconds: timeLimitMs / 1000, threads, seed, results }));
}

// Run as a script (not when a test imports largeRequest).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
