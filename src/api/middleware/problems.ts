// Turns every error, and every 404/405 nobody answered, into application/problem+json. Unknown
// errors are logged with their stack and answered with a bare 500: no stack leaves the process.
import type { Middleware } from 'koa';
import { HttpProblem } from '../problem.js';

interface KoaHttpError extends Error {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  headers?: Record<string, string>;
}

const SLUGS: Record<number, string> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  501: 'not-implemented',
};

function asProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof HttpProblem) return error;
  const httpError = error as KoaHttpError;
  const status = httpError?.status ?? httpError?.statusCode;
  // Errors raised by koa/router/body parsing with a client status (e.g. 405, 413, 400).
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpProblem(status, SLUGS[status] ?? 'client-error', httpError.expose ? httpError.message : undefined);
  }
  return undefined;
}

export function problems(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      // Nobody answered: an unknown path (404), or a known one with another method (405, whose
      // Allow header the router has set).
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw new HttpProblem(404, 'not-found', `No resource at ${ctx.path}.`);
        if (ctx.status === 405) throw new HttpProblem(405, 'method-not-allowed', `${ctx.method} is not allowed on ${ctx.path}; see the Allow header.`);
        if (ctx.status === 501) throw new HttpProblem(501, 'not-implemented', `${ctx.method} is not implemented.`);
      }
    } catch (error) {
      let problem = asProblem(error);
      if (!problem) {
        ctx.state.log?.error({ err: error }, 'unhandled error');
        problem = new HttpProblem(500, 'internal', 'The server failed to answer; the error is logged with this request id.');
      }
      const headers = (error as KoaHttpError)?.headers;
      if (headers) for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
      ctx.status = problem.status;
      ctx.type = 'application/problem+json';
      ctx.body = problem.toBody(ctx.state.requestId ? `urn:request:${ctx.state.requestId}` : undefined);
    }
  };
}
