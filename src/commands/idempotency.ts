// Idempotent commands: the first result of a command is kept under its org and idempotency key
// (the Idempotency-Key header, or the command id), and a retry gets that result back instead of
// running again. Event ids are derived from the key too, so even a retry that finds no stored
// result (the first attempt crashed after appending) cannot append the same events twice.
import { createHash } from 'node:crypto';
import type { JsonObject } from '../infra/eventstore/eventStore.js';

/** A command's first result as kept by a CommandResultStore. */
export interface StoredCommandResult {
  readonly commandId: string;
  /** Hash of the command's aggregate and input: tells a retry from a reused key. */
  readonly fingerprint: string;
  readonly result: JsonObject;
}

/** Where first results are kept (SQL adapter: src/infra/eventstore/sqlCommandResults.ts). */
export interface CommandResultStore {
  find(orgId: string, idempotencyKey: string): Promise<StoredCommandResult | undefined>;
  /**
   * Keeps `record` unless the key already has a result. Returns the result kept (the first one)
   * and whether it is `record` (false: another attempt got there first).
   */
  save(orgId: string, idempotencyKey: string, record: StoredCommandResult): Promise<{ kept: StoredCommandResult; saved: boolean }>;
}

/** JSON with object keys sorted, so equal values always hash alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function commandFingerprint(aggregate: string, input: unknown): string {
  return createHash('sha256').update(aggregate).update('\0').update(canonicalJson(input)).digest('hex');
}

/** A name-based UUID (RFC 4122 version 5 layout over SHA-1) for the `index`-th event of a command. */
export function eventIdFor(orgId: string, idempotencyKey: string, index: number): string {
  const hash = createHash('sha1').update(`paiban-event\0${orgId}\0${idempotencyKey}\0${index}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** An in-process CommandResultStore, for tests and single-process tools. */
export function inMemoryCommandResults(): CommandResultStore {
  const results = new Map<string, StoredCommandResult>();
  const keyOf = (orgId: string, key: string) => `${orgId}\0${key}`;
  return {
    async find(orgId, key) {
      return results.get(keyOf(orgId, key));
    },
    async save(orgId, key, record) {
      const existing = results.get(keyOf(orgId, key));
      if (existing) return { kept: existing, saved: false };
      results.set(keyOf(orgId, key), record);
      return { kept: record, saved: true };
    },
  };
}
