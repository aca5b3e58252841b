// `paiban demo`: submits the reference case (a care home week, 50 employees, 100 positions) to a
// RUNNING service over its public HTTP API, follows the generation live (Server-Sent Events), and
// prints the roster as an employee × day table with the score, the unfilled demand and the top
// explanations. It uses only what a customer's client could use, so it doubles as a smoke test.
import type { Score } from '../domain/roster.js';
import { positionsOf, referenceCase, type ReferenceRequest } from './referenceCase.js';

export interface DemoOptions {
  /** Base URL of the running service, e.g. http://127.0.0.1:7012. */
  url: string;
  /** An API key with the `schedule` scope. */
  apiKey?: string;
  /** Used to issue a key through the admin API when no `apiKey` is given. */
  adminToken?: string;
  /** Where the report goes (process.stdout for the CLI). */
  out: { write(text: string): unknown };
  /** How long to wait for the generation and its read model (default 120 s). */
  timeoutMs?: number;
}

export type DemoResult = { ok: true; scheduleId: string; score: Score; assigned: number } | { ok: false; error: string };

interface AssignmentRow {
  employeeId: string;
  day: number;
  shiftId: string;
}
interface UnfilledRow {
  day: number;
  shiftId: string;
  skill: string | null;
  required: number;
  missing: number;
}
interface ConstraintRow {
  constraint: string;
  level: string;
  totalPenalty: number;
  matches: { detail: string; employeeId?: string; day?: number; shiftId?: string }[];
}
interface ScheduleRow {
  status: string;
  score: Score | null;
  failureReason: string | null;
  stats: Record<string, unknown> | null;
}

/** A non-2xx answer or an unreachable service, said in one line. */
class DemoError extends Error {}

const OFF = '·';
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const TOP_EXPLANATIONS = 5;

