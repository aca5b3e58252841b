-- Where each projection has got to in the global event order. The runner moves it in the same
-- transaction as the read-model writes, with compare-and-set on the old value, so a batch is
-- applied exactly once even across crashes and takeovers.
-- (commit_position, event_position) is the store's checkpoint pair: for the SQL store the writer's
-- transaction id and the event's position; for EventStoreDB the commit and prepare positions.
CREATE TABLE projection_checkpoints (
  projection text PRIMARY KEY,
  commit_position bigint NOT NULL DEFAULT 0,
  event_position bigint NOT NULL DEFAULT 0,
  events_applied bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
