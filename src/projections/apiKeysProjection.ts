// The `api-keys` projection: key streams → the api_keys listing (never the secret or its hash).
import { isLeft } from 'fp-ts/lib/Either.js';
import { ApiKeyEvent } from '../domain/apiKeys.js';
import type { Projection } from './projection.js';

const INSERT = `
  INSERT INTO api_keys (key_id, org_id, name, scopes, created_at, created_by, expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7)`;
const REVOKE = `UPDATE api_keys SET revoked_at = $2, revoked_by = $3 WHERE key_id = $1`;

export function apiKeysProjection(): Projection {
  return {
    name: 'api-keys',
    tables: ['api_keys'],
    async apply(tx, recorded) {
      if (!recorded.streamId.startsWith('apikey-')) return;
      const decoded = ApiKeyEvent.decode({ ...recorded.data, type: recorded.type });
      if (isLeft(decoded)) return;
      const event = decoded.right;
      const actor = typeof recorded.metadata.actorKeyId === 'string' ? recorded.metadata.actorKeyId : 'unknown';
      switch (event.type) {
        case 'ApiKeyIssued':
          await tx.query(INSERT, [event.keyId, event.orgId, event.name, event.scopes, recorded.recordedAt, actor, event.expiresAt]);
          return;
        case 'ApiKeyRevoked':
          await tx.query(REVOKE, [event.keyId, recorded.recordedAt, actor]);
          return;
        default: {
          const unknown: never = event;
          return unknown;
        }
      }
    },
  };
}
