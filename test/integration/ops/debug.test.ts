import assert from 'node:assert/strict';
import { createApp } from '../../../src/api/app.js';
import { requireAdmin } from '../../../src/api/middleware/adminAuth.js';
import { AddressRanges, clientAddress } from '../../../src/api/middleware/clientAddress.js';
import { debugRouter, profileSeconds, trackInFlightRequests } from '../../../src/api/routes/debug.js';
import { listen, type RunningServer } from '../../../src/api/server.js';
import { silentLogger } from '../../../src/infra/logger.js';

const TOKEN = 'debug-test-token-0123456789';

/** The app as the lead wires it: client address, in-flight tracking, the real admin guard. */
async function serve(guard: { token?: string; allowed: string[] }): Promise<{ server: RunningServer; url: string }> {
  const app = createApp({
    logger: silentLogger(),
    checks: [],
    middleware: [clientAddress(new AddressRanges([])), trackInFlightRequests()],
    routers: [debugRouter(requireAdmin({ token: guard.token, allowed: new AddressRanges(guard.allowed) }))],
  });
  const server = await listen(app, 0, '127.0.0.1');
  return { server, url: `http://127.0.0.1:${server.port}` };
}

const bearer = (token = TOKEN) => ({ Authorization: `Bearer ${token}` });

describe('debug endpoints (/debug/pprof)', function () {
  this.timeout(20_000);
  let open: RunningServer;
  let url: string;
  const others: RunningServer[] = [];

  before(async () => {
    ({ server: open, url } = await serve({ token: TOKEN, allowed: ['127.0.0.0/8', '::1/128'] }));
  });
  after(async () => {
    await Promise.all([open, ...others].map((server) => server?.close(1000)));
  });

  it('answers 403 to a client outside the allowed networks, even with the token', async () => {
    const { server, url: elsewhere } = await serve({ token: TOKEN, allowed: ['10.0.0.0/8'] });
    others.push(server);
    for (const path of ['/debug/pprof/profile?seconds=1', '/debug/pprof/heap', '/debug/pprof/goroutine']) {
      const response = await fetch(elsewhere + path, { headers: bearer() });
      assert.equal(response.status, 403, path);
      assert.equal(((await response.json()) as { type: string }).type.endsWith('forbidden-network'), true);
    }
  });

  it('answers 401 without the token, with a wrong one, and when no admin token is configured', async () => {
    for (const headers of [{}, bearer('not-the-admin-token-at-all')]) {
      const response = await fetch(url + '/debug/pprof/goroutine', { headers });
      assert.equal(response.status, 401);
      assert.match(response.headers.get('www-authenticate') ?? '', /Bearer/);
    }
    const { server, url: disabled } = await serve({ allowed: ['127.0.0.0/8'] });
    others.push(server);
    const response = await fetch(disabled + '/debug/pprof/heap', { headers: bearer() });
    assert.equal(response.status, 401);
    assert.match(((await response.json()) as { type: string }).type, /admin-disabled/);
  });

  it('profile: a .cpuprofile download that parses as JSON with sampled nodes', async () => {
    const started = Date.now();
    const response = await fetch(url + '/debug/pprof/profile?seconds=1', { headers: bearer() });
    assert.equal(response.status, 200);
    assert.ok(Date.now() - started >= 950, 'sampled for about the requested second');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="paiban-.*\.cpuprofile"$/);
    const profile = (await response.json()) as { nodes: Array<{ id: number; callFrame: { functionName: string } }>; startTime: number; endTime: number; samples: number[] };
    assert.ok(Array.isArray(profile.nodes) && profile.nodes.length > 0);
    assert.ok(profile.nodes.some((node) => node.callFrame.functionName === '(root)'));
    assert.ok(profile.endTime > profile.startTime);
  });

  it('profile: seconds outside 1-60 or not an integer is a 422 naming the field (the house invalid-input status)', async () => {
    for (const seconds of ['0', '61', 'abc', '1.5', '-1']) {
      const response = await fetch(`${url}/debug/pprof/profile?seconds=${seconds}`, { headers: bearer() });
      assert.equal(response.status, 422, seconds);
      const body = (await response.json()) as { errors: Array<{ path: string }> };
      assert.deepEqual(body.errors.map((e) => e.path), ['seconds']);
    }
    assert.equal(profileSeconds(undefined), 30, 'Go’s default when seconds is absent');
    assert.equal(profileSeconds('60'), 60);
  });

  it('profile: a second profile while one runs is a 409, and the first still completes', async () => {
    const first = fetch(url + '/debug/pprof/profile?seconds=1', { headers: bearer() });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await fetch(url + '/debug/pprof/profile?seconds=1', { headers: bearer() });
    assert.equal(second.status, 409);
    assert.equal((await first).status, 200);
  });

  it('heap: streams a .heapsnapshot whose header describes the snapshot', async () => {
    const response = await fetch(url + '/debug/pprof/heap', { headers: bearer() });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition') ?? '', /\.heapsnapshot"$/);
    const snapshot = (await response.json()) as { snapshot: { meta: { node_fields: string[] }; node_count: number }; nodes: number[] };
    assert.ok(snapshot.snapshot.meta.node_fields.includes('name'));
    assert.ok(snapshot.snapshot.node_count > 1000);
    assert.equal(snapshot.nodes.length, snapshot.snapshot.node_count * snapshot.snapshot.meta.node_fields.length);
  });

  it('goroutine: active resources by type and the requests in flight, including a slow one', async () => {
    const slow = fetch(url + '/debug/pprof/profile?seconds=2', { headers: { ...bearer(), 'X-Request-Id': 'slow-profile-1' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const response = await fetch(url + '/debug/pprof/goroutine', { headers: bearer() });
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      active_resources: { total: number; by_type: Record<string, number> };
      http: { tracked: boolean; in_flight: number; requests: Array<{ path: string; request_id: string; age_ms: number }> };
    };
    assert.ok(body.active_resources.by_type.TCPServerWrap >= 1, 'the listening socket is an active resource');
    assert.equal(Object.values(body.active_resources.by_type).reduce((a, b) => a + b, 0), body.active_resources.total);
    assert.equal(body.http.tracked, true);
    const profiling = body.http.requests.find((r) => r.request_id === 'slow-profile-1');
    assert.ok(profiling, 'the running profile request is listed');
    assert.equal(profiling.path, '/debug/pprof/profile');
    assert.ok(profiling.age_ms >= 250);
    assert.ok(body.http.requests.some((r) => r.path === '/debug/pprof/goroutine'), 'the asking request itself is in flight');
    assert.equal((await slow).status, 200);
  });
});
