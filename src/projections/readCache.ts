// Read-through cache for schedule queries. Every cached answer of a schedule is keyed under that
// schedule's current token; the projection replaces the token after each commit that touches the
// schedule, which invalidates all its answers (assignments by employee, by day range, …) with one
// write and no key scans. When the cache is down, every read is a miss and goes to the database.
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

  private async token(ref: ScheduleRef): Promise<string> {
    const key = this.tokenKey(ref);
    const existing = await this.cache.get(key);
    if (existing) return existing;
    const fresh = randomUUID();
    // A concurrent reader may have set one first: use whichever won.
    if (await this.cache.add(key, fresh, TOKEN_TTL_SECONDS)) return fresh;
    return (await this.cache.get(key)) ?? fresh;
  }

  /** The cached answer for `resource` of the schedule, or `load()`'s (then cached). */
  async read<T>(ref: ScheduleRef, resource: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const token = await this.token(ref);
    const key = `schedule:${ref.orgId}:${ref.scheduleId}:${token}:${resource}`;
    const cached = await this.cache.get(key);
    if (cached !== undefined) {
      cacheRequests.inc({ result: 'hit' });
      return JSON.parse(cached) as T;
    }
    cacheRequests.inc({ result: 'miss' });
    const value = await load();
    // Only cache under the token read before loading: an invalidation meanwhile replaced it, so
    // this possibly stale answer lands under a key nobody reads again.
    if (value !== undefined) await this.cache.set(key, JSON.stringify(value), this.ttlSeconds);
    return value;
  }

  async invalidate(refs: readonly ScheduleRef[]): Promise<void> {
    await Promise.all(refs.map((ref) => this.cache.set(this.tokenKey(ref), randomUUID(), TOKEN_TTL_SECONDS)));
  }
}
