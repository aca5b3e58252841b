// Gives every request an id (the caller's X-Request-Id when it is sane, a new UUID otherwise),
// returns it in the response, and records one access-log line and the HTTP metrics when the
// request ends. The route label is the matched route pattern, never the raw path.
import type { DefaultState, Middleware } from 'koa';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../infra/logger.js';
import { EventHistogram, registry } from '../../infra/metrics.js';

export const UNMATCHED_ROUTE = 'unmatched';

/** http_request_duration_seconds, and http_requests_total counting the same requests. */
const httpMetrics = new EventHistogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  counter: { name: 'http_requests_total', help: 'HTTP requests by method, route pattern and status.' },
  registers: [registry],
});

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'koa' {
  interface DefaultState {
    requestId: string;
    log: Logger;
  }
}

/** The route pattern @koa/router matched, or one shared label for unknown paths. */
export function routeLabel(ctx: { _matchedRoute?: string | RegExp }): string {
  const matched = ctx._matchedRoute;
  return typeof matched === 'string' ? matched : UNMATCHED_ROUTE;
}

export function requestContext(logger: Logger): Middleware {
  /**
   * A request's `ctx.state`, whose `log` is made on first use: most requests log nothing but their
   * access line, which is written through the root logger with the same `request_id` field, so a
   * child logger for each of them would be wasted work.
   */
  class RequestState {
    private child: Logger | undefined;
    constructor(public requestId: string) {}

    get log(): Logger {
      // A "simple" child: only a plain field is added, so bunyan skips re-resolving serializers and streams.
      return (this.child ??= logger.child({ request_id: this.requestId }, true));
    }

    set log(log: Logger) {
      this.child = log;
    }
  }

  return async (ctx, next) => {
    const started = performance.now();
    const offered = ctx.get('X-Request-Id');
    const requestId = offered !== '' && SANE_REQUEST_ID.test(offered) ? offered : randomUUID();
    // The other fields of DefaultState are filled in by the middleware that owns them.
    ctx.state = new RequestState(requestId) as Partial<DefaultState> as DefaultState;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const status = ctx.status;
      const method = ctx.method;
      const route = routeLabel(ctx as { _matchedRoute?: string });
      httpMetrics.observe([method, route, String(status)], seconds);
      const failed = status >= 500;
      // The line is only built when its level is enabled (`log.info()` without arguments asks).
      if (failed ? logger.error() : logger.info()) {
        const line = { request_id: requestId, method, route, status, path: ctx.path, duration_ms: Math.round(seconds * 1e4) / 10 };
        if (failed) logger.error(line, 'request');
        else logger.info(line, 'request');
      }
    }
  };
}
