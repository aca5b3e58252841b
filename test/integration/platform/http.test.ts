// The service as an operator sees it: /health, /version, /metrics, request ids, access logs and
// problem+json for unknown routes, against real PostgreSQL and Redis.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/infra/config.js';
import { createLogger } from '../../../src/infra/logger.js';
import { startInstance, type Instance } from '../../../src/instance.js';
import { freePort } from '../../support/process.js';
import { freshPostgres, postgresEnv, postgresUnreachable, REDIS, redisUnreachable, requireService, type TestDatabase } from '../../support/services.js';
import { TcpProxy } from '../../support/tcpProxy.js';

interface Started {
  instance: Instance;
  url: string;
  logFile: string;
}

async function start(env: Record<string, string>): Promise<Started> {
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'paiban-http-')), 'paiban.log');
  const config = loadConfig({ env: { APP_PORT: String(await freePort()), LOG_FILE: logFile, ...env } });
  const logger = createLogger({ level: 'info', file: logFile });
  const instance = await startInstance('serve', config, logger);
  return { instance, url: `http://127.0.0.1:${instance.http.port}`, logFile };
}

function logLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('HTTP platform on PostgreSQL and Redis', () => {
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);
  let db: TestDatabase;
  let svc: Started;

  before(async () => {
    db = await freshPostgres();
    svc = await start({ ...postgresEnv(db.name), REDIS_HOST: REDIS.host, REDIS_PORT: String(REDIS.port) });
  });
  after(async () => {
    await svc?.instance.shutdown('test over');
    await db?.drop();
  });

  it('answers /health with 200 and the status and latency of each dependency', async () => {
    const response = await fetch(`${svc.url}/health`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; dependencies: Record<string, { status: string; latency_ms: number }> };
    assert.equal(body.status, 'ok');
    for (const name of ['database', 'cache', 'eventstore']) {
      assert.equal(body.dependencies[name]?.status, 'ok', `${name} is ok`);
      assert.equal(typeof body.dependencies[name].latency_ms, 'number');
    }
  });

  it('answers /version with name, version, commit, build time and Node version, and no secrets', async () => {
    const body = (await (await fetch(`${svc.url}/version`)).json()) as Record<string, unknown>;
    assert.equal(body.name, 'paiban');
    assert.match(String(body.version), /^\d+\.\d+\.\d+/);
    assert.equal(body.node, process.version);
    assert.ok('commit' in body && 'build_time' in body);
    assert.ok(!JSON.stringify(body).toLowerCase().includes('password'));
  });

  it('counts requests in /metrics by route pattern; unknown paths share one label', async () => {
    const before = await (await fetch(`${svc.url}/metrics`)).text();
    await fetch(`${svc.url}/health`);
    await fetch(`${svc.url}/no/such/path/1`);
    await fetch(`${svc.url}/another/unknown/2`);
    const after = await (await fetch(`${svc.url}/metrics`)).text();
    const health = 'method="GET",route="/health",status="200"';
    const unmatched = 'method="GET",route="unmatched",status="404"';
    assert.equal(metricValue(after, 'http_requests_total', health) - metricValue(before, 'http_requests_total', health), 1);
    assert.equal(metricValue(after, 'http_requests_total', unmatched) - metricValue(before, 'http_requests_total', unmatched), 2);
    assert.ok(!after.includes('/no/such/path'), 'raw paths never become labels');
    assert.ok(after.includes('http_request_duration_seconds_bucket{le="30"'), 'histogram buckets reach 30 s');
    for (const runtime of ['nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'process_resident_memory_bytes']) {
      assert.ok(after.includes(`\n${runtime} `), `${runtime} is exported`);
    }
  });

  it('returns the caller X-Request-Id, or a new one, and logs one access line per request', async () => {
    const echoed = await fetch(`${svc.url}/version`, { headers: { 'X-Request-Id': 'trace-42' } });
    assert.equal(echoed.headers.get('x-request-id'), 'trace-42');
    const generated = await fetch(`${svc.url}/version`);
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const hostile = await fetch(`${svc.url}/version`, { headers: { 'X-Request-Id': 'x'.repeat(500) } });
    assert.notEqual(hostile.headers.get('x-request-id'), 'x'.repeat(500));

    const access = logLines(svc.logFile).filter((line) => line.request_id === 'trace-42');
    assert.equal(access.length, 1);
    assert.deepEqual(
      { method: access[0].method, route: access[0].route, status: access[0].status, message: access[0].message },
      { method: 'GET', route: '/version', status: 200, message: 'request' },
    );
    assert.equal(typeof access[0].duration_ms, 'number');
    assert.match(String(access[0].caller), /\.ts:\d+$/);
  });

  it('answers unknown paths and methods with problem+json', async () => {
    const missing = await fetch(`${svc.url}/nothing-here`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await missing.json()) as Record<string, unknown>;
    assert.equal(problem.status, 404);
    assert.match(String(problem.type), /not-found$/);
    const wrongMethod = await fetch(`${svc.url}/health`, { method: 'DELETE' });
    assert.equal(wrongMethod.status, 405);
    assert.match(wrongMethod.headers.get('allow') ?? '', /GET/);
    assert.match(wrongMethod.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });
});

describe('dependency outages', () => {
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);
  let db: TestDatabase;

  before(async () => (db = await freshPostgres()));
  after(() => db?.drop());

  it('answers 503 naming the database while it is unreachable, and recovers by itself', async () => {
    const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
    const svc = await start({ ...postgresEnv(db.name), DB_PORT: String(await proxy.start()) });
    try {
      assert.equal((await fetch(`${svc.url}/health`)).status, 200);
      await proxy.stop();
      const down = await fetch(`${svc.url}/health`);
      assert.equal(down.status, 503);
      const body = (await down.json()) as { failing: string[]; dependencies: Record<string, { status: string }> };
      assert.ok(body.failing.includes('database'));
      assert.equal(body.dependencies.database.status, 'failed');
      assert.equal(body.dependencies.cache.status, 'ok');

      await proxy.start();
      await eventually(async () => (await fetch(`${svc.url}/health`)).status === 200, 10_000);
    } finally {
      await svc.instance.shutdown('test over');
      await proxy.stop();
    }
  });

  it('keeps answering when Redis goes away: the cache degrades, requests still succeed', async () => {
    const proxy = new TcpProxy(REDIS);
    const svc = await start({ ...postgresEnv(db.name), REDIS_HOST: '127.0.0.1', REDIS_PORT: String(await proxy.start()) });
    try {
      const cache = svc.instance.services.cache;
      await eventually(() => cache.ping().then(() => true, () => false), 5000);
      await cache.set('probe', 'v', 60);
      assert.equal(await cache.get('probe'), 'v');
      await proxy.stop();
      const started = Date.now();
      assert.equal(await cache.get('probe'), undefined, 'a cache outage reads as a miss');
      await cache.set('probe', 'w', 60); // does not throw
      assert.ok(Date.now() - started < 2000, 'an outage does not stall callers');

      const health = await fetch(`${svc.url}/health`);
      assert.equal(health.status, 200);
      const body = (await health.json()) as { status: string; degraded: string[] };
      assert.equal(body.status, 'degraded');
      assert.deepEqual(body.degraded, ['cache']);
      assert.equal((await fetch(`${svc.url}/version`)).status, 200);
    } finally {
      await svc.instance.shutdown('test over');
      await proxy.stop();
    }
  });
});
