DROP FUNCTION eventstore_append(text, text, jsonb);
DROP TABLE events;
DROP TABLE event_streams;
