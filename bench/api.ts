// API benchmark against a real `paiban serve` process (built, fresh PostgreSQL database, real Redis):
//   npm run bench:api [-- --runs 20 --seconds 5 --rounds 3 --connections 64 --command-connections 16 --no-build --cpu-prof <dir>]
// (a) the operations guide's reference case (50 employees, 100 shifts, one week; src/demo) from
//     POST to the generated read model, default solver options, sequential requests: p50/p95;
// (b) cached GET /api/v1/schedules/:id at 64 connections beside a bare Koa route (same JSON body)
//     served by another child process, in interleaved rounds so both see the same machine;
// (c) AssignShift commands: each connection owns one generated schedule and one free cell that
//     breaks no hard rule, and alternates POST assign / DELETE unassign (no If-Match: one writer
//     per stream, so no version conflicts; the handler's load-decide-append is still exercised).
// The load comes from autocannon in this process. Rate limits are off through a CONFIG_FILE of
// its own. Prints a table and, last, one JSON line. Connection: DB_HOST / DB_PORT / DB_USER /
// DB_PASSWORD (default 127.0.0.1:5432, postgres), REDIS_HOST / REDIS_PORT (default 127.0.0.1:6379).
import autocannon from 'autocannon';
import { Command } from 'commander';
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import YAML from 'yaml';
import { referenceCase } from '../src/demo/referenceCase.js';
import type { Assignment, RosterProblem, Score } from '../src/domain/roster.js';
import { evaluateRoster } from '../src/solver/evaluator.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const options = new Command()
  .option('--runs <n>', 'reference-case requests for (a)', '20')
  .option('--seconds <s>', 'duration of one measured slice in (b) and of (c)', '5')
  .option('--rounds <n>', 'interleaved rounds of (b) (bare, paiban, bare, paiban, …)', '3')
  .option('--connections <n>', 'connections for (b)', '64')
  .option('--command-connections <n>', 'connections (= schedules) for (c)', '16')
  .option('--no-build', 'use the existing dist/ instead of running npm run build')
  .option('--cpu-prof <dir>', 'run the service with node --cpu-prof, writing the profile into <dir>')
  .option('--service-root <dir>', 'run bin/paiban.js of another build (A/B experiments); default this checkout')
  .option('--cases <list>', 'which cases to measure (b and c still generate the schedules they need)', 'a,b,c')
  .parse()
  .opts<{ runs: string; seconds: string; rounds: string; connections: string; commandConnections: string; build: boolean; cpuProf?: string; cases: string; serviceRoot?: string }>();

const RUNS = Number(options.runs);
const SECONDS = Number(options.seconds);
const ROUNDS = Number(options.rounds);
const CONNECTIONS = Number(options.connections);
const COMMAND_CONNECTIONS = Number(options.commandConnections);
const ADMIN_TOKEN = randomBytes(16).toString('hex');
const CASES = new Set(options.cases.split(',').map((c) => c.trim()));
// Without (a), only as many schedules as (b) and (c) need are generated, and (a) is not reported.
const SCHEDULES = CASES.has('a') ? RUNS : Math.max(CASES.has('c') ? COMMAND_CONNECTIONS : 0, CASES.has('b') ? 1 : 0);

const PG = {
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 5432),
  user: process.env.DB_USER ?? 'postgres',
  password: process.env.DB_PASSWORD,
};
const REDIS = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: Number(process.env.REDIS_PORT ?? 6379) };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
const median = (values: readonly number[]) => percentile(values, 50);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function adminSql(sql: string): Promise<void> {
  const client = new pg.Client({ ...PG, database: 'postgres' });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return { nproc: Number(execSync('nproc').toString().trim()), node: process.version, cpu, date: new Date().toISOString() };
}

function build(): void {
  if (!options.build || options.serviceRoot) return;
  try {
    execSync('npm run build', { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    // Other work in the checkout may not type-check; tsc still emits, so measure what was built.
    const output = String((error as { stdout?: Buffer }).stdout ?? '').split('\n').filter((l) => l.includes('error TS')).slice(0, 5);
    console.error(`warning: npm run build reported errors (measuring the emitted dist/ anyway):\n  ${output.join('\n  ')}`);
  }
}

/** A child process whose output is kept (the last lines are shown if it dies). */
function startChild(args: string[], env: Record<string, string>, cwd = ROOT): { child: ChildProcess; output: string[] } {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output };
}

async function waitUntilUp(url: string, child: { child: ChildProcess; output: string[] }, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null) throw new Error(`${what} exited: ${child.output.join('').slice(-2000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${what} did not answer ${url} within 60 s: ${child.output.join('').slice(-2000)}`);
}

