-- API keys as listed by GET /api/v1/admin/keys (the `api-keys` projection). Authentication reads
-- the key's own event stream, so a revocation takes effect without waiting for this table.
CREATE TABLE api_keys (
  key_id text PRIMARY KEY,
  org_id text NOT NULL,
  name text NOT NULL,
  scopes text[] NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz,
  revoked_by text
);
CREATE INDEX api_keys_by_org ON api_keys (org_id, created_at);
