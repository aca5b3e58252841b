// A planner's whole journey over HTTP, against real PostgreSQL and Redis: request → generated →
// assignments (checked by the solver's independent evaluator) → a rule-breaking manual assignment
// refused → publish → an employee falls ill → replan keeps what it can → history and time travel.
import assert from 'node:assert/strict';
import type { Assignment } from '../../src/domain/roster.js';
import { evaluateRoster } from '../../src/solver/evaluator.js';
import { startPaibanInProcess, waitFor, type ApiClient, type RunningPaiban } from '../support/api.js';
import { weekProblem } from '../support/rosterFixtures.js';
import { postgresUnreachable, redisUnreachable, requireService } from '../support/services.js';

interface ScheduleBody {
  scheduleId: string;
  status: string;
  published: boolean;
  version: number;
  score: { hard: number; medium: number; soft: number } | null;
  stats: Record<string, number | string> | null;
}
interface AssignmentsBody {
  version: number;
  assignments: { employeeId: string; day: number; shiftId: string; pinned: boolean; source: string; date: string; start: string; end: string }[];
}

const asAssignments = (body: AssignmentsBody): Assignment[] =>
  body.assignments.map((a) => ({ employeeId: a.employeeId, day: a.day as Assignment['day'], shiftId: a.shiftId }));

async function waitForStatus(api: ApiClient, id: string, statuses: string[], timeoutMs = 20_000): Promise<ScheduleBody> {
  return waitFor(`schedule ${id} to be ${statuses.join(' or ')}`, async () => {
    const answer = await api.get<ScheduleBody>(`/api/v1/schedules/${id}`);
    return answer.status === 200 && statuses.includes(answer.body.status) ? answer.body : undefined;
  }, timeoutMs);
}

/** Waits until the read model has caught up with at least `version`. */
async function waitForVersion(api: ApiClient, id: string, version: number): Promise<ScheduleBody> {
  return waitFor(`schedule ${id} at version ${version}`, async () => {
    const answer = await api.get<ScheduleBody>(`/api/v1/schedules/${id}`);
    return answer.status === 200 && answer.body.version >= version ? answer.body : undefined;
  });
}

