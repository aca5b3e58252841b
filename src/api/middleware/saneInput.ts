// Text no resource or field can contain: control characters and broken Unicode (lone surrogates).
// PostgreSQL refuses NUL in text and jsonb, so such input would otherwise fail deep inside a query.
// A path with it names nothing (404); a query string or body with it is a bad request (400).
import type { Middleware } from 'koa';
import { HttpProblem } from '../problem.js';

const CONTROL_OR_BROKEN = /[\p{Cc}\p{Cs}]/u;
// JSON text escapes: \u0000-\u001f and lone surrogate escapes inside strings. Tab, newline and
// carriage return are ordinary whitespace in free text (a reason, a name), so they stay allowed.
const ESCAPED_NUL = /\\u0000/i;

function decodedPath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

export function saneInput(): Middleware {
  // Not async: returns next() instead of awaiting it (one promise fewer per request); a throw here
  // still reaches the problems middleware as a rejection (koa-compose catches it).
  return (ctx, next) => {
    // Most paths have no escapes and most reads no query string: skip decoding and parsing then.
    const path = ctx.path.includes('%') ? decodedPath(ctx.path) : ctx.path;
    if (path === undefined || CONTROL_OR_BROKEN.test(path)) throw new HttpProblem(404, 'not-found', 'No such resource.');
    if (ctx.querystring) {
      for (const [name, value] of Object.entries(ctx.query)) {
        const values = Array.isArray(value) ? value : [value ?? ''];
        if (CONTROL_OR_BROKEN.test(name) || values.some((v) => CONTROL_OR_BROKEN.test(v))) {
          throw new HttpProblem(400, 'bad-query', `Query parameter "${name.replace(CONTROL_OR_BROKEN, '?')}" contains control characters or broken Unicode.`);
        }
      }
    }
    return next();
  };
}

/** True when parsed JSON text holds a NUL character, which nothing can store. */
export function hasNul(jsonText: string): boolean {
  return jsonText.includes('\u0000') || ESCAPED_NUL.test(jsonText);
}
