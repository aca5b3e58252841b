// Read-through cache for schedule queries. Every cached answer of a schedule carries the token the
// schedule had when it was computed; the projection replaces the token after each commit that
// touches the schedule, which invalidates all its answers (assignments by employee, by day range,
// …) with one write and no key scans. A read fetches the token and the answer in one round trip.
// When the cache is down, every read is a miss and goes to the database.
//
// In front of the shared cache sits a small in-process layer: each schedule's token is remembered
// for `localTokenMs` (fetched at most once at a time, refreshed in the background past half that),
// and the answers under it in a bounded LRU, so a hot read costs no round trip. An answer is still only served under the token it was
// computed with; what the local layer adds is that another instance's invalidation is seen up to
// `localTokenMs` late (the read side already lags the write side by the projection). This
// instance's own invalidations take effect at once.
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import type { Cache } from '../infra/cache.js';
import { registry } from '../infra/metrics.js';
import type { ScheduleRef } from './schedulesProjection.js';

// Hits are counted in a plain number and added to the counter whenever it is read (each scrape):
// prom-client hashes and validates the label object on every inc(), a noticeable share of a hit.
let unreportedHits = 0;
const countHit = () => void unreportedHits++;

const cacheRequests: Counter<'result'> = new Counter({
  name: 'cache_requests_total',
  help: 'Read-cache lookups by result.',
  labelNames: ['result'] as const,
  registers: [registry],
  collect() {
    if (unreportedHits === 0) return;
    cacheRequests.inc({ result: 'hit' }, unreportedHits);
    unreportedHits = 0;
  },
});
cacheRequests.inc({ result: 'hit' }, 0);
cacheRequests.inc({ result: 'miss' }, 0);

const TOKEN_TTL_SECONDS = 24 * 3600;

export interface ReadCacheOptions {
  /** How long an answer may stay cached even without invalidation (a safety net). */
  ttlSeconds?: number;
  /** How long a schedule's token is trusted without asking the shared cache; 0 turns the local layer off. */
  localTokenMs?: number;
  /** How many answers the local layer keeps (least recently used go first). */
  localAnswers?: number;
  now?: () => number;
}

interface LocalToken {
  /** undefined: the shared cache had no token (the next miss creates one). */
  token: string | undefined;
  fetchedAt: number;
}

interface Entry<T> {
  token: string;
  value: T;
  /** `value` as JSON, made the first time an answer is sent from this entry, then reused. */
  json?: string;
}

/** A cached answer with its JSON text, for sending it without serialising it again. */
export interface Served<T> {
  value: T;
  json: string;
}

export class ReadCache {
  private readonly ttlSeconds: number;
  private readonly localTokenMs: number;
  private readonly maxLocalAnswers: number;
  private readonly now: () => number;
  private readonly localTokens = new Map<string, LocalToken>();
  private readonly localAnswers = new Map<string, Entry<unknown>>();
  /** The key last moved to the end of localAnswers (most recently used). */
  private lastUsedAnswer: string | undefined;
  /** One shared-cache lookup per token key at a time; concurrent readers wait for it. */
  private readonly pending = new Map<string, { since: LocalToken | undefined; lookup: Promise<[string | undefined, string | undefined]> }>();

  constructor(
    private readonly cache: Cache,
    options: ReadCacheOptions | number = {},
  ) {
    const settings = typeof options === 'number' ? { ttlSeconds: options } : options;
    this.ttlSeconds = settings.ttlSeconds ?? 300;
    this.localTokenMs = settings.localTokenMs ?? 200;
    this.maxLocalAnswers = settings.localAnswers ?? 1000;
    this.now = settings.now ?? Date.now;
  }

  private tokenKey(ref: ScheduleRef): string {
    return `schedule-token:${ref.orgId}:${ref.scheduleId}`;
  }

  /** A token for a schedule that has none (expired, or never read): whoever adds first wins. */
  private async newToken(ref: ScheduleRef): Promise<string> {
    const fresh = randomUUID();
    if (await this.cache.add(this.tokenKey(ref), fresh, TOKEN_TTL_SECONDS)) return fresh;
    return (await this.cache.get(this.tokenKey(ref))) ?? fresh;
  }

  private rememberToken(tokenKey: string, token: string | undefined): void {
    this.localTokens.delete(tokenKey);
    this.localTokens.set(tokenKey, { token, fetchedAt: this.now() });
    // Bounded like the answers: a token per schedule read recently is plenty.
    if (this.localTokens.size > this.maxLocalAnswers) this.localTokens.delete(this.localTokens.keys().next().value as string);
  }

  private rememberAnswer(key: string, entry: Entry<unknown>): void {
    if (this.localTokenMs <= 0) return;
    this.localAnswers.delete(key);
    this.localAnswers.set(key, entry);
    this.lastUsedAnswer = key;
    if (this.localAnswers.size > this.maxLocalAnswers) this.localAnswers.delete(this.localAnswers.keys().next().value as string);
  }

