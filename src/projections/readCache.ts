// Read-through cache for schedule queries. Every cached answer of a schedule carries the token the
// schedule had when it was computed; the projection replaces the token after each commit that
// touches the schedule, which invalidates all its answers (assignments by employee, by day range,
// …) with one write and no key scans. A read fetches the token and the answer in one round trip.
// When the cache is down, every read is a miss and goes to the database.
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import type { Cache } from '../infra/cache.js';
import { registry } from '../infra/metrics.js';
import type { ScheduleRef } from './schedulesProjection.js';

const cacheRequests = new Counter({
  name: 'cache_requests_total',
  help: 'Read-cache lookups by result.',
  labelNames: ['result'] as const,
  registers: [registry],
});
cacheRequests.inc({ result: 'hit' }, 0);
cacheRequests.inc({ result: 'miss' }, 0);

const TOKEN_TTL_SECONDS = 24 * 3600;

export class ReadCache {
  constructor(
    private readonly cache: Cache,
    /** How long an answer may stay cached even without invalidation (a safety net). */
    private readonly ttlSeconds = 300,
  ) {}

  private tokenKey(ref: ScheduleRef): string {
    return `schedule-token:${ref.orgId}:${ref.scheduleId}`;
  }

  /** A token for a schedule that has none (expired, or never read): whoever adds first wins. */
  private async newToken(ref: ScheduleRef): Promise<string> {
    const fresh = randomUUID();
    if (await this.cache.add(this.tokenKey(ref), fresh, TOKEN_TTL_SECONDS)) return fresh;
    return (await this.cache.get(this.tokenKey(ref))) ?? fresh;
  }

  /** The cached answer for `resource` of the schedule, or `load()`'s (then cached). */
  async read<T>(ref: ScheduleRef, resource: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const key = `schedule:${ref.orgId}:${ref.scheduleId}:${resource}`;
    const [currentToken, cached] = await this.cache.getMany([this.tokenKey(ref), key]);
    if (currentToken !== undefined && cached !== undefined) {
      const entry = JSON.parse(cached) as { token: string; value: T };
      if (entry.token === currentToken) {
        cacheRequests.inc({ result: 'hit' });
        return entry.value;
      }
    }
    cacheRequests.inc({ result: 'miss' });
    const token = currentToken ?? (await this.newToken(ref));
    const value = await load();
    // Stored with the token read before loading: if an invalidation replaced it meanwhile, this
    // possibly stale answer is never served.
    if (value !== undefined) await this.cache.set(key, JSON.stringify({ token, value }), this.ttlSeconds);
    return value;
  }

  async invalidate(refs: readonly ScheduleRef[]): Promise<void> {
    await Promise.all(refs.map((ref) => this.cache.set(this.tokenKey(ref), randomUUID(), TOKEN_TTL_SECONDS)));
  }
}
