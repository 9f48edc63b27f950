-- The reports' rollup (report_rollup, report_people; see schema.ts and docs/reports.md), kept current by
-- statement-level triggers on conversations: every writer, in its own transaction, without a code path
-- to forget. Hand-written (drizzle-kit has no functions or triggers); regenerate 0000 freely, keep this.
CREATE FUNCTION report_audience(followers integer) RETURNS smallint IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT (CASE WHEN followers IS NULL THEN 5 WHEN followers >= 100000 THEN 4 WHEN followers >= 10000 THEN 3
    WHEN followers >= 1000 THEN 2 WHEN followers >= 100 THEN 1 ELSE 0 END)::smallint
$$;
--> statement-breakpoint
CREATE FUNCTION report_bin(seconds double precision) RETURNS smallint IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT (CASE WHEN seconds IS NULL THEN -1 WHEN seconds < 1 THEN 0
    ELSE least(1 + floor(ln(seconds) / ln(1.05)), 32000) END)::smallint
$$;
--> statement-breakpoint
CREATE FUNCTION report_week(at timestamptz) RETURNS date IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
  SELECT date_trunc('week', at AT TIME ZONE 'UTC')::date
$$;
--> statement-breakpoint
-- Adds (sign 1) or removes (sign -1) conversations' figures; rows that do not count are skipped.
CREATE FUNCTION report_rollup_add(rows conversations[], sign integer) RETURNS void LANGUAGE sql AS $$
  INSERT INTO report_rollup AS r (week, channel_id, audience, bin, conversations, scored, sentiment_start,
    sentiment_end, started_negative, recovered)
  SELECT report_week(c.first_inbound_at), c.channel_id, report_audience(c.audience_size),
    report_bin(extract(epoch FROM c.first_human_response_at - c.first_inbound_at)::float8),
    sign * count(*),
    sign * count(*) FILTER (WHERE c.first_sentiment IS NOT NULL AND c.last_sentiment IS NOT NULL),
    sign * coalesce(sum(c.first_sentiment) FILTER (WHERE c.last_sentiment IS NOT NULL), 0),
    sign * coalesce(sum(c.last_sentiment) FILTER (WHERE c.first_sentiment IS NOT NULL), 0),
    sign * count(*) FILTER (WHERE c.last_sentiment IS NOT NULL AND c.first_sentiment <= -0.05),
    sign * count(*) FILTER (WHERE c.first_sentiment <= -0.05 AND c.last_sentiment > -0.05)
  FROM unnest(rows) c
  WHERE c.status <> 'spam' AND c.first_inbound_at IS NOT NULL
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (week, channel_id, audience, bin) DO UPDATE SET
    conversations = r.conversations + excluded.conversations, scored = r.scored + excluded.scored,
    sentiment_start = r.sentiment_start + excluded.sentiment_start,
    sentiment_end = r.sentiment_end + excluded.sentiment_end,
    started_negative = r.started_negative + excluded.started_negative,
    recovered = r.recovered + excluded.recovered
