-- The event store: the events, and a registry of the streams that have any.
--
-- Global order: `position` comes from a sequence, so a transaction that took a lower number can
-- commit after one that took a higher number. Each event therefore also records its writer's
-- transaction id; readers only look at transactions below the oldest one still running
-- (pg_snapshot_xmin(pg_current_snapshot()), refined to this database's transactions in
-- src/infra/eventstore/sqlEventStore.ts), ordered by (transaction_id, position). Everything
-- below that horizon has finished, so nothing can appear behind a reader's checkpoint later.
--
-- Within one stream that order must also follow the versions, so a writer must get its
-- transaction id only AFTER it holds the stream's lock (the previous writer has then finished, and
-- ids are handed out in increasing order). A row lock (SELECT … FOR UPDATE) would assign the id
-- before waiting, so the stream lock is an advisory lock, and eventstore_append() refuses to run
-- in a transaction that already has an id (one that wrote before, or appended to another stream).
--
-- A stream's version is the highest version among its events (one probe of the
-- (stream_id, version) index). Keeping it in a row updated by every append cost a fifth of the
-- append rate with 8 writers, so event_streams only records that a stream exists.
CREATE TABLE event_streams (
  stream_id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
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
--   outcome 'duplicate'  every event id is already stored in this stream: nothing written (a
--                        retry of an append that succeeded); versions are the stored events' versions
--   outcome 'conflict'   the expected version did not hold; stream_version = actual head
--   outcome 'id_clash'   some ids are stored in another stream, or the batch repeats an id
-- A batch mixing stored and new ids raises unique_violation (the whole transaction aborts).
-- p_expected is 'any', 'no_stream', 'exists' or a version number as text.
-- p_events is a JSON array of {id, type, data, metadata}.
CREATE FUNCTION eventstore_append(p_stream_id text, p_expected text, p_events jsonb)
RETURNS TABLE (outcome text, stream_version integer, versions integer[])
LANGUAGE plpgsql AS $$
DECLARE
  v_current integer;
  v_count integer := jsonb_array_length(p_events);
  -- An array, so lookups by id are index probes (an IN (subquery) over the JSON got a generic
  -- plan that scanned the whole events table).
  v_ids uuid[] := ARRAY(SELECT (x.e->>'id')::uuid FROM jsonb_array_elements(p_events) AS x(e));
  v_versions integer[];
  v_inserted integer;
  v_stored_here integer;
  v_stored_total integer;
  v_expected_holds boolean;
BEGIN
  IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
    RAISE EXCEPTION 'eventstore_append must be the first write of its transaction (stream %)', p_stream_id
      USING ERRCODE = 'invalid_transaction_state';
  END IF;
  -- 7012 namespaces the lock; a hash collision between two streams only serialises them.
  PERFORM pg_advisory_xact_lock(7012, hashtext(p_stream_id));
  SELECT max(e.version) INTO v_current FROM events e WHERE e.stream_id = p_stream_id;
  v_current := coalesce(v_current, 0);

  v_expected_holds := CASE p_expected
    WHEN 'any' THEN true
    WHEN 'no_stream' THEN v_current = 0
    WHEN 'exists' THEN v_current > 0
    ELSE v_current = p_expected::integer
  END;
  IF v_expected_holds THEN
    -- Stored ids are skipped rather than checked beforehand: the unique index does the check
    -- during the insert, so the common case pays for no extra lookup. Rows are inserted in
    -- ordinality order, so positions (the order inside this transaction) follow the versions.
    WITH inserted AS (
      INSERT INTO events (event_id, stream_id, version, type, data, metadata)
      SELECT (x.e->>'id')::uuid, p_stream_id, v_current + x.ord::integer, x.e->>'type', x.e->'data', x.e->'metadata'
        FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(e, ord)
       ORDER BY x.ord
      ON CONFLICT (event_id) DO NOTHING
      RETURNING events.version
    )
    SELECT array_agg(i.version ORDER BY i.version) INTO v_versions FROM inserted i;
    v_inserted := coalesce(array_length(v_versions, 1), 0);
    IF v_inserted = v_count THEN
      IF v_current = 0 AND v_count > 0 THEN
        INSERT INTO event_streams (stream_id) VALUES (p_stream_id) ON CONFLICT (stream_id) DO NOTHING;
      END IF;
      RETURN QUERY SELECT 'appended'::text, v_current + v_count, coalesce(v_versions, '{}'::integer[]);
      RETURN;
    END IF;
    IF v_inserted > 0 THEN
      RAISE EXCEPTION 'some event ids of this batch are already stored (stream %)', p_stream_id
        USING ERRCODE = 'unique_violation';
    END IF;
  END IF;

  -- Refused, or nothing new: a retry of an append that already succeeded is a no-op, even though
  -- the stream may have moved past the version the retry expects.
  SELECT count(*) FILTER (WHERE e.stream_id = p_stream_id), count(*), array_agg(e.version ORDER BY e.version)
    INTO v_stored_here, v_stored_total, v_versions
    FROM events e WHERE e.event_id = ANY (v_ids);
  IF v_count > 0 AND v_stored_here = v_count THEN
    RETURN QUERY SELECT 'duplicate'::text, v_current, v_versions;
  ELSIF v_stored_total > 0 THEN
    RETURN QUERY SELECT 'id_clash'::text, v_current, NULL::integer[];
  ELSE
    RETURN QUERY SELECT 'conflict'::text, v_current, NULL::integer[];
  END IF;
  -- No pg_notify here: a notifying transaction holds a global lock through its commit, WAL flush
  -- included, which serialised concurrent appends (8 writers ran at the speed of 1). The store
  -- sends the wake-up hint after the append commits instead (see sqlEventStore.ts).
END
$$;
