// Reads a JSON request body with a size limit: 413 past the limit (without reading the rest into
// memory), 415 for another media type, 400 for malformed JSON. The parsed value lands in
// ctx.request.body for the route's io-ts codec to judge.
import type { Middleware } from 'koa';
import { HttpProblem } from '../problem.js';
import { hasNul } from './saneInput.js';

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

async function readLimited(ctx: Parameters<Middleware>[0], limitBytes: number): Promise<string> {
  const declared = Number(ctx.get('Content-Length'));
  if (declared > limitBytes) {
    ctx.set('Connection', 'close');
    throw new HttpProblem(413, 'payload-too-large', `The body may be at most ${limitBytes} bytes.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) {
      // Answer instead of resetting: stop reading, and close the connection after the 413 since
      // the rest of the body will not be read.
      ctx.req.pause();
      ctx.set('Connection', 'close');
      throw new HttpProblem(413, 'payload-too-large', `The body may be at most ${limitBytes} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** No request model nests deeper than this; deeper input is refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

/** The deepest nesting of arrays and objects in a JSON text (brackets inside strings ignored). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123 /* [ { */) deepest = Math.max(deepest, ++depth);
    else if (c === 93 || c === 125 /* ] } */) depth--;
  }
  return deepest;
}

export function jsonBody(limitBytes: number): Middleware {
  const parse = parseBody(limitBytes);
  // Requests without a body (every GET) pass straight on, without an async frame of their own.
  return (ctx, next) => (WITH_BODY.has(ctx.method) ? parse(ctx, next) : next());
}

function parseBody(limitBytes: number): Middleware {
  return async (ctx, next) => {
    const length = ctx.get('Content-Length');
    const hasBody = (length !== '' && length !== '0') || ctx.get('Transfer-Encoding') !== '';
    if (!hasBody) {
      ctx.request.body = undefined;
      return next();
    }
    // `curl -d '{…}'` labels JSON as a form; accept that (the operations guide's commands do it).
    const json = ctx.is('application/json', 'application/*+json');
    const curlForm = !json && ctx.is('application/x-www-form-urlencoded');
    if (!json && !curlForm) throw new HttpProblem(415, 'unsupported-media-type', 'Send the body as application/json.');
    const text = await readLimited(ctx, limitBytes);
    if (curlForm && !/^\s*[[{]/.test(text)) throw new HttpProblem(415, 'unsupported-media-type', 'Send the body as application/json.');
    if (hasNul(text)) throw new HttpProblem(400, 'bad-character', 'The body contains a NUL character, which no field accepts.');
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      throw new HttpProblem(400, 'too-deep', `The body nests deeper than ${MAX_JSON_DEPTH} levels.`);
    }
    try {
      ctx.request.body = text.trim() === '' ? undefined : (JSON.parse(text) as unknown);
    } catch (error) {
      throw new HttpProblem(400, 'malformed-json', `The body is not valid JSON: ${(error as Error).message}`);
    }
    await next();
  };
}
