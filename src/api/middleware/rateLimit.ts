// Request rate limits per API key (per client address when unauthenticated), counted in Redis so
// every instance shares them; while Redis is unreachable each instance counts in memory instead.
// Answers 429 with Retry-After, and RateLimit-* headers on every limited response.
import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpProblem } from '../problem.js';

export interface RateLimitOptions {
  perKeyPerMinute: number;
  perAddressPerMinute: number;
  /** Shared counters; absent: in-process counters only (the embedded, single-process setup). */
  redis?: Redis;
}

function limiter(points: number, prefix: string, redis?: Redis): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points, duration: 60, keyPrefix: prefix });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis, points, duration: 60, keyPrefix: `ratelimit:${prefix}`, insuranceLimiter: memory });
}

function setHeaders(ctx: Parameters<Middleware>[0], limit: number, result: RateLimiterRes): void {
  ctx.set('RateLimit-Limit', String(limit));
  ctx.set('RateLimit-Remaining', String(Math.max(0, result.remainingPoints)));
  ctx.set('RateLimit-Reset', String(Math.ceil(result.msBeforeNext / 1000)));
}

export function rateLimit(options: RateLimitOptions): Middleware {
  const perKey = limiter(options.perKeyPerMinute, 'key', options.redis);
  const perAddress = limiter(options.perAddressPerMinute, 'ip', options.redis);
  return async (ctx, next) => {
    const keyId = ctx.state.auth?.keyId;
    const [bucket, id, limit] = keyId ? [perKey, keyId, options.perKeyPerMinute] : [perAddress, ctx.state.clientAddress, options.perAddressPerMinute];
    try {
      setHeaders(ctx, limit, await bucket.consume(id));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      setHeaders(ctx, limit, rejection);
      const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      ctx.set('Retry-After', String(retryAfter));
      throw new HttpProblem(429, 'rate-limited', `Too many requests; retry after ${retryAfter} s.`);
    }
    await next();
  };
}
