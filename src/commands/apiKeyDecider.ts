// The rules of an API key: issued once, revoked once, never used after revocation or expiry.
import type { Aggregate } from './commandHandler.js';
import { accept, reject, type Decider } from './decider.js';
import { ApiKeyCommand, ApiKeyEvent, ApiKeyRejection, streamIdOfKey, type Scope } from '../domain/apiKeys.js';

export interface ApiKeyState {
  exists: boolean;
  keyId: string;
  orgId: string;
  name: string;
  scopes: readonly Scope[];
  secretHash: string;
  expiresAt: string | null;
  revoked: boolean;
}

const initialState: ApiKeyState = { exists: false, keyId: '', orgId: '', name: '', scopes: [], secretHash: '', expiresAt: null, revoked: false };

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState, ApiKeyRejection> = {
  initialState,
  evolve(state, event) {
    switch (event.type) {
      case 'ApiKeyIssued': {
        const { keyId, orgId, name, scopes, secretHash, expiresAt } = event;
        return { ...state, exists: true, keyId, orgId, name, scopes, secretHash, expiresAt };
      }
      case 'ApiKeyRevoked':
        return { ...state, revoked: true };
      default: {
        const unknown: never = event;
        return unknown;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'IssueApiKey': {
        if (state.exists) return reject({ code: 'already-exists', message: `key ${command.keyId} already exists` });
        const { keyId, orgId, name, scopes, secretHash, expiresAt } = command;
        return accept({ type: 'ApiKeyIssued', keyId, orgId, name, scopes, secretHash, expiresAt });
      }
      case 'RevokeApiKey':
        if (!state.exists) return reject({ code: 'not-found', message: `no key ${command.keyId}` });
        if (state.revoked) return reject({ code: 'already-revoked', message: `key ${command.keyId} is already revoked` });
        return accept({ type: 'ApiKeyRevoked', keyId: command.keyId });
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};

export const apiKeyAggregate: Aggregate<ApiKeyCommand, ApiKeyEvent, ApiKeyState, ApiKeyRejection> = {
  name: 'api-key',
  commandCodec: ApiKeyCommand,
  eventCodec: ApiKeyEvent,
  rejectionCodec: ApiKeyRejection,
  decider: apiKeyDecider,
  streamId: (command) => streamIdOfKey(command.keyId),
};

/** Whether a key (as folded from its stream) may be used at `now`. */
export function usable(state: ApiKeyState, now: Date): boolean {
  return state.exists && !state.revoked && (state.expiresAt === null || Date.parse(state.expiresAt) > now.getTime());
}
