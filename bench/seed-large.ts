/**
 * Fills an empty workspace with a large, realistic one for benchmarks: channels, teams, agents, people
 * with one identity each, and N conversations — set-based SQL (INSERT … SELECT … generate_series), so a
 * million conversations take seconds to a minute on PostgreSQL rather than hours row by row.
 *
 * The mix (of N conversations):
 *   ~15% open and awaiting a first reply, ~5% open and awaiting a follow-up (answered before) — together
 *        the fair queue, with waiting_since, sla_due_at (1 h first / 4 h next response), need and
 *        queue_due_at (core/queue.priority.ts's formula) set;
 *    4% open and answered (our reply was last), 5% waiting on the person (SLA paused),
 *    3% spam, 3% resolved without a reply, ~65% resolved after a human reply.
 * Audience sizes are skewed (median ~100 followers, a few with up to a million, 4% unknown); response
 * times are log-normal (median ~25 min) and independent of audience size — a fair queue; first
 * sentiment leans negative and mostly improves after a reply. Deterministic for a given seed on one
 * engine (PostgreSQL's random() after setseed()).
 */
import { type SQL, sql } from "drizzle-orm";
import { NEED_WEIGHTS } from "../src/core/queue.priority.ts";
import type { Database, Db } from "../src/store/db.ts";

export interface SeedLargeOptions {
  conversations: number;
  /** Random seed (default 42). */
  seed?: number;
  /** Also write one inbound message per conversation and one reply per answered one (default false). */
  messages?: boolean;
  /** Progress lines (each step and its duration). */
  log?: (line: string) => void;
}

const CHANNELS = [
  { key: "seed-x", kind: "x", name: "X", visibility: "public", target: 60 },
  { key: "seed-mastodon", kind: "mastodon", name: "Mastodon", visibility: "public", target: 60 },
  { key: "seed-bluesky", kind: "bluesky", name: "Bluesky", visibility: "public", target: 60 },
  { key: "seed-facebook", kind: "facebook", name: "Facebook", visibility: "public", target: 60 },
  { key: "seed-email", kind: "email", name: "Support email", visibility: "private", target: 240 },
  { key: "seed-webchat", kind: "webchat", name: "Web chat", visibility: "private", target: 15 },
] as const;
const TEAMS = ["Seed social", "Seed email", "Seed chat"] as const;
const AGENTS = 24;
/** Each person has ~3 conversations on average, some many more (a skewed pick). */
const CONVERSATIONS_PER_PERSON = 3;

const TEXTS = [
  "My order never arrived and nobody answers.",
  "I was charged twice for my booking, please help.",
  "The app crashes every time I open my tickets.",
  "Can I change the date of my reservation?",
  "Where is my refund? It has been three weeks.",
  "Thanks, the replacement arrived and works great!",
  "My train was cancelled again. Not happy.",
  "Is there an outage? I cannot log in.",
];

async function seedChannelsTeamsAgents(tx: Db): Promise<void> {
  await tx.execute(sql`
    INSERT INTO teams (name, assignment_mode)
    SELECT name, 'least_loaded' FROM unnest(${sql.raw(`ARRAY[${TEAMS.map((t) => `'${t}'`).join(",")}]`)}::text[]) AS name`);
  const rows = CHANNELS.map(
    (c, i) =>
      sql`(${c.key}, ${c.kind}, ${c.kind}, ${`${c.name} (seeded)`}, (SELECT id FROM teams WHERE name = ${TEAMS[i < 4 ? 0 : i === 4 ? 1 : 2]}))`,
  );
  await tx.execute(
    sql`INSERT INTO channels (key, kind, platform, name, team_id) VALUES ${sql.join(rows, sql`, `)}`,
  );
  await tx.execute(sql`
    INSERT INTO agents (email, name, availability, capacity)
    SELECT 'seed-agent-' || g || '@example.com', 'Seed Agent ' || g,
      (ARRAY['online','online','away','offline'])[1 + g % 4], 8 + g % 5
    FROM generate_series(1, ${AGENTS}) g`);
  await tx.execute(sql`
    INSERT INTO team_members (team_id, agent_id)
    SELECT t.id, a.id FROM agents a
    JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS n FROM teams WHERE name LIKE 'Seed %') t
      ON t.n = (substring(a.email FROM 'seed-agent-(\\d+)@')::int % 3)
    WHERE a.email LIKE 'seed-agent-%'`);
}

