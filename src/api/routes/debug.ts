// /debug/pprof/*: the Node.js counterparts of Go's pprof endpoints, for operators only (the guard
// is the admin check: allowed networks and admin token).
//   profile?seconds=N  CPU profile of the main thread for N s (1-60, default 30), as a .cpuprofile
//                      (open in Chrome DevTools › Performance, or speedscope)
//   heap               heap snapshot of the main isolate, streamed as a .heapsnapshot (DevTools ›
//                      Memory); taking it pauses the event loop, proportional to the heap size
//   goroutine          what keeps the process busy: active libuv resources by type and the HTTP
//                      requests in flight (when `trackInFlightRequests` is installed)
// One profile and one heap snapshot at a time: each costs CPU and memory on a serving instance.
import Router from '@koa/router';
import type { Middleware } from 'koa';
import { Session } from 'node:inspector/promises';
import { hostname } from 'node:os';
import { getHeapSnapshot } from 'node:v8';
import { HttpProblem, invalidInput } from '../problem.js';
import { routeLabel } from '../middleware/requestContext.js';

export const PROFILE_SECONDS = { min: 1, max: 60, default: 30 } as const;

/** Parses `seconds`; a field error message when it is not an integer in range. */
export function profileSeconds(raw: string | string[] | undefined): number | string {
  if (raw === undefined || raw === '') return PROFILE_SECONDS.default;
  const text = Array.isArray(raw) ? raw[0] : raw;
  const seconds = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(seconds) && seconds >= PROFILE_SECONDS.min && seconds <= PROFILE_SECONDS.max) return seconds;
  return `must be an integer from ${PROFILE_SECONDS.min} to ${PROFILE_SECONDS.max}`;
}

function downloadName(extension: string): string {
  const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `paiban-${host}-${stamp}.${extension}`;
}

/** Resolves after `ms`, or early when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** Samples the main thread's JavaScript for `seconds` (or until `signal` aborts). */
async function cpuProfile(seconds: number, signal: AbortSignal): Promise<object> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await sleep(seconds * 1000, signal);
    const { profile } = await session.post('Profiler.stop');
    return profile;
  } finally {
    session.disconnect();
  }
}

/** One request being served, as /debug/pprof/goroutine lists it. */
export interface InFlightRequest {
  method: string;
  path: string;
  route: string;
  request_id: string | undefined;
  age_ms: number;
}

interface Tracked {
  method: string;
  path: string;
  started: number;
  requestId: string | undefined;
  ctx: { _matchedRoute?: string | RegExp };
}

const inFlight = new Set<Tracked>();
let tracking = false;

/**
 * Records the requests in flight for /debug/pprof/goroutine (a Set insert and delete per request).
 * Install it early in the app's middleware, after the request context.
 */
export function trackInFlightRequests(): Middleware {
  tracking = true;
  // Not async: one promise (then) per request instead of an async frame around next().
  return (ctx, next) => {
    const entry: Tracked = { method: ctx.method, path: ctx.path, started: performance.now(), requestId: ctx.state.requestId, ctx: ctx as { _matchedRoute?: string } };
    inFlight.add(entry);
    return next().then(
      () => void inFlight.delete(entry),
      (error: unknown) => {
        inFlight.delete(entry);
        throw error;
      },
    );
  };
}

/** Longest list of requests in one answer (the count is always exact). */
const LISTED_REQUESTS = 100;

export interface ActivitySnapshot {
  pid: number;
  uptime_seconds: number;
  active_resources: { total: number; by_type: Record<string, number> };
  http: { tracked: false } | { tracked: true; in_flight: number; requests: InFlightRequest[] };
  memory: NodeJS.MemoryUsage;
  event_loop_utilization: number;
}

export function activitySnapshot(): ActivitySnapshot {
  const resources = process.getActiveResourcesInfo();
  const byType: Record<string, number> = {};
  for (const type of resources) byType[type] = (byType[type] ?? 0) + 1;
  const now = performance.now();
  const requests = [...inFlight]
    .sort((a, b) => a.started - b.started)
    .slice(0, LISTED_REQUESTS)
    .map((entry) => ({ method: entry.method, path: entry.path, route: routeLabel(entry.ctx), request_id: entry.requestId, age_ms: Math.round(now - entry.started) }));
  return {
    pid: process.pid,
    uptime_seconds: Math.round(process.uptime()),
    active_resources: { total: resources.length, by_type: byType },
    http: tracking ? { tracked: true, in_flight: inFlight.size, requests } : { tracked: false },
    memory: process.memoryUsage(),
    event_loop_utilization: Math.round(performance.eventLoopUtilization().utilization * 1000) / 1000,
  };
}

export function debugRouter(guard: Middleware): Router {
  const router = new Router({ prefix: '/debug/pprof' });
  router.use(guard);
  let profiling = false;
  let snapshotting = false;

  router.get('/profile', async (ctx) => {
    const seconds = profileSeconds(ctx.query.seconds);
    if (typeof seconds === 'string') throw invalidInput([{ path: 'seconds', message: seconds }], 'seconds is out of range.');
    if (profiling) throw new HttpProblem(409, 'profile-in-progress', 'A CPU profile is already being taken on this instance; try again when it finishes.');
    profiling = true;
    // A client that hangs up stops the profile early instead of sampling for nobody.
    const hungUp = new AbortController();
    const onClose = () => {
      if (!ctx.res.writableFinished) hungUp.abort();
    };
    ctx.res.once('close', onClose);
    try {
      const profile = await cpuProfile(seconds, hungUp.signal);
      ctx.set('Content-Disposition', `attachment; filename="${downloadName('cpuprofile')}"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(profile);
    } finally {
      profiling = false;
    }
  });

  router.get('/heap', (ctx) => {
    if (snapshotting) throw new HttpProblem(409, 'snapshot-in-progress', 'A heap snapshot is already being taken on this instance; try again when it finishes.');
    snapshotting = true;
    const stream = getHeapSnapshot();
    const done = () => {
      snapshotting = false;
    };
    stream.once('close', done);
    stream.once('error', done);
    ctx.set('Content-Disposition', `attachment; filename="${downloadName('heapsnapshot')}"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    ctx.body = stream;
  });

  router.get('/goroutine', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = activitySnapshot();
  });

  return router;
}
