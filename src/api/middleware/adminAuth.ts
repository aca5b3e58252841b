// Admin and debug endpoints: only clients on the allowed networks (403 otherwise), and only with
// `Authorization: Bearer <ADMIN_TOKEN>` (401 otherwise). Without a configured token they are shut.
import type { Middleware } from 'koa';
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpProblem } from '../problem.js';
import type { AddressRanges } from './clientAddress.js';

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerToken(authorization: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export function requireAdmin(options: { token?: string; allowed: AddressRanges }): Middleware {
  return async (ctx, next) => {
    if (!options.allowed.has(ctx.state.clientAddress)) {
      throw new HttpProblem(403, 'forbidden-network', 'Admin endpoints only answer clients on the allowed networks.');
    }
    if (!options.token) {
      throw new HttpProblem(401, 'admin-disabled', 'Admin endpoints are disabled: set ADMIN_TOKEN to enable them.');
    }
    const given = bearerToken(ctx.get('Authorization'));
    if (!given || !secretsEqual(given, options.token)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="paiban-admin"');
      throw new HttpProblem(401, 'unauthorized', 'Send Authorization: Bearer <ADMIN_TOKEN>.');
    }
    ctx.state.actor = 'admin';
    await next();
  };
}

declare module 'koa' {
  interface DefaultState {
    /** Who acts: an API key id, or `admin`; recorded as the actor of the events a request appends. */
    actor?: string;
  }
}
