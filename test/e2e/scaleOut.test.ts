// Two API processes and two workers on one PostgreSQL and Redis, as the operations guide scales
// out: no job solved twice, each projection active on exactly one instance (a standby takes over
// within 5 s of the active one dying), and rate limits and key revocations shared.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, ApiClient, waitFor } from '../support/api.js';
import { freePort, ROOT, startPaiban, type PaibanProcess } from '../support/process.js';
import { weekProblem } from '../support/rosterFixtures.js';
import { freshPostgres, postgresEnv, postgresUnreachable, REDIS, redisUnreachable, requireService, type TestDatabase } from '../support/services.js';

const PROJECTIONS = ['schedules', 'solve-jobs', 'api-keys'];
const KEY_LIMIT_PER_MINUTE = 40;

interface Instance {
  name: string;
  process: PaibanProcess;
  api: ApiClient;
}

describe('scale-out: two API processes and two workers', function () {
  this.timeout(120_000);
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);

  let db: TestDatabase;
  const instances: Instance[] = [];

  before(async () => {
    db = await freshPostgres();
    // The shipped configuration with a small per-key limit, so sharing it is observable.
    const config = readFileSync(path.join(ROOT, 'configs', 'app.yaml'), 'utf8').replace(/per_key_per_minute: \d+/, `per_key_per_minute: ${KEY_LIMIT_PER_MINUTE}`);
    const configFile = path.join(mkdtempSync(path.join(tmpdir(), 'paiban-scale-')), 'app.yaml');
    writeFileSync(configFile, config);
    const start = async (name: string, role: 'serve' | 'worker') => {
      const port = await freePort();
      const child = startPaiban([role], {
        ...postgresEnv(db.name),
        REDIS_HOST: REDIS.host,
        REDIS_PORT: String(REDIS.port),
        APP_PORT: String(port),
        ADMIN_TOKEN,
        CONFIG_FILE: configFile,
        SOLVE_IN_SERVE: 'false',
        SOLVE_LEASE_SECONDS: '10',
        // One annealing search per solve: it runs its whole limit (two threads would prove these
        // small rosters optimal at once), so the six solves overlap and both workers take some.
        SOLVER_THREADS: '1',
      });
      await child.waitForLog((line) => /listening/.test(String(line.message)), 60_000);
      instances.push({ name, process: child, api: new ApiClient(`http://127.0.0.1:${port}`) });
    };
    await start('api-1', 'serve'); // first: it migrates
    await Promise.all([start('api-2', 'serve'), start('worker-1', 'worker'), start('worker-2', 'worker')]);
  });

  after(async () => {
    for (const instance of instances) instance.process.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.process.exited));
    await db?.drop();
  });

  const byName = (name: string) => instances.find((instance) => instance.name === name)!;
  const live = () => instances.filter((instance) => instance.process.child.exitCode === null && instance.process.child.signalCode === null);
  const activeOn = (projection: string) =>
    live().filter((instance) => {
      const lines = instance.process.lines.filter((line) => line.projection === projection && /^projection (active|standby)/.test(String(line.message)));
      return lines[lines.length - 1]?.message === 'projection active';
    });

  it('runs each projection on exactly one instance', async () => {
    for (const projection of PROJECTIONS) {
      await waitFor(`${projection} to settle`, async () => (activeOn(projection).length === 1 ? true : undefined), 10_000);
    }
  });

  it('solves every requested schedule exactly once across the two workers', async () => {
    const api1 = await byName('api-1').api.issueKey(['schedule']);
    const api2 = byName('api-2').api.withToken(api1.token!);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const client = i % 2 ? api2 : api1;
      const answer = await client.post<{ scheduleId: string }>('/api/v1/schedules', { problem: weekProblem(2), solver: { timeLimitMs: 1500, unimprovedLimitMs: 1500, seed: i } });
      assert.equal(answer.status, 202);
      ids.push(answer.body.scheduleId);
    }
    const workers = new Set<string>();
    for (const id of ids) {
      const events = await waitFor(`schedule ${id} generated`, async () => {
        const history = await api1.get<{ events: { type: string; data: Record<string, unknown> }[] }>(`/api/v1/schedules/${id}/history`);
        return history.body.events?.some((e) => e.type === 'ScheduleGenerated') ? history.body.events : undefined;
      }, 60_000, 250);
      const starts = events.filter((e) => e.type === 'ScheduleGenerationStarted');
      assert.equal(starts.length, 1, `schedule ${id} was started once`);
      assert.equal(events.filter((e) => e.type === 'ScheduleGenerated').length, 1);
      workers.add(String(starts[0].data.workerId));
    }
    assert.equal(workers.size, 2, 'both workers took jobs');
  });

  it('shares rate limits: one key gets its limit once across both API instances', async () => {
    const key = await byName('api-1').api.issueKey(['schedule']);
    const clients = [key, byName('api-2').api.withToken(key.token!)];
    const statuses: number[] = [];
    for (let i = 0; i < KEY_LIMIT_PER_MINUTE + 10; i++) statuses.push((await clients[i % 2].get('/api/v1/schedules?limit=1')).status);
    assert.equal(statuses.filter((s) => s === 200).length, KEY_LIMIT_PER_MINUTE);
    assert.equal(statuses.filter((s) => s === 429).length, 10);
  });

  it('refuses a key revoked on one instance on the other within a second', async () => {
    const admin = byName('api-1').api.withToken(ADMIN_TOKEN);
    const issued = await admin.post<{ key_id: string; secret: string }>('/api/v1/admin/keys', { name: 'revoke me', scopes: ['schedule'] });
    const other = byName('api-2').api.withToken(issued.body.secret);
    assert.equal((await other.get('/api/v1/schedules?limit=1')).status, 200);
    assert.equal((await admin.request('DELETE', `/api/v1/admin/keys/${issued.body.key_id}`)).status, 204);
    const revokedAt = Date.now();
    await waitFor('the revoked key to be refused', async () => ((await other.get('/api/v1/schedules?limit=1')).status === 401 ? true : undefined), 1500, 50);
    assert.ok(Date.now() - revokedAt <= 1100, `refused after ${Date.now() - revokedAt} ms`);
  });

  it('hands a projection to a standby within 5 s when its active instance dies', async () => {
    const [active] = activeOn('schedules');
    active.process.child.kill('SIGKILL');
    await active.process.exited;
    const killedAt = Date.now();
    const [successor] = await waitFor('a standby to take over', async () => {
      const now = activeOn('schedules');
      return now.length === 1 ? now : undefined;
    }, 5_000, 100);
    assert.notEqual(successor.name, active.name);
    assert.ok(Date.now() - killedAt <= 5_000);

    // And it projects: a schedule requested now reaches its read model.
    const apiInstance = live().find((instance) => instance.name.startsWith('api'))!;
    const key = await apiInstance.api.issueKey(['schedule']);
    const answer = await key.post<{ scheduleId: string }>('/api/v1/schedules', { problem: weekProblem(4), solver: { timeLimitMs: 1000 } });
    await waitFor('the new schedule in the read model', async () => ((await key.get(`/api/v1/schedules/${answer.body.scheduleId}`)).status === 200 ? true : undefined), 10_000);
  });
});
