// Security and tenancy over HTTP, against real PostgreSQL and Redis (issue 6): every route of the
// router table is protected as its path prefix demands, another org's schedule is a 404, keys are
// shown once, stored hashed, revoked everywhere within a second, rate limits hold across instances
// and without Redis, and bad input is answered with problem+json and never a 5xx.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { hashSecret } from '../../src/api/middleware/apiKeyAuth.js';
import { ADMIN_TOKEN, startPaibanInProcess, waitFor, type RunningPaiban } from '../support/api.js';
import { call, dummyParams, fillPath, LEAK, protectionOf, randomAddress, rawExchange, routeTable, settingsFile, type Answer, type CallOptions, type Route } from '../support/fuzzRoutes.js';
import { freePort, ROOT } from '../support/process.js';
import { weekProblem } from '../support/rosterFixtures.js';
import { postgresEnv, postgresUnreachable, REDIS, redisUnreachable, requireService } from '../support/services.js';
import { TcpProxy } from '../support/tcpProxy.js';

const PROBLEM_TYPE = /^https:\/\/paiban\.dev\/problems\/[a-z-]+$/;

/** An answer is a proper problem: problem+json, the status repeated, a stable type, no internals. */
function assertProblem(answer: Answer, status: number, what: string): void {
  assert.equal(answer.status, status, `${what}: ${answer.status} ${answer.text.slice(0, 300)}`);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/, `${what}: content type`);
  assert.equal(answer.json?.status, status, `${what}: status in the body`);
  assert.match(String(answer.json?.type), PROBLEM_TYPE, `${what}: problem type`);
  assert.doesNotMatch(answer.text, LEAK, `${what}: the body leaks internals`);
}

/**
 * Settings every instance of this suite shares: rate limits high unless a test lowers them, and
 * small connection pools (several instances share one PostgreSQL server with other suites).
 */
function settings(overrides: { perKey?: number; perAddress?: number; solve?: boolean; employees?: number } = {}): string {
  return settingsFile({
    database: { max_connections: 6, idle_connections: 1 },
    rate_limit: { enabled: true, per_key_per_minute: overrides.perKey ?? 100_000, per_ip_per_minute: overrides.perAddress ?? 100_000 },
    limits: { body_bytes: 65_536, employees_per_request: overrides.employees ?? 5 },
    workers: { solve_in_serve: overrides.solve ?? false, lease_seconds: 30 },
  });
}

/** The suite's client: its own address in the shared rate-limit buckets, an admin network. */
const ME = randomAddress('private');

interface IssuedKey {
  keyId: string;
  secret: string;
}

async function issueKey(baseUrl: string, scopes: string[], extra: Record<string, unknown> = {}): Promise<IssuedKey> {
  const answer = await call(baseUrl, 'POST', '/api/v1/admin/keys', ME, { bearer: ADMIN_TOKEN, body: { name: `security ${scopes.join('+')}`, scopes, ...extra } });
  assert.equal(answer.status, 201, answer.text);
  return { keyId: String(answer.json!.key_id), secret: String(answer.json!.secret) };
}

