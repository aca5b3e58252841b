import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { sqlEventStore } from '../../../src/infra/eventstore/sqlEventStore.js';
import { silentLogger } from '../../../src/infra/logger.js';
import { runReplay } from '../../../src/projections/replay.js';
import { silentProgress } from '../../../src/projections/progress.js';
import { startProjectionRunner } from '../../../src/projections/runner.js';
import { freshPostgres, postgresUnreachable, requireService, type TestDatabase } from '../../support/services.js';
import { CREATE_TIP_TOTALS, appendTips, readTotals, tipTotals, waitForApplied } from './tipTotals.js';

async function appliedCount(test: TestDatabase): Promise<number> {
  const { rows } = await test.database.query<{ n: number | string }>("SELECT events_applied AS n FROM projection_checkpoints WHERE projection = 'tip_totals'");
  return Number(rows[0]?.n ?? 0);
}

describe('projection runner crash: killed mid-batch, restarted', function () {
  requireService('PostgreSQL', postgresUnreachable);
  this.timeout(60_000);
  let test: TestDatabase;
  before(async () => {
    test = await freshPostgres();
  });
  after(() => test?.drop());

  it('the read model equals a clean rebuild: nothing doubled, nothing missing', async () => {
    const store = sqlEventStore(test.database);
    await test.database.query(CREATE_TIP_TOTALS);
    const expected = await appendTips(store, 400, ['jar-a', 'jar-b', 'jar-c']);

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'crashChild.ts')], {
      env: { ...process.env, CRASH_DB_NAME: test.name },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let applyLines = 0;
    let committedAtKill = -1;
    const killed = new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('apply ') || committedAtKill >= 0) return;
        applyLines += 1;
        // Past the first committed batches, kill it in the middle of the next one.
        if (applyLines === 100) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => (applyLines < 100 ? reject(new Error(`child exited early after ${applyLines} applies`)) : resolve()));
    });
    await killed;
    assert.equal(await exited, 'SIGKILL');
    committedAtKill = await appliedCount(test);
    assert.ok(committedAtKill > 0, 'some batches committed before the kill');
    assert.ok(committedAtKill < applyLines, `the kill interrupted a batch (committed ${committedAtKill}, applied ${applyLines})`);
    assert.equal(committedAtKill % 40, 0, 'only whole batches are committed');

    // Restart (in-process this time) and let it finish.
    const runner = startProjectionRunner({ database: test.database, eventStore: store, projection: tipTotals(), logger: silentLogger(), batchSize: 40, pollIntervalMs: 100 });
    try {
      await waitForApplied(test.database, 400, 30_000);
    } finally {
      await runner.stop();
    }
    const afterRestart = await readTotals(test.database);
    assert.deepEqual(afterRestart, expected);

    await runReplay({ database: test.database, eventStore: store, projections: [tipTotals()], names: ['tip_totals'], progress: silentProgress });
    assert.deepEqual(await readTotals(test.database), afterRestart, 'a clean rebuild gives the same read model');
  });
});
