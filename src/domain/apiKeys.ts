// API keys: issued by an admin for one organisation with scopes, revoked at once. One stream per key.
import * as t from 'io-ts';
import { strictObject } from './rosterCodecSupport.js';

export const SCOPES = ['schedule', 'dispatch'] as const;
export const Scope = t.keyof({ schedule: null, dispatch: null }, 'schedule | dispatch');
export type Scope = t.TypeOf<typeof Scope>;

export const DEFAULT_ORG = 'default';

const OrgId = t.refinement(t.string, (s) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(s), 'an org id (letters, digits, _ . -; at most 63)');
const KeyName = t.refinement(t.string, (s) => s.trim().length > 0 && s.length <= 200, 'a name (1-200 characters)');
const Timestamp = t.refinement(t.string, (s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d\d-\d\dT/.test(s), 'an ISO 8601 timestamp');

/** The body of POST /api/v1/admin/keys (snake_case, as the operations guide writes it). */
export const IssueKeyBody = strictObject(
  'IssueKeyBody',
  { name: KeyName, scopes: t.refinement(t.array(Scope), (s) => s.length > 0 && new Set(s).size === s.length, 'one or more distinct scopes') },
  { org_id: OrgId, expires_at: Timestamp },
);
export type IssueKeyBody = t.TypeOf<typeof IssueKeyBody>;

/** What a key is: the same fields in the command that issues it and the event that records it. */
const KeyFields = {
  keyId: t.string,
  orgId: t.string,
  name: t.string,
  scopes: t.array(Scope),
  /** SHA-256 of the secret, hex; the secret itself is never stored. */
  secretHash: t.string,
  expiresAt: t.union([t.string, t.null]),
};

export const IssueApiKey = t.type({ type: t.literal('IssueApiKey'), ...KeyFields });
export const RevokeApiKey = t.type({ type: t.literal('RevokeApiKey'), keyId: t.string });
export const ApiKeyCommand = t.union([IssueApiKey, RevokeApiKey]);
export type ApiKeyCommand = t.TypeOf<typeof ApiKeyCommand>;

export const ApiKeyIssued = t.type({ type: t.literal('ApiKeyIssued'), ...KeyFields });
export const ApiKeyRevoked = t.type({ type: t.literal('ApiKeyRevoked'), keyId: t.string });
export const ApiKeyEvent = t.union([ApiKeyIssued, ApiKeyRevoked]);
export type ApiKeyEvent = t.TypeOf<typeof ApiKeyEvent>;

export const ApiKeyRejection = t.type({ code: t.union([t.literal('already-exists'), t.literal('not-found'), t.literal('already-revoked')]), message: t.string });
export type ApiKeyRejection = t.TypeOf<typeof ApiKeyRejection>;

/** Keys live in the admin's realm: their stream ids do not depend on the org. */
export const streamIdOfKey = (keyId: string): string => `apikey-${keyId}`;
