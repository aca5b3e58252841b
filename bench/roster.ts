// Roster benchmark on Curtois instances:
//   npm run bench:roster -- --instances <dir | file…> --time-limit <s> --seed <n> --out <dir> [--threads <n>] [--no-mip] [--unimproved-limit <s>]
// (--no-mip: the portfolio's last thread anneals throughout instead of re-planning MIP neighbourhoods;
// --unimproved-limit: also stop when the best has not improved for that long, as the service does.)
// Each instance goes through the public model (loader → RosterProblem → solve), the roster is
// re-scored by the independent evaluator, written to <out>/<Instance>.csv, and summarised in a
// table; the last line printed is one JSON object with the per-instance figures.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCurtoisInstance } from '../src/solver/curtoisLoader.js';
import { evaluateRoster } from '../src/solver/evaluator.js';
import { solve } from '../src/solver/solve.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    instances: { type: 'string', multiple: true },
    'time-limit': { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: join(repoRoot, 'bench/out') },
    threads: { type: 'string', default: '1' },
    'no-mip': { type: 'boolean', default: false },
    'unimproved-limit': { type: 'string' },
    bks: { type: 'string', default: resolve(repoRoot, '../shared/bench/curtois/bks.csv') },
  },
});

interface InstanceResult {
  instance: string;
  objective: number;
  bestKnown: number | null;
  gapPercent: number | null;
  hardViolations: number;
  seconds: number;
  moves: number;
}

function instanceFiles(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (statSync(arg).isDirectory()) {
      files.push(...readdirSync(arg).filter((f) => /\.txt$/i.test(f)).map((f) => join(arg, f)));
    } else files.push(arg);
  }
  const number = (f: string): number => Number(/(\d+)/.exec(basename(f))?.[1] ?? 0);
  return files.sort((x, y) => number(x) - number(y) || x.localeCompare(y));
}

function readBestKnown(path: string): Map<string, number> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    console.error(`no best-known values at ${path}: gaps are not reported`);
    return out;
  }
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [instance, , , , best] = line.split(',');
    if (instance !== undefined && best !== undefined && best !== '') out.set(instance, Number(best));
  }
  return out;
}

async function main(): Promise<void> {
  // `--instances a b c` leaves b and c as positionals; both forms are accepted.
  const files = instanceFiles([...(values.instances ?? []), ...positionals]);
  if (files.length === 0) throw new Error('give --instances <dir | file…>');
  const timeLimitMs = Number(values['time-limit']) * 1000;
  const seed = Number(values.seed);
  const threads = Number(values.threads);
  const unimprovedLimitMs = values['unimproved-limit'] === undefined ? undefined : Number(values['unimproved-limit']) * 1000;
  mkdirSync(values.out!, { recursive: true });
  const bestKnown = readBestKnown(values.bks!);
  const results: InstanceResult[] = [];
  console.log('instance     objective  best-known   gap %  hard  seconds');
  for (const file of files) {
    const instance = basename(file).replace(/\.txt$/i, '');
    const loaded = loadCurtoisInstance(readFileSync(file, 'utf8'));
    if (!loaded.ok) throw new Error(`${file}: ${loaded.error}`);
    const started = performance.now();
    const outcome = await solve(loaded.problem, { timeLimitMs, unimprovedLimitMs, seed, threads, mipNeighbourhoods: values['no-mip'] !== true });
    const seconds = (performance.now() - started) / 1000;
    if (!outcome.ok) throw new Error(`${file}: ${outcome.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    const { assignments, stats } = outcome.result;
    writeFileSync(join(values.out!, `${instance}.csv`), ['employee,day,shift', ...assignments.map((a) => `${a.employeeId},${a.day},${a.shiftId}`)].join('\n') + '\n');
    // The figures come from the independent evaluator, not from the solver's own score.
    const evaluation = evaluateRoster(loaded.problem, assignments);
    const best = bestKnown.get(instance) ?? null;
    const objective = evaluation.score.soft;
    const result: InstanceResult = {
      instance,
      objective,
      bestKnown: best,
      gapPercent: best === null || best === 0 ? null : Math.round(((objective - best) / best) * 10000) / 100,
      hardViolations: evaluation.hardViolations,
      seconds: Math.round(seconds * 10) / 10,
      moves: stats.movesEvaluated,
    };
    results.push(result);
    console.log(
      `${instance.padEnd(12)} ${String(objective).padStart(9)} ${String(best ?? '-').padStart(11)} ${String(result.gapPercent ?? '-').padStart(7)} ${String(result.hardViolations).padStart(5)} ${result.seconds.toFixed(1).padStart(8)}`,
    );
  }
  console.log(JSON.stringify({ timeLimitSeconds: timeLimitMs / 1000, seed, threads, results }));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