async function stopChild(handle: { child: ChildProcess }): Promise<void> {
  if (handle.child.exitCode !== null) return;
  const exited = new Promise((resolve) => handle.child.once('exit', resolve));
  handle.child.kill('SIGTERM');
  await Promise.race([exited, sleep(15_000)]);
  if (handle.child.exitCode === null) handle.child.kill('SIGKILL');
}

// The bare route: Koa and @koa/router, no middleware, the same JSON body as the schedule answer.
const BARE_APP = `
import Koa from 'koa';
import Router from '@koa/router';
const body = JSON.parse(process.env.BARE_BODY);
const app = new Koa();
const router = new Router();
router.get('/bare', (ctx) => { ctx.body = body; });
app.use(router.routes());
app.listen(Number(process.env.BARE_PORT), '127.0.0.1');
`;

interface Api {
  base: string;
  token: string;
}

async function call<T>(api: Api, method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(api.base + route, {
    method,
    headers: { Authorization: `Bearer ${api.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface ScheduleAnswer {
  status: string;
  score: Score | null;
  stats: { durationMs?: number; stopReason?: string } | null;
  version: number;
}

interface ReferenceRun {
  scheduleId: string;
  totalMs: number;
  solverMs: number;
  stopReason: string;
  score: Score;
}

/** (a) POST the reference case, then poll the read model until it shows the generation's end. */
async function referenceRun(api: Api, index: number): Promise<ReferenceRun> {
  const request = { ...referenceCase(), name: `bench reference case ${index + 1}` };
  const startedAt = performance.now();
  const posted = await call<{ scheduleId: string }>(api, 'POST', '/api/v1/schedules', request);
  if (posted.status !== 202) throw new Error(`POST /api/v1/schedules answered ${posted.status}: ${JSON.stringify(posted.body)}`);
  const { scheduleId } = posted.body;
  for (;;) {
    const answer = await call<ScheduleAnswer>(api, 'GET', `/api/v1/schedules/${scheduleId}`);
    if (answer.status === 200 && answer.body.status === 'generated') {
      const totalMs = performance.now() - startedAt;
      return { scheduleId, totalMs, solverMs: answer.body.stats?.durationMs ?? NaN, stopReason: answer.body.stats?.stopReason ?? '?', score: answer.body.score! };
    }
    if (answer.status === 200 && (answer.body.status === 'failed' || answer.body.status === 'cancelled')) throw new Error(`reference case ${scheduleId} ended ${answer.body.status}`);
    if (performance.now() - startedAt > 60_000) throw new Error(`reference case ${scheduleId} not generated after 60 s`);
    await sleep(10);
  }
}

function runCannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

const figuresOf = (result: autocannon.Result): LoadFigures => ({
  requestsPerSecond: Math.round(result.requests.total / result.duration),
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
});

/** A cell (employee off that day) and a shift that together break no hard rule of the roster. */
function freeCell(problem: RosterProblem, roster: Assignment[]): { employeeId: string; day: number; shiftId: string } | undefined {
  const busy = new Set(roster.map((a) => `${a.employeeId}/${a.day}`));
  const baseline = evaluateRoster(problem, roster).hardViolations;
  for (const employee of problem.employees) {
    for (let day = 0; day < problem.days; day++) {
      if (busy.has(`${employee.id}/${day}`)) continue;
      for (const shift of problem.shiftTypes) {
        const candidate = { employeeId: employee.id, day: day as Assignment['day'], shiftId: shift.id };
        if (evaluateRoster(problem, [...roster, candidate]).hardViolations === baseline) return candidate;
      }
    }
  }
  return undefined;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n');
}

function referenceFigures(runs: readonly ReferenceRun[]) {
  const totals = runs.map((r) => r.totalMs);
  const solver = runs.map((r) => r.solverMs);
  const overhead = runs.map((r) => r.totalMs - r.solverMs);
  return {
    runs: runs.length,
    p50Ms: Math.round(median(totals)),
    p95Ms: Math.round(percentile(totals, 95)),
    solverP50Ms: Math.round(median(solver)),
    solverP95Ms: Math.round(percentile(solver, 95)),
    overheadP50Ms: Math.round(median(overhead)),
    overheadP95Ms: Math.round(percentile(overhead, 95)),
    stopReasons: Object.fromEntries([...new Set(runs.map((r) => r.stopReason))].map((reason) => [reason, runs.filter((r) => r.stopReason === reason).length])),
    hardZero: runs.every((r) => r.score.hard === 0),
  };
}

interface GetFigures {
  connections: number;
  bare: LoadFigures;
  cachedGet: LoadFigures;
  /** Median over rounds of (cached-GET rate / bare rate of the slice just before it). */
  ratioOfBare: number;
  rounds: { bare: LoadFigures[]; cachedGet: LoadFigures[] };
}

/** (b) Interleaved rounds (bare, paiban, bare, paiban, …) so both sides see the same machine. */
async function measureCachedGet(bareUrl: string, scheduleUrl: string, auth: Record<string, string>): Promise<GetFigures> {
  const load = (url: string, headers: Record<string, string>, duration: number) => runCannon({ url, connections: CONNECTIONS, duration, headers });
  console.error(`(b) warming up, then ${ROUNDS} rounds of ${SECONDS} s per side at ${CONNECTIONS} connections…`);
  await load(bareUrl, {}, 1);
  await load(scheduleUrl, auth, 1);
  const bareRounds: LoadFigures[] = [];
  const getRounds: LoadFigures[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bareRounds.push(figuresOf(await load(bareUrl, {}, SECONDS)));
    getRounds.push(figuresOf(await load(scheduleUrl, auth, SECONDS)));
  }
  // The machine's speed swings between slices, so each round is a pair compared on its own; the
  // round with the median ratio is the one shown.
  const ratios = getRounds.map((get, r) => get.requestsPerSecond / bareRounds[r].requestsPerSecond);
  const middle = ratios.map((ratio, r) => ({ ratio, r })).sort((x, y) => x.ratio - y.ratio)[Math.floor((ratios.length - 1) / 2)].r;
  return {
    connections: CONNECTIONS,
    bare: bareRounds[middle],
    cachedGet: getRounds[middle],
    ratioOfBare: Math.round(ratios[middle] * 100) / 100,
    rounds: { bare: bareRounds, cachedGet: getRounds },
  };
}

/** (c) AssignShift / UnassignShift on a free cell, one schedule per connection, no If-Match. */
async function measureCommands(api: Api, runs: readonly ReferenceRun[], auth: Record<string, string>) {
  const pairs: autocannon.Request[][] = [];
  for (const run of runs) {
    if (pairs.length >= COMMAND_CONNECTIONS) break;
    const served = await call<{ assignments: Assignment[] }>(api, 'GET', `/api/v1/schedules/${run.scheduleId}/assignments`);
    const roster = served.body.assignments.map((x) => ({ employeeId: x.employeeId, day: x.day, shiftId: x.shiftId }));
    const cell = freeCell(referenceCase().problem, roster);
    if (!cell) continue;
    pairs.push([
      { method: 'POST', path: `/api/v1/schedules/${run.scheduleId}/assignments`, headers: { 'Content-Type': 'application/json', ...auth }, body: JSON.stringify(cell) },
      { method: 'DELETE', path: `/api/v1/schedules/${run.scheduleId}/assignments/${cell.employeeId}/${cell.day}`, headers: auth },
    ]);
  }
  if (pairs.length === 0) throw new Error('no free cell found for (c)');
  console.error(`(c) AssignShift/UnassignShift for ${SECONDS * 2} s on ${pairs.length} schedules (one connection each, no If-Match)…`);
  let next = 0;
  const result = await runCannon({
    url: api.base,
    connections: pairs.length,
    duration: SECONDS * 2,
    requests: pairs[0],
    setupClient: (client) => client.setRequests(pairs[next++ % pairs.length]),
  });
  return { connections: pairs.length, ifMatch: false, ...figuresOf(result) };
}

async function main(): Promise<void> {
  const host = machine();
  build();
  const dbName = `paiban_benchapi_${randomBytes(4).toString('hex')}`;
  await adminSql(`CREATE DATABASE ${dbName}`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'paiban-bench-api-'));
  const config = YAML.parse(readFileSync(path.join(ROOT, 'configs', 'app.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  config.rate_limit = { ...config.rate_limit, enabled: false };
  const configFile = path.join(tmp, 'app.yaml');
  writeFileSync(configFile, YAML.stringify(config));

  const port = await freePort();
  const barePort = await freePort();
  const env: Record<string, string> = {
    CONFIG_FILE: configFile,
    APP_PORT: String(port),
    APP_ENV: 'staging',
    LOG_LEVEL: 'warn',
    ADMIN_TOKEN,
    DB_HOST: PG.host,
    DB_PORT: String(PG.port),
    DB_NAME: dbName,
    DB_USER: PG.user,
    ...(PG.password ? { DB_PASSWORD: PG.password } : {}),
    REDIS_HOST: REDIS.host,
    REDIS_PORT: String(REDIS.port),
  };
  const profile = options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProf)}`] : [];
  const service = startChild([...profile, 'bin/paiban.js', 'serve'], env, options.serviceRoot ? path.resolve(options.serviceRoot) : ROOT);
  let bare: ReturnType<typeof startChild> | undefined;
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntilUp(`${base}/health`, service, 'paiban serve');
    const issued = await fetch(`${base}/api/v1/admin/keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'bench', scopes: ['schedule'] }),
    });
    if (issued.status !== 201) throw new Error(`issuing a key answered ${issued.status}: ${await issued.text()}`);
    const api: Api = { base, token: ((await issued.json()) as { secret: string }).secret };

    // (a) Sequential: one solve at a time, as a planner would see it.
    console.error(`(a) ${SCHEDULES} reference-case requests, one after another…`);
    const runs: ReferenceRun[] = [];
    for (let i = 0; i < SCHEDULES; i++) {
      const run = await referenceRun(api, i);
      if (run.score.hard !== 0) console.error(`  warning: run ${i + 1} has hard score ${run.score.hard}`);
      runs.push(run);
    }
    const a = CASES.has('a') ? referenceFigures(runs) : undefined;
    const auth = { Authorization: `Bearer ${api.token}` };

    let b: GetFigures | undefined;
    if (CASES.has('b')) {
      // The bare route serves the very body the schedule route answers with.
      const sample = await call<ScheduleAnswer>(api, 'GET', `/api/v1/schedules/${runs[0].scheduleId}`);
      bare = startChild(['--input-type=module', '-e', BARE_APP], { BARE_BODY: JSON.stringify(sample.body), BARE_PORT: String(barePort) });
      await waitUntilUp(`http://127.0.0.1:${barePort}/bare`, bare, 'bare Koa app');
      b = await measureCachedGet(`http://127.0.0.1:${barePort}/bare`, `${base}/api/v1/schedules/${runs[0].scheduleId}`, auth);
    }
    const c = CASES.has('c') ? await measureCommands(api, runs, auth) : undefined;

    const targets = {
      ...(a ? { a: a.p50Ms <= 1500 } : {}),
      ...(b ? { b: b.ratioOfBare >= 0.5 && b.cachedGet.p99Ms <= 25 } : {}),
      ...(c ? { c: c.requestsPerSecond >= 300 && c.p99Ms <= 100 && c.non2xx === 0 } : {}),
    };
    const check = (met: boolean | undefined) => (met ? 'met' : 'NOT met');
    const rows = [['case', 'figure', 'value', 'target']];
    if (a) {
      rows.push(
        ['(a) reference case POST → generated', `p50 / p95 over ${a.runs}`, `${a.p50Ms} / ${a.p95Ms} ms`, `p50 ≤ 1500 ms: ${check(targets.a)}`],
        ['    of which solver (stats.durationMs)', 'p50 / p95', `${a.solverP50Ms} / ${a.solverP95Ms} ms`, `stop: ${JSON.stringify(a.stopReasons)}`],
        ['    of which the rest (queue, appends, projections)', 'p50 / p95', `${a.overheadP50Ms} / ${a.overheadP95Ms} ms`, ''],
      );
    }
    if (b) {
      rows.push(
        [`(b) bare Koa route, ${b.connections} conn`, 'req/s, p50 / p99', `${b.bare.requestsPerSecond}, ${b.bare.p50Ms} / ${b.bare.p99Ms} ms`, ''],
        [`(b) cached GET schedule, ${b.connections} conn`, 'req/s, p50 / p99', `${b.cachedGet.requestsPerSecond}, ${b.cachedGet.p50Ms} / ${b.cachedGet.p99Ms} ms`, `≥ 50% of bare (${Math.round(b.ratioOfBare * 100)}%), p99 ≤ 25 ms: ${check(targets.b)}`],
      );
    }
    if (c) {
      rows.push([`(c) AssignShift+Unassign, ${c.connections} conn`, 'cmd/s, p50 / p99', `${c.requestsPerSecond}, ${c.p50Ms} / ${c.p99Ms} ms`, `≥ 300/s, p99 ≤ 100 ms: ${check(targets.c)}${c.non2xx ? ` (${c.non2xx} non-2xx)` : ''}`]);
    }
    console.log(`paiban API benchmark — ${host.date}, ${host.nproc} CPUs (${host.cpu}), Node ${host.node}; shared machine, numbers are noisy`);
    console.log(table(rows));
    console.log(JSON.stringify({ bench: 'api', machine: host, a, b, c, targets }));
  } finally {
    if (bare) await stopChild(bare);
    await stopChild(service);
    await adminSql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((error: unknown) => console.error(`could not drop ${dbName}: ${(error as Error).message}`));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:api failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
