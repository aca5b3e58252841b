// 5,000 generated malformed requests (fast-check, fixed seed) over every route of the router table,
// against real PostgreSQL and Redis: no 5xx, every error is problem+json without internals, no
// malformed request is accepted, nothing is written (events and read-model rows counted before and
// after), and the process still answers /health.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ADMIN_TOKEN, startPaibanInProcess, waitFor, type RunningPaiban } from '../support/api.js';
import { malformedRequest, type BodySpec, type FuzzRequest, type FuzzTargets } from '../support/fuzzRequests.js';
import { call, LEAK, randomAddress, routeTable, settingsFile } from '../support/fuzzRoutes.js';
import { weekProblem } from '../support/rosterFixtures.js';
import { postgresUnreachable, redisUnreachable, requireService } from '../support/services.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 5000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const CONCURRENCY = 8;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Rows per table of the public schema: the event store and every read model. */
async function rowCounts(paiban: RunningPaiban): Promise<Record<string, number>> {
  const { database } = paiban.db;
  const { rows: tables } = await database.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`);
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const { rows } = await database.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
    counts[table] = Number(rows[0].n);
  }
  return counts;
}

/** Counts once the projections have nothing left to do (two equal readings 300 ms apart). */
async function settledCounts(paiban: RunningPaiban): Promise<Record<string, number>> {
  let previous = JSON.stringify(await rowCounts(paiban));
  return waitFor('the read models to settle', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await rowCounts(paiban);
    const same = JSON.stringify(now) === previous;
    previous = JSON.stringify(now);
    return same ? now : undefined;
  });
}

interface Finding {
  request: FuzzRequest;
  status: number;
  problem: string;
  text: string;
}

describe('fuzz: malformed requests over every route', function () {
  this.timeout(120_000);
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);

  let paiban: RunningPaiban;
  let targets: FuzzTargets;
  let key: string;
  const me = randomAddress('private');

  before(async () => {
    const settings = settingsFile({
      database: { max_connections: 8, idle_connections: 1 },
      rate_limit: { enabled: true, per_key_per_minute: 1_000_000, per_ip_per_minute: 1_000_000 },
      // One solver thread (one annealing search): the fuzzing is of the API, not of the solver.
      workers: { solve_in_serve: true, lease_seconds: 30, solver_threads: 1 },
    });
    paiban = await startPaibanInProcess({ CONFIG_FILE: settings, TRUSTED_PROXIES: '127.0.0.1/32' });
    const base = paiban.api.baseUrl;
    const issued = await call(base, 'POST', '/api/v1/admin/keys', me, { bearer: ADMIN_TOKEN, body: { name: 'fuzz', scopes: ['schedule', 'dispatch'], org_id: 'fuzz' } });
    assert.equal(issued.status, 201, issued.text);
    key = String(issued.json!.secret);
    const problem = weekProblem(3);
    const requested = await call(base, 'POST', '/api/v1/schedules', me, { bearer: key, body: { name: 'fuzz target', problem, solver: { timeLimitMs: 1000, unimprovedLimitMs: 100 } } });
    assert.equal(requested.status, 202, requested.text);
    const existingId = String(requested.json!.scheduleId);
    await waitFor('the target schedule to be generated', async () => {
      const answer = await call(base, 'GET', `/api/v1/schedules/${existingId}`, me, { bearer: key });
      return answer.status === 200 && answer.json!.status !== 'requested' && answer.json!.status !== 'generating' ? true : undefined;
    });
    const cover = { day: 0, shiftId: 'D', required: 1, underWeight: 100, overWeight: 10 };
    const bodies: Record<string, BodySpec> = {
      'POST /api/v1/admin/keys': { valid: { name: 'fuzz', scopes: ['schedule'] }, required: ['name', 'scopes'] },
      'POST /api/v1/schedules': { valid: { name: 'fuzz', problem: JSON.parse(JSON.stringify(problem)), solver: { timeLimitMs: 1000, seed: 1 } }, required: ['problem'] },
      'POST /api/v1/schedules/:id/assignments': { valid: { employeeId: 'e1', day: 0, shiftId: 'D', force: false }, required: ['employeeId', 'day', 'shiftId'] },
      'POST /api/v1/schedules/:id/unavailability': { valid: { employeeId: 'e1', days: [0], reason: 'ill' }, required: ['employeeId', 'days'] },
      'POST /api/v1/schedules/:id/demand': { valid: { set: [cover], remove: [{ day: 1, shiftId: 'N' }] }, required: [] },
      'POST /api/v1/schedules/:id/replan': { valid: { changePenalty: 5, solver: { timeLimitMs: 1000 } }, required: [] },
      'POST /api/v1/service-orders': {
        valid: { location: { x: 1, y: 2 }, timeWindows: [{ start: 0, end: 100 }], serviceDuration: 10, requiredSkills: ['a'], priority: 1 },
        required: ['location', 'timeWindows', 'serviceDuration'],
      },
      'POST /api/v1/service-orders/:id/cancel': { valid: { reason: 'x' }, required: [] },
      'POST /api/v1/dispatches': { valid: { travel: { kind: 'euclidean' }, name: 'x', orderIds: ['o1'], solver: { timeLimitMs: 1000 } }, required: ['travel'] },
      'POST /api/v1/dispatches/:id/technicians/:technicianId/off-sick': { valid: { now: 0, reason: 'x' }, required: ['now'] },
      'POST /api/v1/dispatches/:id/orders': { valid: { orderId: 'o1', now: 0 }, required: ['orderId', 'now'] },
      'POST /api/v1/dispatches/:id/orders/:orderId/cancel': { valid: { now: 0, reason: 'x' }, required: ['now'] },
      'POST /api/v1/dispatches/:id/redispatch': { valid: { now: 0, solver: { timeLimitMs: 1000 } }, required: ['now'] },
    };
    targets = {
      routes: routeTable(paiban.instance),
      bodies,
      bodiless: [],
      existingId,
      realEmployees: problem.employees.map((e) => e.id),
    };
  });
  after(() => paiban?.stop());

  it(`answers ${RUNS} malformed requests without a 5xx, accepting none and writing nothing`, async () => {
    console.log(`      fuzz seed ${SEED} (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} to repeat), ${targets.routes.length} routes`);
    const requests = fc.sample(malformedRequest(targets), { numRuns: RUNS, seed: SEED }).map((request, i) => ({ ...request, id: `fuzz-${i}` }));
    const before = await settledCounts(paiban);
    const base = paiban.api.baseUrl;
    const findings: Finding[] = [];
    const rejected = new Map<string, FuzzRequest>();
    let acceptedWrites = 0;
    const { rows: [{ last }] } = await paiban.db.database.query<{ last: string }>('SELECT coalesce(max(position), 0) AS last FROM events');
    const statuses = new Map<number, number>();
    const started = performance.now();

    const send = async (request: FuzzRequest): Promise<void> => {
      const bearer = { key, admin: ADMIN_TOKEN, none: undefined, garbage: 'pb_0123456789abcdef_garbagegarbagegarbage' }[request.auth];
      let answer;
      try {
        answer = await call(base, request.method, request.path, me, { bearer, raw: request.body, contentType: request.contentType, headers: { 'X-Request-Id': request.id } });
      } catch (error) {
        findings.push({ request, status: 0, problem: `no answer: ${(error as Error).message}`, text: '' });
        return;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status < 200 || answer.status >= 300) rejected.set(request.id, request);
      const finding = (problem: string) => findings.push({ request, status: answer.status, problem, text: answer.text.slice(0, 300) });
      if (answer.status >= 500) finding('server error');
      else if (answer.status >= 200 && answer.status < 300 && WRITES.has(request.method)) {
        acceptedWrites++;
        if (!request.mayBeValid) finding('malformed request accepted');
      }
      else if (answer.status >= 400) {
        if (!/^application\/problem\+json/.test(answer.headers.get('content-type') ?? '')) finding('error is not problem+json');
        else if (LEAK.test(answer.text)) finding('error body leaks internals');
      }
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) await send(requests[next++]);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`      ${requests.length} requests in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((x, y) => x[0] - y[0])))}`);

    const health = await call(base, 'GET', '/health', me);
    assert.equal(health.status, 200, `the process still serves: ${health.text}`);
    const after = await settledCounts(paiban);

    // Events appended during the run, by the request that caused them (the correlation id is the
    // request id, also for the solve worker's follow-up events).
    const { rows: written } = await paiban.db.database.query<{ correlation: string | null; type: string }>(
      `SELECT metadata->>'correlationId' AS correlation, type FROM events WHERE position > $1`,
      [last],
    );
    for (const event of written) {
      const cause = event.correlation ? rejected.get(event.correlation) : undefined;
      if (cause) findings.push({ request: cause, status: 0, problem: `rejected, yet wrote ${event.type}`, text: '' });
      else if (!event.correlation?.startsWith('fuzz-')) findings.push({ request: { ...requests[0], route: '?', mutation: '?' }, status: 0, problem: `event ${event.type} of unknown origin (${event.correlation})`, text: '' });
    }

    // One line per kind of finding (route, what broke, how it was answered), with one example.
    const kinds = new Map<string, { count: number; example: Finding }>();
    for (const finding of findings) {
      const kind = `${finding.problem}: ${finding.request.route} (${finding.request.mutation.replace(/\d+/g, 'N')}) → ${finding.status}`;
      const seen = kinds.get(kind);
      if (seen) seen.count++;
      else kinds.set(kind, { count: 1, example: finding });
    }
    const report = [...kinds].map(([kind, { count, example }]) => `${count}× ${kind}\n    e.g. ${example.request.method} ${example.request.path.slice(0, 120)} body ${(example.request.body ?? '').slice(0, 160)}\n    answer ${example.text}`);
    // Events are attributed above; the other tables may only grow by what accepted commands wrote
    // (at most one command result each, and their read-model rows).
    for (const table of Object.keys(before)) {
      const growth = after[table] - before[table];
      if (growth !== 0 && (acceptedWrites === 0 || (table === 'command_results' && growth > acceptedWrites))) {
        report.push(`table ${table}: ${before[table]} rows before, ${after[table]} after, with ${acceptedWrites} requests accepted`);
      }
    }
    if (report.length) assert.fail(`${report.length} kinds of finding:\n${report.join('\n')}`);
  });
});
