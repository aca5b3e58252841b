// Solomon VRPTW benchmark of the dispatch routing solver.
//   npm run bench:dispatch -- --instances <dir | file…> --time-limit <s> --seed <n> --out <dir>
//                             [--convention hierarchical|dimacs] [--bks <csv>]
// Each instance goes through the product's request model (loadSolomon), is solved for the time
// limit, re-checked by the independent evaluator, written as <out>/<instance>.txt, and compared
// with the best-known values. Prints a table and, last, one JSON object with the figures.
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import os from 'node:os';
import { Command, Option } from 'commander';
import {
  evaluatePlan,
  loadSolomon,
  planOfResult,
  solveDispatch,
  type SolomonConvention,
} from '../src/solver/routing/index.js';

interface BestKnown {
  readonly vehicles: number;
  readonly distance: number;
}

interface InstanceFigures {
  readonly instance: string;
  readonly vehicles: number;
  readonly distance: number;
  readonly feasible: boolean;
  readonly unassigned: number;
  readonly bestKnownVehicles: number | null;
  readonly bestKnownDistance: number | null;
  readonly gapPercent: number | null;
  readonly seconds: number;
  readonly iterations: number;
}

const program = new Command()
  .requiredOption('--instances <paths...>', 'instance files or directories of *.txt')
  .option('--time-limit <seconds>', 'time limit per instance', '1')
  .option('--seed <n>', 'random seed', '1')
  .option('--out <dir>', 'where solutions are written', 'bench/out/dispatch')
  .addOption(new Option('--convention <name>', 'objective convention').choices(['hierarchical', 'dimacs']).default('hierarchical'))
  .option('--bks <csv>', 'best-known values', resolve('..', 'shared', 'bench', 'solomon', 'bks.csv'));
program.parse();
const opts = program.opts<{ instances: string[]; timeLimit: string; seed: string; out: string; convention: SolomonConvention; bks: string }>();

function instanceFiles(paths: readonly string[]): string[] {
  return paths.flatMap((p) =>
    statSync(p).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.toLowerCase().endsWith('.txt'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

function readBestKnown(path: string, convention: SolomonConvention): Map<string, BestKnown> {
  const table = new Map<string, BestKnown>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    console.error(`no best-known file at ${path}: gaps left empty`);
    return table;
  }
  const [header, ...rows] = text.trim().split(/\r?\n/);
  const columns = header.split(',');
  const vehiclesCol = columns.indexOf(convention === 'dimacs' ? 'dimacs_vehicles' : 'bks_vehicles');
  const distanceCol = columns.indexOf(convention === 'dimacs' ? 'dimacs_distance' : 'bks_distance_sintef2018');
  for (const row of rows) {
    const cells = row.split(',');
    table.set(cells[0].toLowerCase(), { vehicles: Number(cells[vehiclesCol]), distance: Number(cells[distanceCol]) });
  }
  return table;
}

function runInstance(file: string, bestKnown: Map<string, BestKnown>): InstanceFigures {
  const instance = basename(file).replace(/\.txt$/i, '').toLowerCase();
  const loaded = loadSolomon(readFileSync(file, 'utf8'), opts.convention);
  if (!loaded.ok) throw new Error(`${file}: ${JSON.stringify(loaded.errors)}`);
  const { request } = loaded.value;
  const started = performance.now();
  const solved = solveDispatch(request, { timeLimitMs: Number(opts.timeLimit) * 1000, seed: Number(opts.seed) });
  const seconds = (performance.now() - started) / 1000;
  if (!solved.ok) throw new Error(`${file}: ${JSON.stringify(solved.errors)}`);
  const evaluation = evaluatePlan(request, planOfResult(solved.result));
  for (const v of evaluation.violations) console.error(`${instance}: ${v.kind} ${v.technicianId ?? ''} ${v.orderId ?? ''} ${v.message}`);
  const lines = solved.result.routes.map((r, k) => `Route ${k + 1} : ${r.visits.map((v) => v.orderId).join(' ')}`);
  writeFileSync(join(opts.out, `${instance}.txt`), `${lines.join('\n')}\n`);
  const bk = bestKnown.get(instance);
  return {
    instance,
    vehicles: evaluation.techniciansUsed,
    distance: Number(evaluation.distance.toFixed(3)),
    feasible: evaluation.feasible && evaluation.unassignedCount === 0,
    unassigned: evaluation.unassignedCount,
    bestKnownVehicles: bk?.vehicles ?? null,
    bestKnownDistance: bk?.distance ?? null,
    gapPercent: bk === undefined ? null : Number((((evaluation.distance - bk.distance) / bk.distance) * 100).toFixed(3)),
    seconds: Number(seconds.toFixed(2)),
    iterations: solved.result.stats.iterations,
  };
}

function pad(value: string | number | null, width: number): string {
  return String(value ?? '-').padStart(width);
}

mkdirSync(opts.out, { recursive: true });
const bestKnown = readBestKnown(opts.bks, opts.convention);
const files = instanceFiles(opts.instances);
console.log(`convention ${opts.convention}, ${opts.timeLimit} s per instance, seed ${opts.seed}, ${files.length} instances`);
console.log(
  `${'instance'.padEnd(10)}${pad('veh', 5)}${pad('distance', 11)}${pad('bk veh', 8)}${pad('bk dist', 10)}${pad('gap %', 8)}${pad('s', 7)}${pad('feasible', 10)}`,
);
const figures: InstanceFigures[] = [];
for (const file of files) {
  const f = runInstance(file, bestKnown);
  figures.push(f);
  console.log(
    `${f.instance.padEnd(10)}${pad(f.vehicles, 5)}${pad(f.distance.toFixed(2), 11)}${pad(f.bestKnownVehicles, 8)}${pad(f.bestKnownDistance, 10)}${pad(f.gapPercent?.toFixed(2) ?? null, 8)}${pad(f.seconds.toFixed(1), 7)}${pad(String(f.feasible), 10)}`,
  );
}
const gaps = figures.flatMap((f) => (f.gapPercent === null ? [] : [f.gapPercent]));
const averageGapPercent = gaps.length > 0 ? Number((gaps.reduce((a, b) => a + b, 0) / gaps.length).toFixed(3)) : null;
const vehicleExcess = figures.flatMap((f) => (f.bestKnownVehicles === null ? [] : [f.vehicles - f.bestKnownVehicles]));
console.log(
  `average gap ${averageGapPercent ?? '-'} %, all feasible ${figures.every((f) => f.feasible)}, vehicles over best known: ${vehicleExcess.join(' ')}`,
);
console.log(
  JSON.stringify({
    convention: opts.convention,
    timeLimitSeconds: Number(opts.timeLimit),
    seed: Number(opts.seed),
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    allFeasible: figures.every((f) => f.feasible),
    averageGapPercent,
    instances: figures,
  }),
);
