// Live progress of a schedule as Server-Sent Events: a `status` snapshot first, then each
// generation event (started, best score, generated, failed, cancelled) as it is appended. The
// stream ends when the generation ends (at once, if it already has).
import type { Context } from 'koa';
import { PassThrough } from 'node:stream';
import { decodeEvents } from '../../commands/commandHandler.js';
import { fold } from '../../commands/decider.js';
import { scheduleDecider } from '../../commands/scheduleDecider.js';
import { ScheduleEvent } from '../../domain/schedule.js';
import type { EventStore, RecordedEvent } from '../../infra/eventstore/eventStore.js';
import { HttpProblem } from '../problem.js';

const POLL_MS = 250;
const HEARTBEAT_MS = 15_000;
const ENDS_GENERATION = new Set(['ScheduleGenerated', 'ScheduleGenerationFailed', 'ScheduleGenerationCancelled']);
const FOLLOWED = new Set(['ScheduleGenerationStarted', 'ScheduleProgressed', 'ReplanRequested', 'SchedulePublished', ...ENDS_GENERATION]);
const RUNNING = new Set(['requested', 'generating']);

/** What a follower is told of an event (not the whole roster: it can GET the assignments). */
function summary(event: RecordedEvent): Record<string, unknown> {
  const { data } = event;
  switch (event.type) {
    case 'ScheduleProgressed':
      return { generation: data.generation, bestScore: data.bestScore, elapsedMs: data.elapsedMs };
    case 'ScheduleGenerated':
      return { generation: data.generation, score: data.score, stats: data.stats };
    case 'ScheduleGenerationFailed':
      return { generation: data.generation, reason: data.reason };
    default:
      return { generation: data.generation };
  }
}

/** Follows the stream itself (not the read model), so a just-requested schedule is followed at once. */
export async function followSchedule(ctx: Context, eventStore: EventStore, streamId: string): Promise<void> {
  const history = await eventStore.readStream(streamId);
  if (history.length === 0) throw new HttpProblem(404, 'not-found', 'No such schedule.');
  const state = fold(scheduleDecider, decodeEvents(ScheduleEvent, history));
  const view = { status: state.status, generation: state.generation, score: state.score ?? null, bestScore: state.bestScore ?? null, version: history[history.length - 1].version };
  const body = new PassThrough();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.status = 200;
  ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', 'X-Accel-Buffering': 'no' });
  ctx.body = body;

  const write = (event: string, data: unknown, id?: number) =>
    body.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  write('status', view, view.version);
  if (!RUNNING.has(view.status)) {
    body.end();
    return;
  }

  let version = view.version;
  let open = true;
  let heartbeatAt = Date.now();
  const close = () => {
    open = false;
  };
  ctx.req.on('close', close);
  const follow = async () => {
    while (open) {
      const events = await eventStore.readStream(streamId, { fromVersion: version + 1 });
      for (const event of events) {
        version = event.version;
        if (!FOLLOWED.has(event.type)) continue;
        write(event.type, summary(event), event.version);
        if (ENDS_GENERATION.has(event.type)) open = false;
      }
      if (open && Date.now() - heartbeatAt > HEARTBEAT_MS) {
        body.write(': keep-alive\n\n');
        heartbeatAt = Date.now();
      }
      if (open) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  void follow()
    .catch((error: unknown) => write('error', { message: (error as Error).message }))
    .finally(() => {
      ctx.req.off('close', close);
      body.end();
    });
}