describe('schedule service end to end', function () {
  this.timeout(90_000);
  requireService('PostgreSQL', postgresUnreachable);
  requireService('Redis', redisUnreachable);

  let paiban: RunningPaiban;
  let api: ApiClient;
  // Eight people for 14 one-person shifts: room to replace anyone without moving the others.
  const problem = weekProblem(8);

  before(async () => {
    paiban = await startPaibanInProcess();
    api = await paiban.api.issueKey(['schedule']);
  });
  after(() => paiban?.stop());

  it('generates, refuses a rule-breaking assignment, publishes, replans around an absence, and remembers every step', async () => {
    const timeLimitMs = 4000;
    const requested = await api.post<{ scheduleId: string; version: number; solver: unknown }>('/api/v1/schedules', { name: 'week 2', problem, solver: { timeLimitMs, seed: 3 } });
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    assert.deepEqual(requested.body.solver, { timeLimitMs, unimprovedLimitMs: timeLimitMs, seed: 3 }, 'no early stop unless asked for');
    const id = requested.body.scheduleId;
    assert.equal(requested.headers.get('location'), `/api/v1/schedules/${id}`);

    const startedAt = Date.now();
    const generated = await waitForStatus(api, id, ['generated', 'failed']);
    assert.equal(generated.status, 'generated', JSON.stringify(generated));
    assert.ok(Date.now() - startedAt < timeLimitMs + 5000, 'generated within its time limit (plus projection lag)');
    // The service's default is the two-thread portfolio, whose MIP proves a roster this small
    // optimal long before the time limit (one annealing search would run until it stalls).
    assert.equal(generated.stats?.threads, 2, JSON.stringify(generated.stats));
    assert.equal(generated.stats?.stopReason, 'optimal', JSON.stringify(generated.stats));

    // The roster as served, checked by the evaluator that shares no code with the search.
    const first = await api.get<AssignmentsBody>(`/api/v1/schedules/${id}/assignments`);
    assert.equal(first.status, 200);
    const roster = asAssignments(first.body);
    assert.equal(roster.length, 14, 'one person on each of the 14 shifts');
    const evaluation = evaluateRoster(problem, roster);
    assert.equal(evaluation.hardViolations, 0);
    assert.deepEqual(generated.score, evaluation.score, 'the reported score is the evaluator\u2019s');
    assert.match(first.body.assignments[0].start, /^2026-01-\d\dT(07|22):00$/);

    // Assignments by employee and by day range.
    const someone = roster[0].employeeId;
    const byEmployee = await api.get<AssignmentsBody>(`/api/v1/schedules/${id}/assignments?employee=${someone}`);
    assert.deepEqual(asAssignments(byEmployee.body), roster.filter((a) => a.employeeId === someone));
    const midweek = await api.get<AssignmentsBody>(`/api/v1/schedules/${id}/assignments?fromDay=2&toDay=3`);
    assert.deepEqual(asAssignments(midweek.body), roster.filter((a) => a.day >= 2 && a.day <= 3));

    // A night worker on a day shift the next morning breaks N→D: 409 with the rules broken.
    const night = roster.find((a) => a.shiftId === 'N' && a.day < 6)!;
    const breaking = await api.post(`/api/v1/schedules/${id}/assignments`, { employeeId: night.employeeId, day: night.day + 1, shiftId: 'D' });
    assert.equal(breaking.status, 409);
    assert.match(breaking.headers.get('content-type') ?? '', /problem\+json/);
    const broken = breaking.body.brokenRules as { constraint: string; employeeId: string }[];
    assert.ok(broken.length > 0 && broken.every((rule) => rule.employeeId === night.employeeId));

    const explanation = await api.get<{ constraints: unknown[]; employees: unknown[]; score: unknown }>(`/api/v1/schedules/${id}/explain`);
    assert.equal(explanation.status, 200);
    assert.deepEqual(explanation.body.score, evaluation.score);
    const recommendations = await api.get<{ recommendations: { employeeId: string; scoreChange: { hard: number } }[] }>(`/api/v1/schedules/${id}/recommendations?shift=D&day=0&limit=3`);
    assert.equal(recommendations.status, 200);
    assert.ok(recommendations.body.recommendations.length <= 3 && recommendations.body.recommendations.length > 0);

    const publishedAt = await api.post<{ version: number }>(`/api/v1/schedules/${id}/publish`);
    assert.equal(publishedAt.status, 202);
    const published = await waitForVersion(api, id, publishedAt.body.version);
    assert.equal(published.published, true);

    // The employee on day 1's day shift falls ill on days 1 and 2.
    const ill = roster.find((a) => a.day === 1 && a.shiftId === 'D')!.employeeId;
    const absent = await api.post<{ version: number }>(`/api/v1/schedules/${id}/unavailability`, { employeeId: ill, days: [1, 2], reason: 'sick' });
    assert.equal(absent.status, 202);
    const replan = await api.post<{ version: number }>(`/api/v1/schedules/${id}/replan`, { changePenalty: 50, solver: { timeLimitMs: 3000, seed: 3 } });
    assert.equal(replan.status, 202, JSON.stringify(replan.body));
    await waitForVersion(api, id, replan.body.version);
    const replanned = await waitForStatus(api, id, ['generated', 'failed']);
    assert.equal(replanned.status, 'generated');

    const after = asAssignments((await api.get<AssignmentsBody>(`/api/v1/schedules/${id}/assignments`)).body);
    const key = (a: Assignment) => `${a.employeeId}/${a.day}/${a.shiftId}`;
    const afterKeys = new Set(after.map(key));
    const unaffected = roster.filter((a) => !(a.employeeId === ill && (a.day === 1 || a.day === 2)));
    assert.deepEqual(unaffected.filter((a) => !afterKeys.has(key(a))), [], 'every unaffected published assignment is kept');
    assert.ok(!after.some((a) => a.employeeId === ill && (a.day === 1 || a.day === 2)), 'the ill employee does not work those days');
    assert.equal(after.length, 14, 'the gaps are filled again');
    assert.equal(evaluateRoster(paibanProblemAfterAbsence(ill), after).hardViolations, 0);

    // History: every step, with who and which command.
    const history = await api.get<{ events: { version: number; type: string; actor: string; commandId: string }[] }>(`/api/v1/schedules/${id}/history`);
    const types = history.body.events.map((e) => e.type);
    for (const step of ['ScheduleRequested', 'ScheduleGenerationStarted', 'ShiftsAssigned', 'ScheduleGenerated', 'SchedulePublished', 'EmployeeMarkedUnavailable', 'ReplanRequested']) {
      assert.ok(types.includes(step), `history has ${step}`);
    }
    assert.ok(history.body.events.every((e) => e.actor && e.commandId));
    assert.deepEqual(history.body.events.map((e) => e.version), history.body.events.map((_, i) => i + 1));

    // Time travel: as of the first generation, the roster was the first one.
    const generatedVersion = history.body.events.find((e) => e.type === 'ScheduleGenerated')!.version;
    const past = await api.get<{ status: string; published: boolean; assignments: Assignment[] }>(`/api/v1/schedules/${id}?asOf=${generatedVersion}`);
    assert.equal(past.status, 200);
    assert.equal(past.body.status, 'generated');
    assert.equal(past.body.published, false);
    assert.deepEqual(new Set(past.body.assignments.map(key)), new Set(roster.map(key)));

    function paibanProblemAfterAbsence(employeeId: string) {
      return { ...problem, employees: problem.employees.map((e) => (e.id === employeeId ? { ...e, unavailableDays: [1, 2] as never } : e)) };
    }
  });

  it('lists the requirements left short, per skill, as assignments change', async () => {
    // Monday's day shift also wants a nurse; only e1 and e2 are nurses.
    const base = weekProblem(8);
    const nursing = {
      ...base,
      employees: base.employees.map((e) => (e.id === 'e1' || e.id === 'e2' ? { ...e, skills: ['nurse'] } : e)),
      cover: [...base.cover, { day: 0, shiftId: 'D', skill: 'nurse', required: 1, underWeight: 100, overWeight: 10 }],
    };
    const requested = await api.post<{ scheduleId: string }>('/api/v1/schedules', { problem: nursing, solver: { timeLimitMs: 2000, seed: 1 } });
    assert.equal(requested.status, 202, JSON.stringify(requested.body));
    const id = requested.body.scheduleId;
    await waitForStatus(api, id, ['generated']);
    const unfilled = async () => (await api.get<{ unfilled: { day: number; shiftId: string; skill: string | null; missing: number }[] }>(`/api/v1/schedules/${id}/unfilled`)).body.unfilled;
    assert.deepEqual(await unfilled(), [], 'the solver fills every requirement, the nurse too');

    const roster = asAssignments((await api.get<AssignmentsBody>(`/api/v1/schedules/${id}/assignments`)).body);
    const monday = roster.find((a) => a.day === 0 && a.shiftId === 'D')!;
    assert.ok(['e1', 'e2'].includes(monday.employeeId), `a nurse works Monday's day shift, not ${monday.employeeId}`);
    const unassigned = await api.request<{ version: number }>('DELETE', `/api/v1/schedules/${id}/assignments/${monday.employeeId}/0`);
    assert.equal(unassigned.status, 202, JSON.stringify(unassigned.body));
    await waitForVersion(api, id, unassigned.body.version);
    const short = (await unfilled()).map((u) => ({ day: u.day, shiftId: u.shiftId, skill: u.skill, missing: u.missing }));
    assert.deepEqual(
      short.sort((x, y) => String(x.skill).localeCompare(String(y.skill))),
      [
        { day: 0, shiftId: 'D', skill: null, missing: 1 },
        { day: 0, shiftId: 'D', skill: 'nurse', missing: 1 },
      ],
    );
  });

  it('lets exactly one of two changes made against the same version win', async () => {
    const requested = await api.post<{ scheduleId: string }>('/api/v1/schedules', { problem, solver: { timeLimitMs: 1000 } });
    const id = requested.body.scheduleId;
    const generated = await waitForStatus(api, id, ['generated']);
    const roster = asAssignments((await api.get<AssignmentsBody>(`/api/v1/schedules/${id}/assignments`)).body);
    const free = problem.employees.find((e) => !roster.some((a) => a.employeeId === e.id && (a.day === 5 || a.day === 4 || a.day === 6)))!;
    const ifMatch = { 'If-Match': `"${generated.version}"` };
    const [a, b] = await Promise.all([
      api.post(`/api/v1/schedules/${id}/assignments`, { employeeId: free.id, day: 5, shiftId: 'D' }, ifMatch),
      api.post(`/api/v1/schedules/${id}/unavailability`, { employeeId: free.id, days: [6] }, ifMatch),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [202, 412]);
    const loser = a.status === 412 ? a : b;
    assert.match(String(loser.body.type), /version-conflict$/);
    assert.equal(loser.body.current_version, generated.version + 1);
  });

  it('answers If-None-Match with 304 and invalidates the cache when the schedule changes', async () => {
    const requested = await api.post<{ scheduleId: string }>('/api/v1/schedules', { problem, solver: { timeLimitMs: 1000 } });
    const id = requested.body.scheduleId;
    const generated = await waitForStatus(api, id, ['generated']);
    const etag = `"${generated.version}"`;
    assert.equal((await api.get(`/api/v1/schedules/${id}`, { 'If-None-Match': etag })).status, 304);
    const changed = await api.post<{ version: number }>(`/api/v1/schedules/${id}/publish`);
    await waitForVersion(api, id, changed.body.version);
    const fresh = await api.get<ScheduleBody>(`/api/v1/schedules/${id}`, { 'If-None-Match': etag });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.published, true);
  });

  it('returns the first result for a retried request with the same Idempotency-Key, creating one schedule', async () => {
    const headers = { 'Idempotency-Key': `retry-${Date.now()}` };
    const first = await api.post<{ scheduleId: string }>('/api/v1/schedules', { problem, solver: { timeLimitMs: 1000 } }, headers);
    const second = await api.post<{ scheduleId: string }>('/api/v1/schedules', { problem, solver: { timeLimitMs: 1000 } }, headers);
    assert.equal(first.status, 202);
    assert.equal(second.status, 202);
    assert.equal(second.body.scheduleId, first.body.scheduleId);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const other = await api.post('/api/v1/schedules', { problem, name: 'different' }, headers);
    assert.equal(other.status, 422, 'a reused key with another body is refused');
  });

  it('refuses an inconsistent problem with the path of each bad field and writes nothing', async () => {
    // Counted in the event store (the source of truth): the schedule list is a read model and may
    // still be catching up with the schedules the tests above requested.
    const scheduleStreams = async (): Promise<number> =>
      Number((await paiban.db.database.query<{ n: string }>("SELECT count(*) AS n FROM event_streams WHERE stream_id LIKE 'schedule-%'")).rows[0]!.n);
    const before = await scheduleStreams();
    const bad = await api.post<{ errors: { path: string }[] }>('/api/v1/schedules', {
      problem: { ...problem, employees: [{ id: 'x', contractId: 'nope' }], cover: [{ day: 99, shiftId: 'Z', required: 1, underWeight: 1, overWeight: 1 }] },
      solver: { timeLimitMs: 5 },
      colour: 'blue',
    });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.length > 0);
    assert.ok(bad.body.errors.every((e) => typeof e.path === 'string'));
    assert.ok(!JSON.stringify(bad.body).includes('    at '), 'no stack trace');
    assert.equal(await scheduleStreams(), before);
  });

  it('pages through schedules with a cursor, newest first', async () => {
    const all = (await api.get<{ schedules: { scheduleId: string }[] }>('/api/v1/schedules?limit=200')).body.schedules.map((s) => s.scheduleId);
    assert.ok(all.length >= 3);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { schedules: { scheduleId: string }[]; nextCursor: string | null } } = await api.get(`/api/v1/schedules?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.schedules.map((s) => s.scheduleId));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, all);
  });

  it('streams live progress as server-sent events until the generation ends', async () => {
    const requested = await api.post<{ scheduleId: string }>('/api/v1/schedules', { problem, solver: { timeLimitMs: 1500 } });
    const response = await fetch(`${api.baseUrl}/api/v1/schedules/${requested.body.scheduleId}/events`, { headers: { Authorization: `Bearer ${api.token}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await response.text(); // ends when the generation does
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    assert.equal(events[0], 'status');
    assert.equal(events[events.length - 1], 'ScheduleGenerated');
  });
});
