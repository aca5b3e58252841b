// Small request helpers of the service-order and dispatch routes: strict body decoding, query
// parameters, conditional GETs and ids derived from the Idempotency-Key.
import type { Context } from 'koa';
import { isLeft } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { createHash, randomUUID } from 'node:crypto';
import type { EventStore } from '../../infra/eventstore/eventStore.js';
import { etagOf } from '../commandRequest.js';
import { formatErrors } from '../../domain/fieldErrors.js';
import { HttpProblem, invalidInput } from '../problem.js';

export function decodeBody<A>(codec: t.Decoder<unknown, A>, body: unknown): A {
  const decoded = codec.decode(body ?? {});
  if (isLeft(decoded)) throw invalidInput(formatErrors(decoded.left));
  return decoded.right;
}

export function queryString(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  if (Array.isArray(value)) throw invalidInput([{ path: name, message: 'give it once' }]);
  return value === undefined || value === '' ? undefined : value;
}

export function queryInt(ctx: Context, name: string, min: number, max: number): number | undefined {
  const raw = queryString(ctx, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || value < min || value > max) throw invalidInput([{ path: name, message: `expected an integer ${min}-${max}` }]);
  return value;
}

/** Sets the ETag; answers 304 when the client already has this version. */
export function notModified(ctx: Context, version: number): boolean {
  const etag = etagOf(version);
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', 'private, no-cache');
  const offered = ctx.get('If-None-Match');
  if (offered === '') return false;
  const tags = offered.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (tags.includes(etag) || tags.includes('*')) {
    ctx.status = 304;
    return true;
  }
  return false;
}

/** Answers with JSON text already serialised (what Koa would send for the parsed value). */
export function sendJson(ctx: Context, json: string): void {
  // Set directly: assigning ctx.type looks the media type up again on every request.
  ctx.set('Content-Type', 'application/json; charset=utf-8');
  ctx.body = json;
}

/** A retried request (same Idempotency-Key) must address the same new resource. */
export function newResourceId(orgId: string, idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return randomUUID();
  const hex = createHash('sha256').update(`${orgId}\0${idempotencyKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An opaque cursor for newest-first pagination by (created_at, id). */
export function encodeCursor(cursor: { createdAt: string; id: string } | undefined): string | null {
  return cursor ? Buffer.from(JSON.stringify(cursor)).toString('base64url') : null;
}

export function decodeCursor(ctx: Context): { createdAt: string; id: string } | undefined {
  const raw = queryString(ctx, 'cursor');
  if (!raw) return undefined;
  try {
    const after = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { createdAt: unknown; id: unknown };
    if (typeof after.createdAt !== 'string' || typeof after.id !== 'string' || Number.isNaN(Date.parse(after.createdAt))) throw new Error('bad cursor');
    return { createdAt: after.createdAt, id: after.id };
  } catch {
    throw invalidInput([{ path: 'cursor', message: 'not a cursor this API returned' }]);
  }
}

/**
 * 404 unless the stream has events. Commands on a subject that never existed are answered before
 * the command handler, so junk ids leave no stored command result behind.
 */
export async function requireStream(eventStore: EventStore, streamId: string, what: string): Promise<void> {
  const first = await eventStore.readStream(streamId, { toVersion: 1 });
  if (first.length === 0) throw new HttpProblem(404, 'not-found', `No ${what}.`);
}
