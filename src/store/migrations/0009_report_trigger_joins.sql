-- The reports' rollup triggers (0001) without their quadratic filters: a batch that changed n
-- conversations compared every row with every changed id (`id = ANY(ids)`, `id <> ALL(changed)`,
-- `person_id = ANY(persons)`), n² comparisons per statement. The same sets are now found by joins and
-- hashed subqueries. Results are unchanged (services/reports/rollup.test.ts compares with a rebuild).
CREATE OR REPLACE FUNCTION report_apply(olds conversations[], news conversations[]) RETURNS void LANGUAGE plpgsql AS $$
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
    SELECT a FROM unnest(after) a WHERE a.id NOT IN (SELECT unnest(changed))
    UNION ALL SELECT o FROM unnest(olds) o WHERE o.person_id IN (SELECT unnest(persons)));
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
CREATE OR REPLACE FUNCTION report_conversations_updated() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  olds conversations[];
  news conversations[];
BEGIN
  SELECT array_agg(ROW(o.*)::conversations), array_agg(ROW(n.*)::conversations) INTO olds, news
  FROM old_rows o JOIN new_rows n ON n.id = o.id
  WHERE (o.status = 'spam') IS DISTINCT FROM (n.status = 'spam')
    OR o.first_inbound_at IS DISTINCT FROM n.first_inbound_at
    OR o.first_human_response_at IS DISTINCT FROM n.first_human_response_at
    OR o.first_sentiment IS DISTINCT FROM n.first_sentiment
    OR o.last_sentiment IS DISTINCT FROM n.last_sentiment
    OR o.audience_size IS DISTINCT FROM n.audience_size
    OR o.channel_id IS DISTINCT FROM n.channel_id
    OR o.person_id IS DISTINCT FROM n.person_id;
  IF olds IS NULL THEN RETURN NULL; END IF;
  PERFORM report_apply(olds, news);
  RETURN NULL;
END
$$;