/** Scratch tables the later statements join against (dropped at commit). */
async function seedScratch(tx: Db, people: number): Promise<void> {
  const channelValues = CHANNELS.map(
    (c, i) => sql`(${i}::int, ${c.key}::text, ${c.visibility}::text, ${c.target}::int)`,
  );
  await tx.execute(sql`
    CREATE TEMP TABLE seed_channels ON COMMIT DROP AS
    SELECT v.idx, ch.id, ch.kind AS platform, v.visibility, v.target, ch.team_id
    FROM (VALUES ${sql.join(channelValues, sql`, `)}) AS v(idx, key, visibility, target)
    JOIN channels ch ON ch.key = v.key`);
  await tx.execute(sql`
    CREATE TEMP TABLE seed_people ON COMMIT DROP AS
    SELECT g AS idx, gen_random_uuid() AS id, g % ${CHANNELS.length} AS channel_idx,
      -- Skewed audiences: median ~100 followers, a long tail up to a million; 4% unknown.
      CASE WHEN random() < 0.04 THEN NULL ELSE floor(power(10, 6 * power(random(), 1.6)))::int - 1 END AS followers
    FROM generate_series(0, ${people - 1}) g`);
  await tx.execute(sql`CREATE UNIQUE INDEX ON seed_people (idx)`);
  await tx.execute(sql`
    CREATE TEMP TABLE seed_agents ON COMMIT DROP AS
    SELECT row_number() OVER (ORDER BY email)::int - 1 AS idx, id FROM agents WHERE email LIKE 'seed-agent-%'`);
}

async function seedPeople(tx: Db): Promise<void> {
  await tx.execute(sql`
    INSERT INTO people (id, display_name, created_at, updated_at)
    SELECT id, 'Seeded person ' || idx, now() - interval '400 days', now() - interval '400 days' FROM seed_people`);
  await tx.execute(sql`
    INSERT INTO identities (person_id, platform, external_id, handle, display_name, follower_count)
    SELECT p.id, c.platform, 'seed-p' || p.idx, 'seed_person_' || p.idx, 'Seeded person ' || p.idx, p.followers
    FROM seed_people p JOIN seed_channels c ON c.idx = p.channel_idx`);
}

/** The queue's pull, as in core/queue.priority.ts (needPull), over the need JSON built below. */
function needPullSql(): SQL {
  const w = NEED_WEIGHTS;
  return sql.raw(`least(0.8,
    CASE WHEN jsonb_array_length(need->'urgent') > 0 THEN ${w.urgent} ELSE 0 END
    + CASE WHEN (need->>'complaint')::boolean THEN ${w.complaint} ELSE 0 END
    + CASE WHEN (need->>'negative')::boolean THEN ${w.negative} ELSE 0 END
    + CASE WHEN (need->>'followUp')::boolean THEN ${w.followUp} ELSE 0 END
    + CASE WHEN (need->>'repeated')::boolean THEN ${w.repeated} ELSE 0 END
    + CASE WHEN (need->>'question')::boolean THEN ${w.question} ELSE 0 END)`);
}

