// A solve worker killed in the middle of a solve: its job is taken over by another worker once its
// lease runs out, and completes exactly once.
import assert from 'node:assert/strict';
import { startPaibanInProcess, waitFor, type ApiClient, type RunningPaiban } from '../support/api.js';
import { freePort, startPaiban, type PaibanProcess } from '../support/process.js';
import { weekProblem } from '../support/rosterFixtures.js';
import { postgresEnv, postgresUnreachable, REDIS, redisUnreachable, requireService } from '../support/services.js';

interface HistoryBody {
  events: { type: string; data: Record<string, unknown> }[];
}

describe('solve worker failover', function () {
  this.timeout(90_000);
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);

  let paiban: RunningPaiban;
  let api: ApiClient;
  const workers: PaibanProcess[] = [];

  before(async () => {
    // The API alone: solving is left to the worker processes below.
    paiban = await startPaibanInProcess({ SOLVE_IN_SERVE: 'false' });
    api = await paiban.api.issueKey(['schedule']);
  });
  after(async () => {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await paiban?.stop();
  });

  const startWorker = async () => {
    const worker = startPaiban(['worker'], {
      ...postgresEnv(paiban.db.name),
      REDIS_HOST: REDIS.host,
      REDIS_PORT: String(REDIS.port),
      APP_PORT: String(await freePort()),
      SOLVE_LEASE_SECONDS: '5',
      // One annealing search: it runs its whole limit (two threads would prove this small roster
      // optimal before the worker can be killed mid-solve).
      SOLVER_THREADS: '1',
    });
    workers.push(worker);
    await worker.waitForLog((line) => line.message === 'job worker started');
    return worker;
  };

  it('completes a killed worker\u2019s generation on another worker, once', async () => {
    const first = await startWorker();
    // Two people cannot cover 14 shifts: the score never reaches zero, so the search runs its limit.
    const requested = await api.post<{ scheduleId: string }>('/api/v1/schedules', { problem: weekProblem(2), solver: { timeLimitMs: 3000, unimprovedLimitMs: 3000 } });
    assert.equal(requested.status, 202);
    const id = requested.body.scheduleId;
    const history = () => api.get<HistoryBody>(`/api/v1/schedules/${id}/history`).then((answer) => answer.body.events ?? []);

    const started = await waitFor('the first worker to start solving', async () => (await history()).find((e) => e.type === 'ScheduleGenerationStarted'));
    assert.match(String(started.data.workerId), new RegExp(`:${first.child.pid}:`));
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startWorker();
    const done = await waitFor('the generation to finish', async () => {
      const events = await history();
      return events.some((e) => e.type === 'ScheduleGenerated' || e.type === 'ScheduleGenerationFailed') ? events : undefined;
    }, 40_000, 250);

    const starts = done.filter((e) => e.type === 'ScheduleGenerationStarted');
    assert.deepEqual(starts.map((e) => e.data.attempt), [1, 2]);
    assert.match(String(starts[1].data.workerId), new RegExp(`:${second.child.pid}:`));
    assert.equal(done.filter((e) => e.type === 'ScheduleGenerated').length, 1);
    assert.equal(done.filter((e) => e.type === 'ShiftsAssigned').length, 1);
    assert.equal(done.filter((e) => e.type === 'ScheduleGenerationFailed').length, 0);
  });
});
