import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger, reopenLogFile } from '../../../src/infra/logger.js';

function readLines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('logger', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'paiban-log-'));

  after(() => createLogger({ level: 'info' })); // back to stdout for whatever runs next

  it("writes the operations guide's JSON line: level, ISO time, caller file.ts:line, message, context", () => {
    const file = path.join(dir, 'shape.log');
    const logger = createLogger({ level: 'info', file });
    logger.info({ org_id: 'org-1', employees: 50, shifts: 100, duration_ms: 1234 }, '排班生成完成');
    const [line] = readLines(file);
    assert.equal(line.level, 'info');
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(String(line.caller), /^test\/unit\/platform\/logger\.test\.ts:\d+$/);
    assert.equal(line.message, '排班生成完成');
    assert.equal(line.org_id, 'org-1');
    assert.equal(line.employees, 50);
    assert.equal(line.duration_ms, 1234);
  });

  it('honours the level and hides secrets given as context', () => {
    const file = path.join(dir, 'level.log');
    const logger = createLogger({ level: 'warn', file });
    logger.info('dropped');
    logger.warn({ password: 'hunter2', admin_token: 't0ken' }, 'kept');
    const lines = readLines(file);
    assert.deepEqual(lines.map((l) => l.message), ['kept']);
    assert.equal(lines[0].password, '(hidden)');
    assert.ok(!readFileSync(file, 'utf8').includes('hunter2'));
  });

  it('reopens LOG_FILE after rotation, so new lines go to a fresh file', () => {
    const file = path.join(dir, 'rotate.log');
    const logger = createLogger({ level: 'info', file });
    logger.info('before rotation');
    renameSync(file, `${file}.1`);
    logger.info('after move, before reopen'); // still the old (moved) file
    assert.equal(reopenLogFile(), true);
    logger.info('after reopen');
    assert.deepEqual(readLines(`${file}.1`).map((l) => l.message), ['before rotation', 'after move, before reopen']);
    assert.deepEqual(readLines(file).map((l) => l.message), ['after reopen']);
  });
});