$$;
--> statement-breakpoint
-- The report_people occurrences of a set of conversations (all of some people's counting conversations).
CREATE FUNCTION report_people_of(rows conversations[])
RETURNS TABLE (channel_id uuid, audience smallint, answered boolean, week date, prev_week date, people bigint)
STABLE LANGUAGE sql AS $$
  WITH k AS (
    SELECT DISTINCT c.person_id, k.channel_id, k.audience, k.answered, report_week(c.first_inbound_at) AS week
    FROM unnest(rows) c
    CROSS JOIN LATERAL (VALUES
      ('00000000-0000-0000-0000-000000000000'::uuid, (-1)::smallint, false),
      (c.channel_id, (-1)::smallint, false),
      ('00000000-0000-0000-0000-000000000000'::uuid, report_audience(c.audience_size), false),
      (c.channel_id, report_audience(c.audience_size), false),
      ('00000000-0000-0000-0000-000000000000'::uuid, (-1)::smallint, true),
      (c.channel_id, (-1)::smallint, true)) AS k(channel_id, audience, answered)
    WHERE c.status <> 'spam' AND c.first_inbound_at IS NOT NULL
      AND (NOT k.answered OR c.first_human_response_at IS NOT NULL)
  )
  SELECT channel_id, audience, answered, week, prev_week, count(*)
  FROM (SELECT channel_id, audience, answered, week,
      coalesce(lag(week) OVER (PARTITION BY person_id, channel_id, audience, answered ORDER BY week),
        '-infinity'::date) AS prev_week
    FROM k) o
  GROUP BY 1, 2, 3, 4, 5
$$;
--> statement-breakpoint
-- Applies a statement's changes: `olds` are the changed rows before, `news` after (either may be empty).
CREATE FUNCTION report_apply(olds conversations[], news conversations[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  persons uuid[];
  changed uuid[];
  before conversations[];
  after conversations[];
BEGIN
  IF coalesce(cardinality(olds), 0) + coalesce(cardinality(news), 0) = 0 THEN RETURN; END IF;
  PERFORM report_rollup_add(olds, -1);
  PERFORM report_rollup_add(news, 1);
  -- People whose occurrences may change: a counting conversation appeared, vanished, or moved week,
  -- channel, audience bucket or answered state (sentiment-only changes leave people alone).
  persons := ARRAY(
    SELECT DISTINCT person_id FROM (
      (SELECT id, person_id, channel_id, report_week(first_inbound_at), report_audience(audience_size),
         first_human_response_at IS NULL, status = 'spam'
       FROM unnest(olds) WHERE first_inbound_at IS NOT NULL AND status <> 'spam'
       EXCEPT
       SELECT id, person_id, channel_id, report_week(first_inbound_at), report_audience(audience_size),
         first_human_response_at IS NULL, status = 'spam'
       FROM unnest(news) WHERE first_inbound_at IS NOT NULL AND status <> 'spam')
      UNION
      (SELECT id, person_id, channel_id, report_week(first_inbound_at), report_audience(audience_size),
         first_human_response_at IS NULL, status = 'spam'
       FROM unnest(news) WHERE first_inbound_at IS NOT NULL AND status <> 'spam'
       EXCEPT
       SELECT id, person_id, channel_id, report_week(first_inbound_at), report_audience(audience_size),
         first_human_response_at IS NULL, status = 'spam'
       FROM unnest(olds) WHERE first_inbound_at IS NOT NULL AND status <> 'spam')
    ) d(id, person_id) ORDER BY 1);
  IF cardinality(persons) = 0 THEN RETURN; END IF;
  -- One writer per person at a time (until commit), so concurrent changes to one person's conversations
  -- are counted one after the other; each statement below then sees the earlier writers' commits.
  PERFORM pg_advisory_xact_lock(727275, h) FROM (SELECT DISTINCT hashtext(p::text) AS h FROM unnest(persons) p) l ORDER BY h;
  changed := ARRAY(SELECT id FROM unnest(news) UNION SELECT id FROM unnest(olds));
  after := ARRAY(SELECT c FROM conversations c WHERE c.person_id = ANY(persons));
  before := ARRAY(
    SELECT c FROM unnest(after) c WHERE c.id <> ALL(changed)
    UNION ALL SELECT o FROM unnest(olds) o WHERE o.person_id = ANY(persons));
  INSERT INTO report_people AS r (channel_id, audience, answered, week, prev_week, people)
  SELECT channel_id, audience, answered, week, prev_week, sum(n)
  FROM (SELECT p.*, -p.people AS n FROM report_people_of(before) p
    UNION ALL SELECT p.*, p.people FROM report_people_of(after) p) d
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(n) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (channel_id, audience, answered, week, prev_week) DO UPDATE SET people = r.people + excluded.people;
END
$$;
--> statement-breakpoint
CREATE FUNCTION report_conversations_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_apply(ARRAY[]::conversations[], ARRAY(SELECT ROW(n.*)::conversations FROM new_rows n));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION report_conversations_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM report_apply(ARRAY(SELECT ROW(o.*)::conversations FROM old_rows o), ARRAY[]::conversations[]);
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Most updates (queue position, SLA clocks, assignment) change nothing the reports read: skipped cheaply.
CREATE FUNCTION report_conversations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  ids := ARRAY(
    SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.status = 'spam') IS DISTINCT FROM (n.status = 'spam')
      OR o.first_inbound_at IS DISTINCT FROM n.first_inbound_at
      OR o.first_human_response_at IS DISTINCT FROM n.first_human_response_at
      OR o.first_sentiment IS DISTINCT FROM n.first_sentiment
      OR o.last_sentiment IS DISTINCT FROM n.last_sentiment
      OR o.audience_size IS DISTINCT FROM n.audience_size
      OR o.channel_id IS DISTINCT FROM n.channel_id
      OR o.person_id IS DISTINCT FROM n.person_id);
  IF cardinality(ids) = 0 THEN RETURN NULL; END IF;
  PERFORM report_apply(ARRAY(SELECT ROW(o.*)::conversations FROM old_rows o WHERE o.id = ANY(ids)),
    ARRAY(SELECT ROW(n.*)::conversations FROM new_rows n WHERE n.id = ANY(ids)));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER report_conversations_insert AFTER INSERT ON conversations
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_conversations_inserted();
--> statement-breakpoint
CREATE TRIGGER report_conversations_update AFTER UPDATE ON conversations
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_conversations_updated();
--> statement-breakpoint
CREATE TRIGGER report_conversations_delete AFTER DELETE ON conversations
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_conversations_deleted();
--> statement-breakpoint
-- Recomputes both tables from conversations (seeding, repair, and the tests' from-scratch comparison).
CREATE FUNCTION report_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM report_rollup;
  DELETE FROM report_people;
  INSERT INTO report_rollup (week, channel_id, audience, bin, conversations, scored, sentiment_start,
    sentiment_end, started_negative, recovered)
  SELECT report_week(c.first_inbound_at), c.channel_id, report_audience(c.audience_size),
    report_bin(extract(epoch FROM c.first_human_response_at - c.first_inbound_at)::float8),
    count(*),
    count(*) FILTER (WHERE c.first_sentiment IS NOT NULL AND c.last_sentiment IS NOT NULL),
    coalesce(sum(c.first_sentiment) FILTER (WHERE c.last_sentiment IS NOT NULL), 0),
    coalesce(sum(c.last_sentiment) FILTER (WHERE c.first_sentiment IS NOT NULL), 0),
    count(*) FILTER (WHERE c.last_sentiment IS NOT NULL AND c.first_sentiment <= -0.05),
    count(*) FILTER (WHERE c.first_sentiment <= -0.05 AND c.last_sentiment > -0.05)
  FROM conversations c
  WHERE c.status <> 'spam' AND c.first_inbound_at IS NOT NULL
  GROUP BY 1, 2, 3, 4;
  -- report_people_of over the whole table, without building an array of every conversation.
  INSERT INTO report_people (channel_id, audience, answered, week, prev_week, people)
  WITH k AS (
    SELECT DISTINCT c.person_id, k.channel_id, k.audience, k.answered, report_week(c.first_inbound_at) AS week
    FROM conversations c
    CROSS JOIN LATERAL (VALUES
      ('00000000-0000-0000-0000-000000000000'::uuid, (-1)::smallint, false),
      (c.channel_id, (-1)::smallint, false),
      ('00000000-0000-0000-0000-000000000000'::uuid, report_audience(c.audience_size), false),
      (c.channel_id, report_audience(c.audience_size), false),
      ('00000000-0000-0000-0000-000000000000'::uuid, (-1)::smallint, true),
      (c.channel_id, (-1)::smallint, true)) AS k(channel_id, audience, answered)
    WHERE c.status <> 'spam' AND c.first_inbound_at IS NOT NULL
      AND (NOT k.answered OR c.first_human_response_at IS NOT NULL)
  )
  SELECT channel_id, audience, answered, week, prev_week, count(*)
  FROM (SELECT channel_id, audience, answered, week,
      coalesce(lag(week) OVER (PARTITION BY person_id, channel_id, audience, answered ORDER BY week),
        '-infinity'::date) AS prev_week
    FROM k) o
  GROUP BY 1, 2, 3, 4, 5;
END
$$;