async function seedConversations(tx: Db, conversations: number, people: number): Promise<void> {
  await tx.execute(sql`
    INSERT INTO conversations (channel_id, person_id, thread_key, status, visibility, subject,
      assignee_agent_id, assignee_team_id, message_count, first_inbound_at, last_inbound_at,
      last_outbound_at, first_human_response_at, last_message_at, awaiting_reply, waiting_since,
      sla_due_at, first_response_due_at, next_response_due_at, sla_paused_at, resolved_at,
      queue_due_at, need, audience_size, first_sentiment, last_sentiment, created_at, updated_at)
    SELECT channel_id, person_id, thread_key, status, visibility, subject,
      assignee_agent_id, assignee_team_id, message_count, first_inbound_at, last_inbound_at,
      last_outbound_at, first_human_response_at, last_message_at, awaiting_reply, waiting_since,
      sla_due_at, first_response_due_at, next_response_due_at, sla_paused_at, resolved_at,
      CASE WHEN awaiting_reply THEN sla_due_at - greatest(sla_due_at - waiting_since, interval '1 minute') * ${needPullSql()} END,
      need, audience_size, first_sentiment, last_sentiment, first_inbound_at, last_message_at
    FROM (
      SELECT t.*,
        CASE WHEN awaiting_reply THEN jsonb_build_object(
          'negative', last_sentiment <= -0.05,
          'complaint', u_need < 0.3,
          'urgent', CASE WHEN u_need < 0.05 THEN '["outage"]'::jsonb ELSE '[]'::jsonb END,
          'question', u_need > 0.55,
          'followUp', kind = 'follow_up',
          'repeated', message_count > 2,
          'likelySpam', false) END AS need
      FROM (
        SELECT k.*,
          kind IN ('awaiting_first', 'follow_up') AS awaiting_reply,
          CASE kind WHEN 'awaiting_first' THEN first_inbound_at WHEN 'follow_up' THEN now() - wait END AS waiting_since,
          CASE kind WHEN 'awaiting_first' THEN first_inbound_at + target
            WHEN 'follow_up' THEN now() - wait + interval '4 hours' END AS sla_due_at,
          first_inbound_at + target AS first_response_due_at,
          CASE WHEN kind = 'follow_up' THEN now() - wait + interval '4 hours' END AS next_response_due_at,
          CASE WHEN kind = 'waiting' THEN last_outbound_at END AS sla_paused_at,
          CASE WHEN kind IN ('resolved', 'resolved_unanswered')
            THEN coalesce(last_outbound_at, first_inbound_at) + interval '2 hours' END AS resolved_at,
          greatest(last_inbound_at, last_outbound_at) AS last_message_at
        FROM (
          SELECT j.*,
            CASE WHEN kind IN ('awaiting_first', 'follow_up')
              THEN now() - wait * (1 - 0.5 * u_count) ELSE first_inbound_at + response * 0.9 * u_count END
              AS last_inbound_at,
            CASE WHEN first_human_response_at IS NULL THEN NULL
              WHEN kind = 'follow_up' THEN now() - wait - interval '10 minutes'
              ELSE first_human_response_at + response * u_count END AS last_outbound_at,
            CASE WHEN first_human_response_at IS NULL THEN 1 + floor(u_count * 3)::int
              ELSE 2 + floor(u_count * 5)::int END AS message_count,
            CASE WHEN first_human_response_at IS NOT NULL
                THEN greatest(-1, least(1, first_sentiment + 0.6 * u_shift - 0.1))
              WHEN u_count > 0.33 THEN greatest(-1, least(1, first_sentiment + 0.3 * u_shift - 0.2))
              ELSE first_sentiment END AS last_sentiment
          FROM (
            SELECT d.*,
              CASE WHEN kind = 'awaiting_first' THEN now() - wait
                WHEN kind = 'follow_up' THEN now() - wait - response - interval '1 hour'
                ELSE now() - interval '1 day' - u_age * interval '365 days' END AS first_inbound_at,
              CASE WHEN kind IN ('awaiting_first', 'spam', 'resolved_unanswered') THEN NULL
                WHEN kind = 'follow_up' THEN now() - wait - interval '1 hour'
                ELSE now() - interval '1 day' - u_age * interval '365 days' + response END AS first_human_response_at
            FROM (
              SELECT r.g, r.u_age, r.u_count, r.u_shift, r.u_need,
                'seed-' || r.g AS thread_key,
                c.id AS channel_id, c.visibility,
                CASE WHEN c.platform = 'email' THEN 'Order ' || (100000 + r.g) END AS subject,
                c.target * interval '1 minute' AS target,
                p.id AS person_id, p.followers AS audience_size,
                CASE WHEN r.u_status < 0.15 THEN 'awaiting_first' WHEN r.u_status < 0.20 THEN 'follow_up'
                  WHEN r.u_status < 0.24 THEN 'answered_open' WHEN r.u_status < 0.29 THEN 'waiting'
                  WHEN r.u_status < 0.32 THEN 'spam' WHEN r.u_status < 0.35 THEN 'resolved_unanswered'
                  ELSE 'resolved' END AS kind,
                -- How long the person has been waiting now: most recent, a few for days.
                power(r.u_age, 2) * interval '2 days' + interval '1 minute' AS wait,
                -- Log-normal response time, median ~25 min, clamped to [20 s, 5 days].
                least(interval '5 days', greatest(interval '20 seconds', interval '1 second' *
                  exp(ln(1500) + 1.1 * sqrt(-2 * ln(1 - r.u_r1)) * cos(2 * pi() * r.u_r2)))) AS response,
                round((-1 + 2 * power(r.u_sent, 1.15))::numeric, 4)::float8 AS first_sentiment,
                CASE WHEN r.u_status >= 0.29 AND r.u_status < 0.32 THEN NULL
                  WHEN r.u_assign < 0.75 THEN a.id END AS assignee_agent_id,
                CASE WHEN r.u_status >= 0.29 AND r.u_status < 0.32 THEN NULL ELSE c.team_id END AS assignee_team_id
              FROM (
                SELECT g, floor(power(random(), 1.5) * ${people})::int AS pidx,
                  random() AS u_status, random() AS u_age, random() AS u_r1, random() AS u_r2,
                  random() AS u_sent, random() AS u_shift, random() AS u_count, random() AS u_need,
                  random() AS u_assign, floor(random() * ${AGENTS})::int AS aidx
                FROM generate_series(0, ${conversations - 1}) g
                OFFSET 0
              ) r
              JOIN seed_people p ON p.idx = r.pidx
              JOIN seed_channels c ON c.idx = p.channel_idx
              JOIN seed_agents a ON a.idx = r.aidx
            ) d
          ) j
        ) k
      ) t
    ) s
    CROSS JOIN LATERAL (SELECT CASE kind WHEN 'awaiting_first' THEN 'open' WHEN 'follow_up' THEN 'open'
      WHEN 'answered_open' THEN 'open' WHEN 'waiting' THEN 'waiting' WHEN 'spam' THEN 'spam'
      ELSE 'resolved' END AS status) st`);
}

