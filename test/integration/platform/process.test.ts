// The `paiban` command as operators run it: the built bin/paiban.js in its own process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { BIN, freePort, ROOT, startPaiban } from '../../support/process.js';
import { freshPostgres, postgresEnv, postgresUnreachable, requireService, type TestDatabase } from '../../support/services.js';
import { TcpProxy } from '../../support/tcpProxy.js';

const run = promisify(execFile);

describe('the paiban process', function () {
  this.timeout(60_000);
  requireService('PostgreSQL', postgresUnreachable);
  let db: TestDatabase;

  before(async () => {
    assert.ok(existsSync(path.join(ROOT, 'dist', 'src', 'cli.js')), 'dist/ is missing: run `npm run build` (npm test does)');
    db = await freshPostgres();
  });
  after(() => db?.drop());

  it('lists its sub-commands in --help', async () => {
    const { stdout } = await run(process.execPath, [BIN, '--help']);
    for (const command of ['serve', 'worker', 'migrate']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
  });

  it('stops at start-up with one line naming the bad setting', async () => {
    const result = await run(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH, APP_PORT: 'abc' } }).then(
      () => assert.fail('serve must refuse APP_PORT=abc'),
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'Invalid configuration: app.port (APP_PORT): expected an integer port 1-65535, got "abc"\n');
    assert.equal(result.stdout, '');
  });

  it('listens on APP_PORT and finishes an in-flight request before exiting 0 on SIGTERM', async () => {
    // Every database round trip through this proxy takes 0.7 s, so /health stays in flight.
    const slowDatabase = new TcpProxy({ host: '127.0.0.1', port: 5432 });
    const port = await freePort();
    const paiban = startPaiban(['serve'], { ...postgresEnv(db.name), DB_PORT: String(await slowDatabase.start()), APP_PORT: String(port) });
    try {
      const listening = await paiban.waitForLog((line) => line.port === port && /listening/.test(String(line.message)));
      assert.equal(listening.level, 'info');
      slowDatabase.delayMs = 700;
      const inFlight = fetch(`http://127.0.0.1:${port}/health`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      paiban.child.kill('SIGTERM');
      const response = await inFlight;
      assert.equal(response.status, 200, 'the request in flight completes');
      assert.deepEqual(await paiban.exited, { code: 0, signal: null });
      assert.ok(paiban.lines.some((line) => line.message === 'stopped'));
      await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), 'the port is closed afterwards');
    } finally {
      paiban.child.kill('SIGKILL');
      await slowDatabase.stop();
    }
  });

  it('runs on the embedded database with no servers configured', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'paiban-embedded-'));
    const paiban = startPaiban(['serve'], { APP_PORT: String(port), DATA_DIR: dataDir });
    try {
      await paiban.waitForLog((line) => /listening/.test(String(line.message)), 50_000);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      assert.equal(health.status, 200);
      paiban.child.kill('SIGTERM');
      assert.equal((await paiban.exited).code, 0);
    } finally {
      paiban.child.kill('SIGKILL');
    }
  });

  it('shows migration status through `make migrate-status`', async () => {
    const { stdout } = await run('make', ['--no-print-directory', 'migrate-status'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...postgresEnv(db.name) },
    });
    assert.match(stdout, /current version: (\d+) \(latest: \1\)/);
    assert.match(stdout, /\[x\] 001 /);
  });
});
