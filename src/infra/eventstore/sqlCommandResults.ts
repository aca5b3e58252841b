// The CommandResultStore on the command_results table (migrations/002).
import type { CommandResultStore, StoredCommandResult } from '../../commands/idempotency.js';
import type { Queryable } from '../database.js';
import type { JsonObject } from './eventStore.js';

const FIND = 'SELECT command_id, fingerprint, result FROM command_results WHERE org_id = $1 AND idempotency_key = $2';

// Inserted unless the key has a result; the select then returns the first one either way.
const SAVE = `
  INSERT INTO command_results (org_id, idempotency_key, command_id, fingerprint, result)
  VALUES ($1, $2, $3, $4, $5::jsonb)
  ON CONFLICT (org_id, idempotency_key) DO NOTHING
  RETURNING command_id, fingerprint, result`;

interface ResultRow {
  command_id: string;
  fingerprint: string;
  result: JsonObject;
}

const toStored = (row: ResultRow): StoredCommandResult => ({ commandId: row.command_id, fingerprint: row.fingerprint, result: row.result });

export function sqlCommandResults(database: Queryable): CommandResultStore {
  const find = async (orgId: string, key: string) => {
    const { rows } = await database.query<ResultRow>(FIND, [orgId, key]);
    return rows[0] ? toStored(rows[0]) : undefined;
  };
  return {
    find,
    async save(orgId, key, record) {
      const { rows } = await database.query<ResultRow>(SAVE, [orgId, key, record.commandId, record.fingerprint, JSON.stringify(record.result)]);
      if (rows[0]) return { kept: toStored(rows[0]), saved: true };
      const first = await find(orgId, key);
      if (!first) throw new Error(`command result for key ${key} vanished while saving`);
      return { kept: first, saved: false };
    },
  };
}