async function seedMessages(tx: Db): Promise<void> {
  const texts = sql.raw(`ARRAY[${TEXTS.map((t) => `'${t.replaceAll("'", "''")}'`).join(",")}]`);
  await tx.execute(sql`
    INSERT INTO messages (conversation_id, channel_id, external_id, direction, visibility, text,
      author_identity_id, created_at, received_at, sentiment_score, sentiment_label)
    SELECT c.id, c.channel_id, c.thread_key, 'in', c.visibility, (${texts})[1 + abs(hashtext(c.thread_key)) % ${TEXTS.length}],
      i.id, c.first_inbound_at, c.first_inbound_at, c.first_sentiment,
      CASE WHEN c.first_sentiment <= -0.05 THEN 'negative' WHEN c.first_sentiment >= 0.05 THEN 'positive' ELSE 'neutral' END
    FROM conversations c JOIN identities i ON i.person_id = c.person_id
    WHERE c.thread_key LIKE 'seed-%'`);
  await tx.execute(sql`
    INSERT INTO messages (conversation_id, channel_id, external_id, in_reply_to_external_id, direction,
      visibility, text, author_agent_id, delivery_status, created_at, received_at)
    SELECT c.id, c.channel_id, c.thread_key || ':reply', c.thread_key, 'out', c.visibility,
      'Sorry about that — I am looking into it now.', coalesce(c.assignee_agent_id, a.id), 'sent',
      c.first_human_response_at, c.first_human_response_at
    FROM conversations c
    CROSS JOIN (SELECT id FROM seed_agents WHERE idx = 0) a
    WHERE c.thread_key LIKE 'seed-%' AND c.first_human_response_at IS NOT NULL`);
}

/** Fills an empty database with a large workspace (see the file comment for the mix). */
/**
 * SLA clocks as the SLA service keeps them with the default policy (first response 1 h, resolution
 * 24 h): a first-response clock per conversation, met at the first human reply, and a resolution clock
 * for resolved ones — so the SLA report has a realistic ~2 clocks per conversation to aggregate.
 */
async function seedSlaTargets(tx: Db): Promise<void> {
  await tx.execute(sql`
    INSERT INTO sla_targets (conversation_id, channel_id, kind, started_at, due_at, met_at)
    SELECT id, channel_id, 'first_response', first_inbound_at, first_inbound_at + interval '1 hour',
      first_human_response_at
    FROM conversations WHERE first_inbound_at IS NOT NULL AND status <> 'spam'`);
  await tx.execute(sql`
    INSERT INTO sla_targets (conversation_id, channel_id, kind, started_at, due_at, met_at)
    SELECT id, channel_id, 'resolution', first_inbound_at, first_inbound_at + interval '24 hours',
      CASE WHEN status = 'resolved' THEN COALESCE(first_human_response_at, first_inbound_at) + interval '2 hours' END
    FROM conversations WHERE first_inbound_at IS NOT NULL AND status <> 'spam'`);
}

export async function seedLargeWorkspace(database: Database, options: SeedLargeOptions): Promise<void> {
  const people = Math.max(1, Math.ceil(options.conversations / CONVERSATIONS_PER_PERSON));
  const step = async (name: string, run: () => Promise<void>) => {
    const started = performance.now();
    await run();
    options.log?.(`seed: ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };
  await database.db.transaction(async (tx) => {
    // setseed takes [-1, 1]; any integer seed maps into it deterministically.
    await tx.execute(sql`SELECT setseed(${((options.seed ?? 42) % 1000) / 1000})`);
    await tx.execute(sql`SET LOCAL work_mem = '64MB'`);
    // JIT compiling this one-off statement costs more than it saves.
    await tx.execute(sql`SET LOCAL jit = off`);
    await step("channels, teams, agents", () => seedChannelsTeamsAgents(tx));
    await step(`${people} people`, async () => {
      await seedScratch(tx, people);
      await seedPeople(tx);
    });
    // The reports' rollup triggers would process the million-row INSERT as one statement; off for the
    // insert (it is this transaction's own table), then report_rebuild() fills the rollup in one pass.
    await tx.execute(sql`ALTER TABLE conversations DISABLE TRIGGER report_conversations_insert`);
    await step(`${options.conversations} conversations`, () =>
      seedConversations(tx, options.conversations, people),
    );
    await tx.execute(sql`ALTER TABLE conversations ENABLE TRIGGER report_conversations_insert`);
    await step("reports rollup", async () => {
      await tx.execute(sql`SELECT report_rebuild()`);
    });
    await step("SLA clocks", () => seedSlaTargets(tx));
    if (options.messages) await step("messages", () => seedMessages(tx));
  });
  await step("analyze", async () => {
    await database.db.execute(sql`ANALYZE`);
    // Index-only scans of the rollup need its visibility map, as autovacuum would set it.
    await database.db.execute(sql`VACUUM report_rollup, report_people`);
  });
}
