// API-key authentication. A key is `pb_<key id>_<secret>`, sent as `Authorization: Bearer …` or
// `X-API-Key: …`. Its state is folded from the key's own event stream (the source of truth) and
// cached for at most `cacheMs` (half a second), so a revocation is refused everywhere within a
// second.
import type { Middleware } from 'koa';
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { decodeEvents } from '../../commands/commandHandler.js';
import { apiKeyDecider, usable, type ApiKeyState } from '../../commands/apiKeyDecider.js';
import { fold } from '../../commands/decider.js';
import { ApiKeyEvent, streamIdOfKey, type Scope } from '../../domain/apiKeys.js';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { HttpProblem } from '../problem.js';
import { bearerToken } from './adminAuth.js';

export interface AuthContext {
  keyId: string;
  orgId: string;
  scopes: readonly Scope[];
}

declare module 'koa' {
  interface DefaultState {
    auth?: AuthContext;
    /** Why a presented key was not accepted (for the 401's detail). */
    authFailure?: string;
  }
}

const KEY_FORMAT = /^pb_([0-9a-f]{16})_([A-Za-z0-9_-]{20,128})$/;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export const formatKey = (keyId: string, secret: string): string => `pb_${keyId}_${secret}`;

/** A key's context, or why it is refused; synchronous when the key's state is cached. */
export type KeyVerifier = (token: string) => AuthContext | string | Promise<AuthContext | string>;

interface SecretCheck {
  /** The stored secret hash as bytes, decoded once per loaded key state rather than per request. */
  expected: Buffer;
  /**
   * The secret last presented that matched, as bytes. Later requests with it are compared to it
   * (in constant time) instead of hashing it again, which is most of the cost of a cached read.
   * It lives as long as this key state stays cached (half a second): a reload starts over.
   */
  accepted?: Buffer;
}

const secretChecks = new WeakMap<ApiKeyState, SecretCheck>();
function secretCheckOf(state: ApiKeyState): SecretCheck {
  let check = secretChecks.get(state);
  if (!check) {
    check = { expected: Buffer.from(state.secretHash || '0'.repeat(64), 'hex') };
    secretChecks.set(state, check);
  }
  return check;
}

/** Whether `secret` is the key's secret: compared with the last accepted one, else hashed. */
function secretMatches(state: ApiKeyState, secret: string): boolean {
  const check = secretCheckOf(state);
  // The key format admits ASCII only, so latin1 gives the same bytes as UTF-8, faster.
  const given = Buffer.from(secret, 'latin1');
  if (check.accepted && given.length === check.accepted.length && timingSafeEqual(given, check.accepted)) return true;
  // One-shot hash: no Hash object per request.
  const digest = hash('sha256', secret, 'buffer');
  const matches = digest.length === check.expected.length && timingSafeEqual(digest, check.expected);
  if (matches) check.accepted = given;
  return matches;
}

/** Checks a presented key: its context, or why it is refused. */
export function keyVerifier(eventStore: EventStore, cacheMs = 500, now: () => Date = () => new Date()): KeyVerifier {
  const cache = new Map<string, { state: ApiKeyState; loadedAt: number }>();
  // When a hot key's entry expires, every request in flight would read its stream at once; they
  // share one read instead.
  const loading = new Map<string, Promise<ApiKeyState>>();
  const readState = async (keyId: string): Promise<ApiKeyState> => {
    const state = fold(apiKeyDecider, decodeEvents(ApiKeyEvent, await eventStore.readStream(streamIdOfKey(keyId))));
    if (cache.size >= 10_000) cache.delete(cache.keys().next().value as string);
    cache.set(keyId, { state, loadedAt: Date.now() });
    return state;
  };
  /** The key's state: cached (no promise), or the one read in flight. */
  const load = (keyId: string): ApiKeyState | Promise<ApiKeyState> => {
    const hit = cache.get(keyId);
    if (hit && Date.now() - hit.loadedAt < cacheMs) return hit.state;
    const inFlight = loading.get(keyId);
    if (inFlight) return inFlight;
    const read = readState(keyId).finally(() => loading.delete(keyId));
    loading.set(keyId, read);
    return read;
  };
  const check = (keyId: string, secret: string, state: ApiKeyState): AuthContext | string => {
    // Checked even for a key that does not exist, so the answer takes as long as for a wrong secret.
    const matches = secretMatches(state, secret);
    if (!state.exists || !matches) return 'unknown API key';
    if (!usable(state, now())) return state.revoked ? 'the API key was revoked' : 'the API key has expired';
    return { keyId, orgId: state.orgId, scopes: state.scopes };
  };
  return (token) => {
    const match = KEY_FORMAT.exec(token);
    if (!match) return 'the API key is malformed';
    const [, keyId, secret] = match;
    const state = load(keyId);
    return state instanceof Promise ? state.then((loaded) => check(keyId, secret, loaded)) : check(keyId, secret, state);
  };
}

/** The API key a request presents, if any (an admin bearer token is not one). */
function presentedKey(authorization: string, apiKeyHeader: string): string | undefined {
  if (apiKeyHeader) return apiKeyHeader.trim();
  const bearer = bearerToken(authorization);
  return bearer?.startsWith('pb_') ? bearer : undefined;
}

/** Identifies the caller when it presents a key; refusing is left to requireScope. */
export function authenticate(verify: KeyVerifier): Middleware {
  const record = (ctx: Parameters<Middleware>[0], result: AuthContext | string) => {
    if (typeof result === 'string') ctx.state.authFailure = result;
    else {
      ctx.state.auth = result;
      ctx.state.actor = result.keyId;
    }
  };
  // Not async: a key whose state is cached is checked without a promise of its own.
  return (ctx, next) => {
    const token = presentedKey(ctx.get('Authorization'), ctx.get('X-API-Key'));
    if (!token) return next();
    const result = verify(token);
    if (result instanceof Promise) {
      return result.then((verified) => {
        record(ctx, verified);
        return next();
      });
    }
    record(ctx, result);
    return next();
  };
}

/** 401 without a valid key, 403 when the key lacks `scope`. */
export function requireScope(scope: Scope): Middleware {
  // Not async: a refusal thrown here reaches the problems middleware as a rejection all the same.
  return (ctx, next) => {
    const auth = ctx.state.auth;
    if (!auth) {
      ctx.set('WWW-Authenticate', 'Bearer realm="paiban"');
      throw new HttpProblem(401, 'unauthorized', ctx.state.authFailure ?? 'Send an API key: Authorization: Bearer pb_… or X-API-Key.');
    }
    if (!auth.scopes.includes(scope)) {
      throw new HttpProblem(403, 'missing-scope', `This key lacks the "${scope}" scope.`, { required_scope: scope });
    }
    return next();
  };
}
