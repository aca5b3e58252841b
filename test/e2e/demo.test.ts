// `paiban demo` against a running service (real PostgreSQL and Redis): it issues itself a key,
// submits the reference case, and prints a 50 × 7 roster whose score line is the API's score.
import assert from 'node:assert/strict';
import { runDemo } from '../../src/demo/demo.js';
import { positionsOf, referenceCase } from '../../src/demo/referenceCase.js';
import { evaluateRoster } from '../../src/solver/evaluator.js';
import { ADMIN_TOKEN, startPaibanInProcess, type RunningPaiban } from '../support/api.js';
import { postgresUnreachable, redisUnreachable, requireService } from '../support/services.js';

describe('the reference case', () => {
  it('decodes through the public codec: 50 employees, 100 positions over 7 days', () => {
    const request = referenceCase();
    assert.equal(request.problem.employees.length, 50);
    assert.equal(request.problem.days, 7);
    assert.equal(positionsOf(request), 100);
    assert.ok(request.problem.shiftOnRequests!.length > 0 && request.problem.shiftOffRequests!.length > 0);
    assert.ok(request.problem.employees.some((e) => (e.unavailableDays ?? []).length > 0));
    assert.deepEqual(request.problem.forbiddenSuccessions, [{ from: 'N', to: 'E' }]);
  });
});

describe('paiban demo', function () {
  this.timeout(90_000);
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);

  let paiban: RunningPaiban;
  before(async () => {
    paiban = await startPaibanInProcess();
  });
  after(() => paiban?.stop());

  it('refuses to start without a key or an admin token, saying what to give', async () => {
    const result = await runDemo({ url: paiban.api.baseUrl, out: { write: () => true } });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error, /--api-key|--admin-token/);
  });

  it('prints the roster as a 50 × 7 table with the score the API reports', async () => {
    let printed = '';
    // A shorter unimproved limit would change the case; the demo runs with the service defaults.
    const result = await runDemo({ url: paiban.api.baseUrl, adminToken: ADMIN_TOKEN, out: { write: (text: string) => (printed += text) } });
    assert.ok(result.ok, `demo failed: ${result.ok ? '' : result.error}\n${printed}`);

    const lines = printed.split('\n');
    const header = lines.findIndex((line) => line.startsWith('Employee'));
    assert.ok(header >= 0, `no table header in:\n${printed}`);
    const days = header >= 0 ? lines[header].split('│')[1].trim().split(/\s{2,}/) : [];
    assert.deepEqual(days, ['Mon 05', 'Tue 06', 'Wed 07', 'Thu 08', 'Fri 09', 'Sat 10', 'Sun 11']);
    const rows: string[] = [];
    for (let i = header + 2; i < lines.length && lines[i].trim() !== ''; i++) rows.push(lines[i]);
    assert.equal(rows.length, 50);
    const cells = rows.map((row) => row.split('│')[1].trim().split(/\s+/));
    for (const row of cells) {
      assert.equal(row.length, 7, `7 day columns in ${JSON.stringify(row)}`);
      for (const cell of row) assert.match(cell, /^(E|L|N|·)$/);
    }
    assert.equal(cells.flat().filter((c) => c !== '·').length, result.assigned);

    const api = await paiban.api.issueKey(['schedule']);
    const schedule = await api.get<{ score: { hard: number; medium: number; soft: number } }>(`/api/v1/schedules/${result.scheduleId}`);
    const scoreLine = lines.find((line) => line.startsWith('Score:'));
    assert.equal(scoreLine, `Score: hard ${schedule.body.score.hard} / medium ${schedule.body.score.medium} / soft ${schedule.body.score.soft}`);

    // The printed roster is the served one, and it breaks no hard rule.
    const served = await api.get<{ assignments: { employeeId: string; day: number; shiftId: string }[] }>(`/api/v1/schedules/${result.scheduleId}/assignments`);
    const { problem } = referenceCase();
    const employeeIds = problem.employees.map((e) => e.id);
    for (const a of served.body.assignments) assert.equal(cells[employeeIds.indexOf(a.employeeId)][a.day], a.shiftId);
    assert.equal(evaluateRoster(problem, served.body.assignments).hardViolations, 0);
    assert.match(printed, /Top explanations|no rule or preference is penalised/);
    assert.match(printed, /Unfilled demand:/);
  });
});
