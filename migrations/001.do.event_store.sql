-- The event store: one row per stream holding its head version, and the events themselves.
-- Writers of one stream are serialised by a transaction-scoped advisory lock on the stream.
--
-- Global order: `position` comes from a sequence, so a transaction that took a lower number can
-- commit after one that took a higher number. Each event therefore also records its writer's
-- transaction id; readers only look at transactions below the oldest one still running
-- (pg_snapshot_xmin(pg_current_snapshot())), ordered by (transaction_id, position). Everything
-- below that horizon has finished, so nothing can appear behind a reader's checkpoint later.
--
-- Within one stream that order must also follow the versions, so a writer must get its
-- transaction id only AFTER it holds the stream's lock (the previous writer has then finished, and
-- ids are handed out in increasing order). A row lock (SELECT … FOR UPDATE) would assign the id
-- before waiting, so the stream lock is an advisory lock, and eventstore_append() refuses to run
-- in a transaction that already has an id (one that wrote before, or appended to another stream).
CREATE TABLE event_streams (
  stream_id text PRIMARY KEY,
  version integer NOT NULL CHECK (version >= 0)
);

CREATE TABLE events (
  position bigserial PRIMARY KEY,
  transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id uuid NOT NULL UNIQUE,
  stream_id text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  type text NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (stream_id, version)
);

CREATE INDEX events_commit_order ON events (transaction_id, position);

-- Appends a batch to one stream in a single round trip and returns what happened as a value:
--   outcome 'appended'   stream_version = new head, versions given to the new events
--   outcome 'duplicate'  every event id is already stored in this stream: nothing written (retry);
--                        versions are the stored events' versions
--   outcome 'conflict'   the expected version did not hold; stream_version = actual head
--   outcome 'id_clash'   some (not all) ids are stored, or stored in another stream
-- p_expected is 'any', 'no_stream', 'exists' or a version number as text.
-- p_events is a JSON array of {id, type, data, metadata}.
CREATE FUNCTION eventstore_append(p_stream_id text, p_expected text, p_events jsonb)
RETURNS TABLE (outcome text, stream_version integer, versions integer[])
LANGUAGE plpgsql AS $$
DECLARE
  v_current integer;
  v_count integer := jsonb_array_length(p_events);
  v_stored_here integer;
  v_stored_total integer;
  v_ok boolean;
BEGIN
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'eventstore_append must be the first write of its transaction (stream %)', p_stream_id
      USING ERRCODE = 'invalid_transaction_state';
  END IF;
  -- 7012 namespaces the lock; a hash collision between two streams only serialises them.
  PERFORM pg_advisory_xact_lock(7012, hashtext(p_stream_id));
  SELECT s.version INTO v_current FROM event_streams s WHERE s.stream_id = p_stream_id;
  v_current := coalesce(v_current, 0);

  -- Checked before the expected version: a retried append that already succeeded must be a no-op,
  -- even though the stream has moved past the version the retry expects.
  SELECT count(*) FILTER (WHERE e.stream_id = p_stream_id), count(*)
    INTO v_stored_here, v_stored_total
    FROM events e
   WHERE e.event_id IN (SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_events) x);
  IF v_stored_total > 0 THEN
    IF v_stored_here = v_count AND v_stored_total = v_count THEN
      RETURN QUERY SELECT 'duplicate'::text, v_current,
        (SELECT array_agg(e.version ORDER BY e.version) FROM events e
          WHERE e.event_id IN (SELECT (x->>'id')::uuid FROM jsonb_array_elements(p_events) x));
    ELSE
      RETURN QUERY SELECT 'id_clash'::text, v_current, NULL::integer[];
    END IF;
    RETURN;
  END IF;

  v_ok := CASE p_expected
    WHEN 'any' THEN true
    WHEN 'no_stream' THEN v_current = 0
    WHEN 'exists' THEN v_current > 0
    ELSE v_current = p_expected::integer
  END;
  IF NOT v_ok THEN
    RETURN QUERY SELECT 'conflict'::text, v_current, NULL::integer[];
    RETURN;
  END IF;

  -- Rows are inserted in ordinality order, so positions (and thus the global order inside this
  -- transaction) follow the stream versions.
  RETURN QUERY
  WITH inserted AS (
    INSERT INTO events (event_id, stream_id, version, type, data, metadata)
    SELECT (x.e->>'id')::uuid, p_stream_id, v_current + x.ord::integer, x.e->>'type', x.e->'data', x.e->'metadata'
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(e, ord)
     ORDER BY x.ord
    RETURNING events.version
  )
  SELECT 'appended'::text, v_current + v_count, (SELECT array_agg(i.version ORDER BY i.version) FROM inserted i);

  INSERT INTO event_streams AS s (stream_id, version) VALUES (p_stream_id, v_current + v_count)
    ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version;
  -- No pg_notify here: a notifying transaction holds a global lock through its commit, WAL flush
  -- included, which serialised concurrent appends (8 writers ran at the speed of 1). The store
  -- sends the wake-up hint after the append commits instead (see sqlEventStore.ts).
END
$$;