const formatScore = (score: Score): string => `hard ${score.hard} / medium ${score.medium} / soft ${score.soft}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function client(baseUrl: string, token: string | undefined) {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(baseUrl + path, {
        method,
        headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new DemoError(`cannot reach ${baseUrl} (${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}); is \`paiban serve\` running?`);
    }
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 500);
      try {
        const problem = JSON.parse(text) as { title?: string; detail?: string; errors?: unknown };
        detail = [problem.title, problem.detail, problem.errors ? JSON.stringify(problem.errors) : undefined].filter(Boolean).join(': ');
      } catch {
        // not problem+json: keep the raw text
      }
      throw new DemoError(`${method} ${path} answered ${response.status}: ${detail}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return { get: <T>(path: string) => call<T>('GET', path), post: <T>(path: string, body: unknown) => call<T>('POST', path, body) };
}

async function keyFor(options: DemoOptions): Promise<string> {
  if (options.apiKey) return options.apiKey;
  if (!options.adminToken) throw new DemoError('give an API key with the schedule scope (--api-key) or the admin token to issue one (--admin-token)');
  const admin = client(options.url, options.adminToken);
  const issued = await admin.post<{ secret: string; key_id: string }>('/api/v1/admin/keys', { name: 'paiban demo', scopes: ['schedule'] });
  options.out.write(`Issued API key ${issued.key_id} (scope: schedule) for the demo.\n`);
  return issued.secret;
}

/** One Server-Sent Event: its name and parsed data. */
interface ServerEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE body event by event (fields `event` and `data`; comments skipped). */
async function* serverEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      try {
        yield { event, data: JSON.parse(data.join('\n')) as Record<string, unknown> };
      } catch {
        yield { event, data: {} };
      }
    }
  }
}

/** Prints the generation's progress until it ends (or the stream closes). */
async function followProgress(options: DemoOptions, token: string, scheduleId: string, deadline: number): Promise<void> {
  const { out } = options;
  const abort = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
  const response = await fetch(`${options.url}/api/v1/schedules/${scheduleId}/events`, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' }, signal: abort }).catch(
    (error: unknown) => {
      throw new DemoError(`cannot follow progress: ${(error as Error).message}`);
    },
  );
  if (!response.ok || !response.body) throw new DemoError(`GET /api/v1/schedules/${scheduleId}/events answered ${response.status}`);
  try {
    for await (const { event, data } of serverEvents(response.body)) {
      switch (event) {
        case 'status':
          out.write(`  status: ${String(data.status)}\n`);
          break;
        case 'ScheduleGenerationStarted':
          out.write(`  generation ${String(data.generation)} started\n`);
          break;
        case 'ScheduleProgressed':
          out.write(`  best so far: ${formatScore(data.bestScore as Score)} after ${((data.elapsedMs as number) / 1000).toFixed(1)} s\n`);
          break;
        case 'ScheduleGenerated':
          out.write(`  generated: ${formatScore(data.score as Score)}\n`);
          break;
        case 'ScheduleGenerationFailed':
          out.write(`  failed: ${String(data.reason)}\n`);
          break;
        default:
          out.write(`  ${event}\n`);
      }
    }
  } catch (error) {
    if (abort.aborted) throw new DemoError('timed out following the generation');
    throw error;
  }
}

/** The read model lags the stream a little: wait until it shows the generation's end. */
async function finishedSchedule(api: ReturnType<typeof client>, scheduleId: string, deadline: number): Promise<ScheduleRow> {
  for (;;) {
    const schedule = await api.get<ScheduleRow>(`/api/v1/schedules/${scheduleId}`);
    if (schedule.status !== 'requested' && schedule.status !== 'generating') return schedule;
    if (Date.now() > deadline) throw new DemoError(`schedule ${scheduleId} still ${schedule.status} after the time allowed`);
    await sleep(100);
  }
}

const pad = (text: string, width: number) => (text.length >= width ? text.slice(0, width) : text + ' '.repeat(width - text.length));

/** The roster as lines of an employee × day table (shift id, or `·` for a day off). */
export function rosterTable(problem: ReferenceRequest['problem'], assignments: readonly AssignmentRow[]): string[] {
  const start = Date.parse(`${problem.startDate}T00:00:00Z`);
  const days = Array.from({ length: problem.days }, (_, day) => {
    const date = new Date(start + day * 86_400_000);
    return `${WEEKDAYS[date.getUTCDay()]} ${String(date.getUTCDate()).padStart(2, '0')}`;
  });
  const cells = new Map<string, string[]>();
  for (const a of assignments) {
    const key = `${a.employeeId}\u0000${a.day}`;
    cells.set(key, [...(cells.get(key) ?? []), a.shiftId]);
  }
  const nameWidth = Math.max(8, ...problem.employees.map((e) => `${e.id} ${e.name ?? ''}`.trim().length));
  const columnWidth = Math.max(6, ...days.map((d) => d.length + 2));
  const header = pad('Employee', nameWidth) + ' │ ' + days.map((d) => pad(d, columnWidth)).join('');
  const rule = '─'.repeat(nameWidth) + '─┼─' + '─'.repeat(columnWidth * days.length);
  const rows = problem.employees.map(
    (e) => pad(`${e.id} ${e.name ?? ''}`.trim(), nameWidth) + ' │ ' + days.map((_, day) => pad((cells.get(`${e.id}\u0000${day}`) ?? [OFF]).join('+'), columnWidth)).join(''),
  );
  return [header.trimEnd(), rule, ...rows.map((row) => row.trimEnd())];
}

function unfilledLines(problem: ReferenceRequest['problem'], unfilled: readonly UnfilledRow[]): string[] {
  const missing = unfilled.filter((u) => u.missing > 0);
  if (missing.length === 0) return ['Unfilled demand: none (every position is staffed).'];
  const total = missing.reduce((sum, u) => sum + u.missing, 0);
  return [
    `Unfilled demand: ${total} of ${problem.cover.reduce((sum, c) => sum + c.required, 0)} positions`,
    ...missing.map((u) => `  day ${u.day} shift ${u.shiftId}${u.skill ? ` (${u.skill})` : ''}: ${u.missing} of ${u.required} missing`),
  ];
}

function explanationLines(constraints: readonly ConstraintRow[]): string[] {
  const top = [...constraints].filter((c) => c.totalPenalty > 0).slice(0, TOP_EXPLANATIONS);
  if (top.length === 0) return ['Explanation: no rule or preference is penalised.'];
  const lines = ['Top explanations (what the score is made of):'];
  for (const c of top) {
    lines.push(`  ${c.level} ${c.constraint}: ${c.totalPenalty} from ${c.matches.length} match${c.matches.length === 1 ? '' : 'es'}`);
    for (const m of c.matches.slice(0, 3)) {
      const where = [m.employeeId, m.day !== undefined ? `day ${m.day}` : undefined, m.shiftId].filter(Boolean).join(', ');
      lines.push(`    - ${where ? `${where}: ` : ''}${m.detail}`);
    }
  }
  return lines;
}

/** Submits the reference case, follows it, and prints the roster; errors come back as values. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { out } = options;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const url = options.url.replace(/\/+$/, '');
  try {
    const token = await keyFor({ ...options, url });
    const api = client(url, token);
    const request = referenceCase();
    const { problem } = request;
    out.write(`Submitting "${request.name}": ${problem.employees.length} employees, ${positionsOf(request)} shift positions over ${problem.days} days to ${url}\n`);
    const accepted = await api.post<{ scheduleId: string; solver: Record<string, number> }>('/api/v1/schedules', request);
    const { scheduleId } = accepted;
    out.write(`Schedule ${scheduleId} requested (solver: ${Object.entries(accepted.solver).map(([k, v]) => `${k} ${v}`).join(', ')}). Following its progress:\n`);

    await followProgress({ ...options, url }, token, scheduleId, deadline);
    const schedule = await finishedSchedule(api, scheduleId, deadline);
    if (schedule.status !== 'generated' || !schedule.score) {
      return { ok: false, error: `generation ended ${schedule.status}${schedule.failureReason ? `: ${schedule.failureReason}` : ''}` };
    }
    const [{ assignments }, { unfilled }, { constraints }] = await Promise.all([
      api.get<{ assignments: AssignmentRow[] }>(`/api/v1/schedules/${scheduleId}/assignments`),
      api.get<{ unfilled: UnfilledRow[] }>(`/api/v1/schedules/${scheduleId}/unfilled`),
      api.get<{ constraints: ConstraintRow[] }>(`/api/v1/schedules/${scheduleId}/explain`),
    ]);

    const stats = schedule.stats ?? {};
    const lines = [
      '',
      `Roster ${scheduleId} (${problem.startDate}, ${problem.days} days; E early 07-15, L late 15-23, N night 23-07, ${OFF} off):`,
      '',
      ...rosterTable(problem, assignments),
      '',
      `Score: ${formatScore(schedule.score)}`,
      `Assigned ${assignments.length} shifts; solved in ${String(stats.durationMs ?? '?')} ms (${String(stats.stopReason ?? 'stopped')}).`,
      ...unfilledLines(problem, unfilled),
      ...explanationLines(constraints),
      '',
      `Try: GET ${url}/api/v1/schedules/${scheduleId}/explain, …/recommendations?shift=E&day=0, …/history`,
    ];
    out.write(lines.join('\n') + '\n');
    return { ok: true, scheduleId, score: schedule.score, assigned: assignments.length };
  } catch (error) {
    if (error instanceof DemoError) return { ok: false, error: error.message };
    return { ok: false, error: `unexpected: ${(error as Error).message}` };
  }
}
