-- The first result of every command, keyed by org and idempotency key (the Idempotency-Key header,
-- or the command id when none was given). A retried command returns this row and appends nothing.
-- `fingerprint` detects a key reused for a different command.
CREATE TABLE command_results (
  org_id text NOT NULL,
  idempotency_key text NOT NULL,
  command_id text NOT NULL,
  fingerprint text NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, idempotency_key)
);

CREATE INDEX command_results_created_at ON command_results (created_at);