  /** The locally cached answer when its token is the schedule's current one (as trusted locally). */
  private localHit<T>(tokenKey: string, key: string): Entry<T> | undefined {
    const known = this.localTokens.get(tokenKey);
    if (!known || known.token === undefined) return undefined;
    const age = this.now() - known.fetchedAt;
    if (age >= this.localTokenMs) return undefined;
    const entry = this.localAnswers.get(key) as Entry<T> | undefined;
    if (!entry || entry.token !== known.token) return undefined;
    // Past half its life the token is refreshed in the background, so hot readers never wait for
    // the shared cache (the staleness bound stays localTokenMs).
    if (age >= this.localTokenMs / 2) void this.fetchShared(tokenKey, key).catch(() => undefined);
    // Most recently used last (it already is when it was also the last one used).
    if (key !== this.lastUsedAnswer) {
      this.localAnswers.delete(key);
      this.localAnswers.set(key, entry);
      this.lastUsedAnswer = key;
    }
    return entry;
  }

  /** Token and answer from the shared cache; the token is remembered locally unless an invalidation overtook the lookup. */
  private fetchShared(tokenKey: string, key: string): Promise<[string | undefined, string | undefined]> {
    const lookupKey = `${tokenKey}\n${key}`;
    const before = this.localTokens.get(tokenKey);
    const inFlight = this.pending.get(lookupKey);
    // Joined only when no invalidation came since it started: its answer could predate that one.
    if (inFlight && inFlight.since === before) return inFlight.lookup;
    const lookup = this.cache
      .getMany([tokenKey, key])
      .then(([token, cached]): [string | undefined, string | undefined] => {
        if (this.localTokenMs > 0 && this.localTokens.get(tokenKey) === before) this.rememberToken(tokenKey, token);
        return [token, cached];
      })
      .finally(() => {
        if (this.pending.get(lookupKey)?.lookup === lookup) this.pending.delete(lookupKey);
      });
    this.pending.set(lookupKey, { since: before, lookup });
    return lookup;
  }

  /** The cached answer for `resource` of the schedule, or `load()`'s (then cached). */
  async read<T>(ref: ScheduleRef, resource: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    return (await this.readEntry(ref, resource, load))?.value;
  }

  /**
   * Like `read`, with the answer's JSON text: an answer served from the in-process layer is
   * serialised once, not once per request.
   */
  async readServed<T>(ref: ScheduleRef, resource: string, load: () => Promise<T | undefined>): Promise<Served<T> | undefined> {
    const entry = await this.readEntry(ref, resource, load);
    if (!entry) return undefined;
    entry.json ??= JSON.stringify(entry.value);
    return entry as Served<T>;
  }

  /**
   * The answer `readServed` would give when the in-process layer has it, without a promise;
   * undefined when it would have to ask the shared cache or load.
   */
  servedFromMemory<T>(ref: ScheduleRef, resource: string): Served<T> | undefined {
    const entry = this.localHit<T>(this.tokenKey(ref), this.answerKey(ref, resource));
    if (!entry) return undefined;
    countHit();
    entry.json ??= JSON.stringify(entry.value);
    return entry as Served<T>;
  }

  private answerKey(ref: ScheduleRef, resource: string): string {
    return `schedule:${ref.orgId}:${ref.scheduleId}:${resource}`;
  }

  private async readEntry<T>(ref: ScheduleRef, resource: string, load: () => Promise<T | undefined>): Promise<Entry<T> | undefined> {
    const tokenKey = this.tokenKey(ref);
    const key = this.answerKey(ref, resource);
    const local = this.localHit<T>(tokenKey, key);
    if (local) {
      countHit();
      return local;
    }
    const [currentToken, cached] = await this.fetchShared(tokenKey, key);
    if (currentToken !== undefined && cached !== undefined) {
      const entry = JSON.parse(cached) as Entry<T>;
      if (entry.token === currentToken) {
        this.rememberAnswer(key, entry);
        countHit();
        return entry;
      }
    }
    cacheRequests.inc({ result: 'miss' });
    const token = currentToken ?? (await this.newToken(ref));
    // A token this read created is the current one unless an invalidation came meanwhile.
    if (currentToken === undefined && this.localTokens.get(tokenKey)?.token === undefined && this.localTokenMs > 0) this.rememberToken(tokenKey, token);
    const value = await load();
    if (value === undefined) return undefined;
    // Stored with the token read before loading: if an invalidation replaced it meanwhile, this
    // possibly stale answer is never served.
    const entry: Entry<T> = { token, value };
    await this.cache.set(key, JSON.stringify(entry), this.ttlSeconds);
    this.rememberAnswer(key, entry);
    return entry;
  }

  async invalidate(refs: readonly ScheduleRef[]): Promise<void> {
    await Promise.all(
      refs.map(async (ref) => {
        const token = randomUUID();
        const tokenKey = this.tokenKey(ref);
        // Locally first, so this instance never serves an older answer once the commit is done.
        if (this.localTokenMs > 0) this.rememberToken(tokenKey, token);
        await this.cache.set(tokenKey, token, TOKEN_TTL_SECONDS);
      }),
    );
  }
}
