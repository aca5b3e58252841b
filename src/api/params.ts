// Path parameters are ids: a value that cannot be one (control characters, a lone surrogate of
// broken Unicode, more than 100 characters — the longest id the codecs accept) names nothing, so
// it is answered 404 before it reaches a query.
import type { Middleware } from 'koa';
import { HttpProblem } from './problem.js';

const ID = /^[^\p{Cc}\p{Cs}]{1,100}$/u;

export const isSaneId = (value: string): boolean => ID.test(value);

/** For `router.param(name, saneIdParam)`. */
export function saneIdParam(value: string, ctx: Parameters<Middleware>[0], next: () => Promise<unknown>): Promise<unknown> {
  if (!isSaneId(value)) throw new HttpProblem(404, 'not-found', 'No such resource.');
  return next();
}