describe('security and tenancy', function () {
  this.timeout(60_000);
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);

  // A: the main instance (trusts the loopback proxy, solves). B: same database, admin only from
  // 10.0.0.0/8 and no trusted proxy, CORS on for one origin.
  let a: RunningPaiban;
  let b: RunningPaiban;
  let urlA: string;
  let urlB: string;
  let routes: Route[];
  const keys: Record<'schedule' | 'dispatch' | 'both', string> = { schedule: '', dispatch: '', both: '' };

  before(async () => {
    a = await startPaibanInProcess({ CONFIG_FILE: settings({ solve: true }), TRUSTED_PROXIES: '127.0.0.1/32' });
    b = await startPaibanInProcess({ CONFIG_FILE: settings(), ADMIN_ALLOWED_CIDRS: '10.0.0.0/8', CORS_ORIGINS: 'https://planner.example' }, a.db);
    urlA = a.api.baseUrl;
    urlB = b.api.baseUrl;
    routes = routeTable(a.instance);
    keys.schedule = (await issueKey(urlA, ['schedule'])).secret;
    keys.dispatch = (await issueKey(urlA, ['dispatch'])).secret;
    keys.both = (await issueKey(urlA, ['schedule', 'dispatch'])).secret;
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  describe('the route table', () => {
    it('is read from the routers, and holds the routes we know of', () => {
      const listed = routes.map((r) => `${r.method} ${r.pattern}`);
      for (const known of ['POST /api/v1/admin/keys', 'GET /api/v1/admin/keys', 'DELETE /api/v1/admin/keys/:keyId', 'POST /api/v1/schedules', 'GET /api/v1/schedules/:id', 'POST /api/v1/schedules/:id/publish']) {
        assert.ok(listed.includes(known), `${known} is in the table: ${listed.join(', ')}`);
      }
    });

    it('protects every route as its path prefix demands (no key 401, wrong scope 403; admin: 401 without the token, 403 off the admin network)', async () => {
      const failures: string[] = [];
      const expect = (route: Route, what: string, answer: Answer, allowed: (status: number) => boolean, wanted: string) => {
        if (!allowed(answer.status)) failures.push(`${route.method} ${route.pattern} ${what}: ${answer.status} (wanted ${wanted})`);
        else if (answer.status === 401 || answer.status === 403) {
          try {
            assertProblem(answer, answer.status, `${route.method} ${route.pattern} ${what}`);
          } catch (error) {
            failures.push((error as Error).message.split('\n')[0]);
          }
        }
      };
      for (const route of routes) {
        const protection = protectionOf(route.pattern, route.method);
        const path = fillPath(route.pattern, dummyParams());
        const send = (url: string, options: CallOptions, from = ME) => call(url, route.method, path, from, { body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {}, ...options });
        switch (protection) {
          case undefined:
            failures.push(`${route.method} ${route.pattern}: no protection is defined for this path prefix (admin, schedule or dispatch)`);
            break;
          case 'public':
            expect(route, 'without credentials', await send(urlA, {}), (s) => s === 200, '200 (public reference)');
            break;
          case 'admin': {
            expect(route, 'without a token', await send(urlA, {}), (s) => s === 401, '401');
            expect(route, 'with a wrong token', await send(urlA, { bearer: `${ADMIN_TOKEN}x` }), (s) => s === 401, '401');
            expect(route, 'with an API key', await send(urlA, { bearer: keys.both }), (s) => s === 401, '401');
            expect(route, 'off the admin network (trusted proxy says 203.0.113.x)', await send(urlA, { bearer: ADMIN_TOKEN }, randomAddress('public')), (s) => s === 403, '403');
            expect(route, 'from 127.0.0.1 when only 10.0.0.0/8 may administer', await send(urlB, { bearer: ADMIN_TOKEN }), (s) => s === 403, '403');
            expect(route, 'with the right token', await send(urlA, { bearer: ADMIN_TOKEN }), (s) => s !== 401 && s !== 403 && s < 500, 'through the guard');
            break;
          }
          case 'schedule':
          case 'dispatch': {
            const other = protection === 'schedule' ? keys.dispatch : keys.schedule;
            expect(route, 'without a key', await send(urlA, {}), (s) => s === 401, '401');
            expect(route, 'with a malformed key', await send(urlA, { bearer: 'pb_not-a-key' }), (s) => s === 401, '401');
            expect(route, 'with an unknown key', await send(urlA, { bearer: `pb_0123456789abcdef_${'A'.repeat(43)}` }), (s) => s === 401, '401');
            expect(route, 'with the admin token', await send(urlA, { bearer: ADMIN_TOKEN }), (s) => s === 401, '401');
            expect(route, `with a key lacking "${protection}"`, await send(urlA, { bearer: other }), (s) => s === 403, '403');
            expect(route, `with a "${protection}" key`, await send(urlA, { bearer: keys.both }), (s) => s !== 401 && s !== 403 && s < 500, 'through the guard');
            break;
          }
          default: {
            const unknown: never = protection;
            throw new Error(`unhandled protection ${String(unknown)}`);
          }
        }
      }
      if (failures.length) assert.fail(`${failures.length} failures:\n${failures.join('\n')}`);
    });

    it('does not believe X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      // B trusts no proxy and allows 10.0.0.0/8: a loopback client claiming 10.x is still loopback.
      assertProblem(await call(urlB, 'GET', '/api/v1/admin/keys', '10.1.2.3', { bearer: ADMIN_TOKEN }), 403, 'spoofed X-Forwarded-For');
    });
  });

  describe('tenancy', () => {
    it('answers 404 (as for a schedule that does not exist) to another org on every schedule route', async () => {
      const orgA = (await issueKey(urlA, ['schedule'], { org_id: 'org-a' })).secret;
      const orgB = (await issueKey(urlA, ['schedule', 'dispatch'], { org_id: 'org-b' })).secret;
      const requested = await call(urlA, 'POST', '/api/v1/schedules', ME, { bearer: orgA, body: { name: 'A only', problem: weekProblem(4), solver: { timeLimitMs: 1000, unimprovedLimitMs: 100, seed: 1 } } });
      assert.equal(requested.status, 202, requested.text);
      const id = String(requested.json!.scheduleId);
      const done = await waitFor('org A\u2019s schedule to be generated', async () => {
        const answer = await call(urlA, 'GET', `/api/v1/schedules/${id}`, ME, { bearer: orgA });
        return answer.status === 200 && ['generated', 'failed'].includes(String(answer.json!.status)) ? answer.json! : undefined;
      });
      const versionBefore = Number(done.version);

      // Bodies that would be valid, so a 404 is about the schedule and not the input.
      const bodies: Record<string, unknown> = {
        'POST /api/v1/schedules/:id/assignments': { employeeId: 'e1', day: 0, shiftId: 'D', force: true },
        'POST /api/v1/schedules/:id/unavailability': { employeeId: 'e1', days: [0] },
        'POST /api/v1/schedules/:id/demand': { remove: [{ day: 0, shiftId: 'D' }] },
        'POST /api/v1/schedules/:id/replan': {},
      };
      const queries: Record<string, string> = { 'GET /api/v1/schedules/:id/recommendations': '?shift=D&day=0' };
      const scheduleRoutes = routes.filter((r) => protectionOf(r.pattern, r.method) === 'schedule' && r.pattern.includes(':id'));
      assert.ok(scheduleRoutes.length >= 10, `schedule routes with an id: ${scheduleRoutes.length}`);
      const failures: string[] = [];
      for (const route of scheduleRoutes) {
        const name = `${route.method} ${route.pattern}`;
        const params = { id, employeeId: 'e1', day: '0' };
        const query = queries[name] ?? '';
        const body = route.method === 'POST' ? (bodies[name] ?? {}) : undefined;
        const theirs = await call(urlA, route.method, fillPath(route.pattern, params) + query, ME, { bearer: orgB, body });
        const nowhere = await call(urlA, route.method, fillPath(route.pattern, { ...params, id: '00000000-0000-4000-a000-000000000000' }) + query, ME, { bearer: orgB, body });
        if (theirs.status !== 404) failures.push(`${name}: org B got ${theirs.status} for org A's schedule ${theirs.text.slice(0, 200)}`);
        else if (theirs.json?.type !== nowhere.json?.type || nowhere.status !== 404) failures.push(`${name}: answers differ from a missing schedule's (${theirs.json?.type} vs ${nowhere.status} ${nowhere.json?.type})`);
        // The owner, for contrast, can read it (GET routes only: they change nothing).
        if (route.method === 'GET') {
          const own = await call(urlA, route.method, fillPath(route.pattern, params) + query, ME, { bearer: orgA });
          if (own.status !== 200) failures.push(`${name}: the owner got ${own.status}`);
        }
      }
      const asOf = await call(urlA, 'GET', `/api/v1/schedules/${id}?asOf=1`, ME, { bearer: orgB });
      if (asOf.status !== 404) failures.push(`GET /api/v1/schedules/:id?asOf=1: org B got ${asOf.status}`);
      if (failures.length) assert.fail(`${failures.length} failures:\n${failures.join('\n')}`);

      const listB = await call(urlA, 'GET', '/api/v1/schedules?limit=200', ME, { bearer: orgB });
      assert.equal(listB.status, 200);
      assert.ok(!listB.text.includes(id), 'org B\u2019s list does not show org A\u2019s schedule');
      const after = await call(urlA, 'GET', `/api/v1/schedules/${id}`, ME, { bearer: orgA });
      assert.equal(Number(after.json!.version), versionBefore, 'org B\u2019s commands changed nothing');
      const { rows } = await a.db.database.query<{ stream_id: string; type: string }>(`SELECT stream_id, type FROM events WHERE metadata->>'orgId' = 'org-b' AND stream_id NOT LIKE 'apikey-%'`);
      assert.deepEqual(rows, [], 'nothing but its key was recorded for org B');
    });

    it('answers another org on every service-order route as for an order that does not exist (404)', async () => {
      const orgA = (await issueKey(urlA, ['dispatch'], { org_id: 'org-a' })).secret;
      const orgB = (await issueKey(urlA, ['dispatch'], { org_id: 'org-b' })).secret;
      const created = await call(urlA, 'POST', '/api/v1/service-orders', ME, { bearer: orgA, body: { location: { x: 1, y: 2 }, timeWindows: [{ start: 0, end: 100 }], serviceDuration: 10 } });
      assert.equal(created.status, 201, created.text);
      const id = String(created.json!.orderId ?? created.json!.id);
      await waitFor('org A\u2019s order in its read model', async () => ((await call(urlA, 'GET', `/api/v1/service-orders/${encodeURIComponent(id)}`, ME, { bearer: orgA })).status === 200 ? true : undefined));
      const bodies: Record<string, unknown> = { 'PATCH /api/v1/service-orders/:id': { priority: 2 }, 'POST /api/v1/service-orders/:id/cancel': { reason: 'x' }, 'POST /api/v1/service-orders/:id/complete': {} };
      const orderRoutes = routes.filter((r) => r.pattern.startsWith('/api/v1/service-orders/:id'));
      assert.ok(orderRoutes.length >= 3, `service-order routes with an id: ${orderRoutes.length}`);
      const failures: string[] = [];
      for (const route of orderRoutes) {
        const name = `${route.method} ${route.pattern}`;
        const body = route.method === 'GET' ? undefined : (bodies[name] ?? {});
        // PATCH demands If-Match (428 without); the others are sent without one.
        const headers: Record<string, string> = route.method === 'PATCH' ? { 'If-Match': '"1"' } : {};
        const theirs = await call(urlA, route.method, fillPath(route.pattern, { id }), ME, { bearer: orgB, body, headers });
        const nowhere = await call(urlA, route.method, fillPath(route.pattern, { id: 'no-such-order' }), ME, { bearer: orgB, body, headers });
        if (theirs.status !== nowhere.status || theirs.json?.type !== nowhere.json?.type) failures.push(`${name}: org B got ${theirs.status} for org A's order, ${nowhere.status} for a missing one`);
        else if (route.method !== 'PATCH' && theirs.status !== 404) failures.push(`${name}: org B got ${theirs.status} for org A's order ${theirs.text.slice(0, 200)}`);
      }
      if (failures.length) assert.fail(`${failures.length} failures:\n${failures.join('\n')}`);
      const own = await call(urlA, 'GET', `/api/v1/service-orders/${encodeURIComponent(id)}`, ME, { bearer: orgA });
      assert.equal(own.json!.version ?? own.json!.status, created.json!.version ?? 'open', 'org B changed nothing');
    });
  });

  describe('API keys', () => {
    it('shows the secret once (the operations guide\u2019s curl works), lists keys without secrets, stores only a hash', async () => {
      // As in the guide: `curl -d '{"name": "客户A", …}'` (no Content-Type: curl says form).
      const issued = await call(urlA, 'POST', '/api/v1/admin/keys', ME, { bearer: ADMIN_TOKEN, raw: '{"name": "客户A", "scopes": ["schedule", "dispatch"]}', contentType: 'application/x-www-form-urlencoded' });
      assert.equal(issued.status, 201, issued.text);
      assert.equal(issued.headers.get('cache-control'), 'no-store');
      const keyId = String(issued.json!.key_id);
      const secret = String(issued.json!.secret);
      assert.match(secret, new RegExp(`^pb_${keyId}_[A-Za-z0-9_-]{20,}$`));
      const secretPart = secret.slice(`pb_${keyId}_`.length);
      assert.equal(issued.json!.name, '客户A');

      const listed = await waitFor('the key in the listing', async () => {
        const answer = await call(urlA, 'GET', '/api/v1/admin/keys', ME, { bearer: ADMIN_TOKEN });
        return (answer.json!.keys as { key_id: string }[]).some((k) => k.key_id === keyId) ? answer : undefined;
      });
      assert.ok(!listed.text.includes(secretPart), 'the listing shows no secret');
      assert.ok(!listed.text.includes(hashSecret(secretPart)), 'the listing shows no hash');
      const entry = (listed.json!.keys as Record<string, unknown>[]).find((k) => k.key_id === keyId)!;
      assert.deepEqual(Object.keys(entry).filter((k) => /secret|hash/i.test(k)), []);

      // Nothing anywhere in the database holds the secret; the key's event holds its SHA-256.
      const { rows: tables } = await a.db.database.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
      assert.ok(tables.length >= 5);
      for (const { table_name: table } of tables) {
        const { rows } = await a.db.database.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}" t WHERE t::text LIKE '%' || $1 || '%'`, [secretPart]);
        assert.equal(Number(rows[0].n), 0, `table ${table} holds the secret`);
      }
      const { rows: events } = await a.db.database.query<{ data: { secretHash: string } }>(`SELECT data FROM events WHERE stream_id = $1`, [`apikey-${keyId}`]);
      assert.equal(events[0].data.secretHash, hashSecret(secretPart));

      const works = await call(urlA, 'GET', '/api/v1/schedules', ME, { headers: { 'X-API-Key': secret } });
      assert.equal(works.status, 200, 'the key works as X-API-Key too');
      const wrongSecret = await call(urlA, 'GET', '/api/v1/schedules', ME, { bearer: `pb_${keyId}_${secretPart.slice(0, -2)}AA` });
      assertProblem(wrongSecret, 401, 'the right key id with a wrong secret');
    });

    it('records issuing and revoking as events with actor and time', async () => {
      const started = Date.now();
      const { keyId } = await issueKey(urlA, ['schedule']);
      const revoked = await call(urlA, 'DELETE', `/api/v1/admin/keys/${keyId}`, ME, { bearer: ADMIN_TOKEN });
      assert.equal(revoked.status, 204, revoked.text);
      const { rows } = await a.db.database.query<{ type: string; metadata: { actorKeyId: string; occurredAt: string }; recorded_at: Date }>(
        `SELECT type, metadata, recorded_at FROM events WHERE stream_id = $1 ORDER BY version`,
        [`apikey-${keyId}`],
      );
      assert.deepEqual(rows.map((r) => r.type), ['ApiKeyIssued', 'ApiKeyRevoked']);
      for (const row of rows) {
        assert.equal(row.metadata.actorKeyId, 'admin', `${row.type} names its actor`);
        const at = Date.parse(row.metadata.occurredAt);
        assert.ok(at >= started - 1000 && at <= Date.now() + 1000, `${row.type} occurredAt ${row.metadata.occurredAt}`);
        assert.ok(row.recorded_at.getTime() >= started - 1000);
      }
      const again = await call(urlA, 'DELETE', `/api/v1/admin/keys/${keyId}`, ME, { bearer: ADMIN_TOKEN });
      assertProblem(again, 409, 'revoking twice');
      assertProblem(await call(urlA, 'DELETE', '/api/v1/admin/keys/0000000000000000', ME, { bearer: ADMIN_TOKEN }), 404, 'revoking an unknown key');
      const listed = await waitFor('the revocation in the listing', async () => {
        const answer = await call(urlA, 'GET', '/api/v1/admin/keys', ME, { bearer: ADMIN_TOKEN });
        const entry = (answer.json!.keys as Record<string, unknown>[]).find((k) => k.key_id === keyId);
        return entry?.revoked_at ? entry : undefined;
      });
      assert.equal(listed.created_by, 'admin');
      assert.equal(listed.revoked_by, 'admin');
    });

    it('refuses a key revoked on another instance within 1 s', async () => {
      const { keyId, secret } = await issueKey(urlA, ['schedule']);
      // B has just read the key (its cache is as fresh as it gets); A revokes it.
      assert.equal((await call(urlB, 'GET', '/api/v1/schedules', ME, { bearer: secret })).status, 200);
      const revoked = await call(urlA, 'DELETE', `/api/v1/admin/keys/${keyId}`, ME, { bearer: ADMIN_TOKEN });
      assert.equal(revoked.status, 204);
      const revokedAt = performance.now();
      let refusedAfterMs = -1;
      while (performance.now() - revokedAt < 3000) {
        const sentAt = performance.now();
        const answer = await call(urlB, 'GET', '/api/v1/schedules', ME, { bearer: secret });
        if (answer.status === 401) {
          refusedAfterMs = sentAt - revokedAt;
          assert.match(String(answer.json?.detail), /revoked/);
          break;
        }
        assert.equal(answer.status, 200);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      console.log(`      revoked key refused by the other instance ${refusedAfterMs.toFixed(0)} ms after the revocation answered`);
      assert.ok(refusedAfterMs >= 0 && refusedAfterMs < 1000, `refused after ${refusedAfterMs.toFixed(0)} ms`);
    });

    it('refuses an expired key', async () => {
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const { secret } = await issueKey(urlA, ['schedule'], { expires_at: expiresAt });
      assert.equal((await call(urlA, 'GET', '/api/v1/schedules', ME, { bearer: secret })).status, 200, 'usable before expiry');
      await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
      const refused = await call(urlA, 'GET', '/api/v1/schedules', ME, { bearer: secret });
      assertProblem(refused, 401, 'an expired key');
      assert.match(String(refused.json?.detail), /expired/);
      const past = await call(urlA, 'POST', '/api/v1/admin/keys', ME, { bearer: ADMIN_TOKEN, body: { name: 'x', scopes: ['schedule'], expires_at: '2020-01-01T00:00:00Z' } });
      assertProblem(past, 422, 'issuing an already expired key');
    });
  });

  describe('production start-up', () => {
    /** Runs `paiban serve` from the sources (not a possibly stale build) and collects its output. */
    function serve(env: Record<string, string>) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli.ts'), 'serve'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', APP_ENV: 'production', LOG_LEVEL: 'info', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return { child, exited, output: () => ({ stdout, stderr }) };
    }

    it('refuses to start without ADMIN_TOKEN (or with a short one), and starts with one', async function () {
      this.timeout(45_000);
      const port = await freePort();
      const common = { ...postgresEnv(a.db.name), REDIS_HOST: REDIS.host, REDIS_PORT: String(REDIS.port), APP_PORT: String(port) };
      // Both refusals at once (each start pays for compiling the sources).
      await Promise.all(
        [undefined, 'short'].map(async (token) => {
          const run = serve({ ...common, ...(token ? { ADMIN_TOKEN: token } : {}) });
          const code = await Promise.race([run.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 20_000))]);
          run.child.kill('SIGKILL');
          assert.equal(code, 1, `ADMIN_TOKEN=${token ?? '(unset)'}: exit ${code}; ${run.output().stderr}`);
          assert.match(run.output().stderr, /ADMIN_TOKEN/);
          assert.doesNotMatch(run.output().stdout, /listening/);
        }),
      );
      const token = 'production-admin-token-9f8e7d6c5b4a';
      const run = serve({ ...common, ADMIN_TOKEN: token });
      try {
        await waitFor('the production instance to listen', async () => (/listening/.test(run.output().stdout) ? true : undefined), 30_000);
        const admin = await fetch(`http://127.0.0.1:${port}/api/v1/admin/keys`, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(admin.status, 200, `the admin API answers to the configured token: ${await admin.text()}\n${run.output().stdout.slice(-3000)}`);
      } finally {
        run.child.kill('SIGTERM');
        await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        run.child.kill('SIGKILL');
      }
      assert.ok(!run.output().stdout.includes(token) && !run.output().stderr.includes(token), 'the admin token is never logged');
    });
  });

  describe('rate limits', () => {
    const LIMIT_KEY = 5;
    const LIMIT_ADDRESS = 4;
    let r1: RunningPaiban;
    let r2: RunningPaiban;

    before(async () => {
      const limited = { CONFIG_FILE: settings({ perKey: LIMIT_KEY, perAddress: LIMIT_ADDRESS }), TRUSTED_PROXIES: '127.0.0.1/32' };
      r1 = await startPaibanInProcess(limited, a.db);
      r2 = await startPaibanInProcess(limited, a.db);
    });
    after(async () => {
      await r2?.stop();
      await r1?.stop();
    });

    function assertLimited(answer: Answer, limit: number, what: string): void {
      assertProblem(answer, 429, what);
      const retryAfter = Number(answer.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `${what}: Retry-After ${answer.headers.get('retry-after')}`);
      assert.equal(answer.headers.get('ratelimit-limit'), String(limit), `${what}: RateLimit-Limit`);
      assert.equal(answer.headers.get('ratelimit-remaining'), '0', `${what}: RateLimit-Remaining`);
      assert.ok(Number(answer.headers.get('ratelimit-reset')) >= 1, `${what}: RateLimit-Reset`);
    }

    it('limits per key, one budget shared by two instances through Redis', async () => {
      const key = (await issueKey(urlA, ['schedule'])).secret;
      const other = (await issueKey(urlA, ['schedule'])).secret;
      const remaining: string[] = [];
      for (let i = 0; i < LIMIT_KEY; i++) {
        const answer = await call(i % 2 ? r2.api.baseUrl : r1.api.baseUrl, 'GET', '/api/v1/schedules', randomAddress('private'), { bearer: key });
        assert.equal(answer.status, 200, `request ${i + 1}: ${answer.text}`);
        remaining.push(answer.headers.get('ratelimit-remaining')!);
      }
      assert.deepEqual(remaining, ['4', '3', '2', '1', '0'], 'the instances count one budget');
      assertLimited(await call(r1.api.baseUrl, 'GET', '/api/v1/schedules', randomAddress('private'), { bearer: key }), LIMIT_KEY, 'over the key\u2019s budget on r1');
      assertLimited(await call(r2.api.baseUrl, 'GET', '/api/v1/schedules', randomAddress('private'), { bearer: key }), LIMIT_KEY, 'over the key\u2019s budget on r2');
      assert.equal((await call(r1.api.baseUrl, 'GET', '/api/v1/schedules', randomAddress('private'), { bearer: other })).status, 200, 'another key has its own budget');
    });

    it('limits unauthenticated callers per address, shared by two instances', async () => {
      const address = randomAddress('public');
      for (let i = 0; i < LIMIT_ADDRESS; i++) {
        const answer = await call(i % 2 ? r2.api.baseUrl : r1.api.baseUrl, 'GET', '/api/v1/schedules', address);
        assert.equal(answer.status, 401, `request ${i + 1}`);
      }
      assertLimited(await call(r2.api.baseUrl, 'GET', '/api/v1/schedules', address), LIMIT_ADDRESS, 'over the address\u2019s budget');
      assert.equal((await call(r1.api.baseUrl, 'GET', '/api/v1/schedules', randomAddress('public'))).status, 401, 'another address has its own budget');
    });

    it('keeps limiting in memory, and never answers 5xx, while Redis is unreachable', async () => {
      const proxy = new TcpProxy(REDIS);
      const r3 = await startPaibanInProcess({ CONFIG_FILE: settings({ perKey: LIMIT_KEY, perAddress: LIMIT_ADDRESS }), TRUSTED_PROXIES: '127.0.0.1/32', REDIS_PORT: String(await proxy.start()) }, a.db);
      try {
        const key = (await issueKey(urlA, ['schedule'])).secret;
        await proxy.stop();
        const statuses: number[] = [];
        for (let i = 0; i < LIMIT_KEY + 3; i++) {
          const answer = await call(r3.api.baseUrl, 'GET', '/api/v1/schedules', randomAddress('private'), { bearer: key });
          statuses.push(answer.status);
          if (answer.status === 429) assertLimited(answer, LIMIT_KEY, 'in memory, per key');
        }
        assert.deepEqual(statuses, [...Array(LIMIT_KEY).fill(200), 429, 429, 429], `per key, counted in memory: ${JSON.stringify(statuses)}`);
        const address = randomAddress('public');
        const anonymous: number[] = [];
        for (let i = 0; i < LIMIT_ADDRESS + 2; i++) anonymous.push((await call(r3.api.baseUrl, 'GET', '/api/v1/schedules', address)).status);
        assert.deepEqual(anonymous, [...Array(LIMIT_ADDRESS).fill(401), 429, 429], 'per address, counted in memory');
        await proxy.start();
        const back = await call(r3.api.baseUrl, 'GET', '/api/v1/schedules', randomAddress('private'), { bearer: (await issueKey(urlA, ['schedule'])).secret });
        assert.equal(back.status, 200, 'serving again with Redis back');
      } finally {
        await r3.stop();
        await proxy.stop();
      }
    });
  });

  describe('input', () => {
    const schedules = '/api/v1/schedules';

    it('answers 413 for a body over the limit without reading it all, and 413 (not a reset) for a chunked one', async () => {
      const port = a.instance.http.port;
      const head = (framing: string) => `POST ${schedules} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${ME}\r\nAuthorization: Bearer ${keys.schedule}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
      const declared = await rawExchange(port, head(`Content-Length: ${100 * 1024 * 1024}`), Array.from({ length: 2000 }, () => 'x'.repeat(1024)));
      assert.match(declared.statusLine, / 413 /);
      assert.ok(declared.bytesSent < 1024 * 1024, `answered after ${declared.bytesSent} of 100 MiB sent`);
      const chunked = await rawExchange(port, head('Transfer-Encoding: chunked'), Array.from({ length: 2000 }, () => `400\r\n${'x'.repeat(1024)}\r\n`));
      assert.match(chunked.statusLine, / 413 /);
      assert.ok(chunked.bytesSent < 1024 * 1024, `answered after ${chunked.bytesSent} bytes sent`);
    });

    it('answers 415 for another media type, 400 for malformed JSON and for nesting too deep', async () => {
      assertProblem(await call(urlA, 'POST', schedules, ME, { bearer: keys.schedule, raw: '{"problem":{}}', contentType: 'text/plain' }), 415, 'text/plain');
      assertProblem(await call(urlA, 'POST', schedules, ME, { bearer: keys.schedule, raw: '{"problem": {"days": 7,' }), 400, 'malformed JSON');
      assertProblem(await call(urlA, 'POST', schedules, ME, { bearer: keys.schedule, raw: `{"problem":${'['.repeat(100)}${']'.repeat(100)}}` }), 400, 'nesting 101 deep');
    });

    it('refuses more employees than configured per request with 422 and the path', async () => {
      const answer = await call(urlA, 'POST', schedules, ME, { bearer: keys.schedule, body: { problem: weekProblem(6) } });
      assertProblem(answer, 422, 'six employees where five are allowed');
      const errors = answer.json!.errors as { path: string; message: string }[];
      assert.ok(errors.some((e) => e.path === 'problem.employees' && /5/.test(e.message)), JSON.stringify(errors));
    });

    // Unknown fields are refused everywhere (422 naming the field), never silently dropped.
    const unknownFieldCases: { name: string; method: string; path: (id: string) => string; body: Record<string, unknown>; field: RegExp; admin?: boolean }[] = [
      { name: 'a schedule request, top level', method: 'POST', path: () => schedules, body: { problem: weekProblem(2), colour: 'red' }, field: /colour/ },
      { name: 'a schedule request, inside an employee', method: 'POST', path: () => schedules, body: { problem: { ...weekProblem(2), employees: [{ id: 'e1', contractId: 'full', shoeSize: 44 }] } }, field: /shoeSize/ },
      { name: 'a schedule request, inside the solver settings', method: 'POST', path: () => schedules, body: { problem: weekProblem(2), solver: { timeLimitMs: 1000, turbo: true } }, field: /turbo/ },
      { name: 'a manual assignment', method: 'POST', path: (id) => `${schedules}/${id}/assignments`, body: { employeeId: 'e1', day: 0, shiftId: 'D', sure: true }, field: /sure/ },
      { name: 'a demand change, inside a removed cover key', method: 'POST', path: (id) => `${schedules}/${id}/demand`, body: { remove: [{ day: 0, shiftId: 'D', everything: true }] }, field: /everything/ },
      { name: 'a key request', method: 'POST', path: () => '/api/v1/admin/keys', body: { name: 'x', scopes: ['schedule'], isAdmin: true }, field: /isAdmin/, admin: true },
    ];
    for (const example of unknownFieldCases) {
      it(`refuses an unknown field in ${example.name} with 422 naming it`, async () => {
        const id = dummyParams().id;
        const answer = await call(urlA, example.method, example.path(id), ME, { bearer: example.admin ? ADMIN_TOKEN : keys.schedule, body: example.body });
        assertProblem(answer, 422, example.name);
        const errors = (answer.json!.errors ?? []) as { path: string; message: string }[];
        assert.ok(errors.some((e) => example.field.test(e.path) || example.field.test(e.message)), `errors name the field: ${JSON.stringify(errors)}`);
      });
    }

    it('answers NUL characters in ids, queries and text fields without a 5xx (found by the fuzz test)', async () => {
      const answers: Record<string, Answer> = {
        'schedule id': await call(urlA, 'GET', `${schedules}/a%00b`, ME, { bearer: keys.schedule }),
        'schedule command id': await call(urlA, 'POST', `${schedules}/a%00b/publish`, ME, { bearer: keys.schedule }),
        'key listing org': await call(urlA, 'GET', '/api/v1/admin/keys?org_id=a%00b', ME, { bearer: ADMIN_TOKEN }),
        'schedule list status': await call(urlA, 'GET', `${schedules}?status=a%00b`, ME, { bearer: keys.schedule }),
        'dispatch id': await call(urlA, 'GET', '/api/v1/dispatches/a%00b', ME, { bearer: keys.both }),
        'dispatch unassigned id': await call(urlA, 'GET', '/api/v1/dispatches/a%00b/unassigned', ME, { bearer: keys.both }),
        'schedule name': await call(urlA, 'POST', schedules, ME, { bearer: keys.schedule, body: { name: 'a\u0000b', problem: weekProblem(2), solver: { timeLimitMs: 1000 } } }),
      };
      const failures = Object.entries(answers)
        .filter(([, answer]) => answer.status >= 500)
        .map(([what, answer]) => `${what}: ${answer.status} ${answer.text.slice(0, 120)}`);
      if (failures.length) assert.fail(`${failures.length} failures:\n${failures.join('\n')}`);
    });

    it('answers unknown paths (404) and unknown methods (405 with Allow) with problem+json', async () => {
      assertProblem(await call(urlA, 'GET', '/api/v1/nothing-here', ME), 404, 'unknown API path');
      assertProblem(await call(urlA, 'GET', '/nothing-here', ME), 404, 'unknown path');
      const wrongMethod = await call(urlA, 'PUT', schedules, ME, { bearer: keys.schedule, body: {} });
      assertProblem(wrongMethod, 405, 'PUT on the schedules collection');
      assert.match(wrongMethod.headers.get('allow') ?? '', /POST/);
    });

    it('sets the security headers on answers of every kind', async () => {
      const answers = {
        ok: await call(urlA, 'GET', schedules, ME, { bearer: keys.schedule }),
        unauthorized: await call(urlA, 'GET', schedules, ME),
        notFound: await call(urlA, 'GET', '/api/v1/nothing-here', ME),
        invalid: await call(urlA, 'POST', schedules, ME, { bearer: keys.schedule, body: {} }),
        health: await call(urlA, 'GET', '/health', ME),
      };
      for (const [what, answer] of Object.entries(answers)) {
        assert.equal(answer.headers.get('x-content-type-options'), 'nosniff', what);
        assert.equal(answer.headers.get('x-frame-options'), 'DENY', what);
        assert.equal(answer.headers.get('referrer-policy'), 'no-referrer', what);
        assert.match(answer.headers.get('content-security-policy') ?? '', /default-src 'none'/, what);
        assert.equal(answer.headers.get('x-powered-by'), null, what);
      }
    });

    it('keeps CORS off by default and answers preflight only for a configured origin', async () => {
      const preflight = { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' };
      const offA = await call(urlA, 'OPTIONS', schedules, ME, { headers: { Origin: 'https://planner.example', ...preflight } });
      assert.equal(offA.headers.get('access-control-allow-origin'), null, 'A has no CORS origins');
      const simpleA = await call(urlA, 'GET', schedules, ME, { bearer: keys.schedule, headers: { Origin: 'https://planner.example' } });
      assert.equal(simpleA.headers.get('access-control-allow-origin'), null);

      const onB = await call(urlB, 'OPTIONS', schedules, ME, { headers: { Origin: 'https://planner.example', ...preflight } });
      assert.equal(onB.status, 204);
      assert.equal(onB.headers.get('access-control-allow-origin'), 'https://planner.example');
      assert.match(onB.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.match(onB.headers.get('access-control-allow-headers') ?? '', /authorization/i);
      const strangerB = await call(urlB, 'OPTIONS', schedules, ME, { headers: { Origin: 'https://evil.example', ...preflight } });
      assert.equal(strangerB.headers.get('access-control-allow-origin'), null, 'an unconfigured origin gets nothing');
    });
  });
});
