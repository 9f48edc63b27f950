import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine, type EngineContext } from "../../test/helpers/engines.ts";
import { asApi } from "../../test/helpers/services.ts";
import type { InboundMessageInput } from "../core/inbound.ts";
import { createServices } from "./container.ts";

const TEXTS = [
  "Hi, how do I change the date of my booking?",
  "My bag never arrived and nobody answers. This is the third time I write!",
  "My train leaves in 1 hour and it shows cancelled, I'm stranded at the station",
  "I was charged twice for order 4412, please refund",
  "Thanks, all sorted now",
];

/** Threads of 1–5 messages (in, out, in, …) on one channel; some replies arrive before their parents. */
function threads(channel: string): InboundMessageInput[][] {
  const start = Date.UTC(2026, 10, 1, 9, 0, 0);
  return Array.from({ length: 14 }, (_, t) =>
    Array.from({ length: 1 + (t % 5) }, (_, i): InboundMessageInput => {
      const inbound = i % 2 === 0;
      return {
        channel,
        externalId: `s${t}-${i}`,
        threadExternalId: `s${t}-0`,
        ...(i > 0 ? { inReplyToExternalId: `s${t}-${i - 1}` } : {}),
        direction: inbound ? "in" : "out",
        author: inbound
          ? { externalId: `person-${t % 6}`, handle: `p${t % 6}`, followerCount: 10 * t }
          : { externalId: "agent:state", displayName: "State Agent" },
        text: inbound ? TEXTS[(t + i) % TEXTS.length]! : "Sorry about that, checking now.",
        createdAt: new Date(start + t * 3_600_000 + i * 20 * 60_000).toISOString(),
      };
    }),
  );
}

async function stateOf(ctx: EngineContext, channel: string): Promise<Array<Record<string, unknown>>> {
  return ctx.database.rows(sql`
    SELECT c.thread_key, c.status, c.message_count, c.awaiting_reply, c.waiting_since, c.first_inbound_at,
      c.first_human_response_at, c.sla_policy_id, c.first_response_due_at, c.next_response_due_at,
      c.resolution_due_at, c.sla_due_at, c.sla_paused_at, c.queue_due_at, c.need,
      c.assignee_team_id, c.assignee_agent_id IS NOT NULL AS has_agent,
      (SELECT json_agg(json_build_object('kind', t.kind, 'started', t.started_at, 'due', t.due_at, 'met', t.met_at)
         ORDER BY t.kind, t.started_at) FROM sla_targets t WHERE t.conversation_id = c.id) AS targets
    FROM conversations c JOIN channels ch ON ch.id = c.channel_id
    WHERE ch.key = ${channel} ORDER BY c.thread_key`);
}

describeEachEngine("derived conversation state across batches", (ctx) => {
  it("an import spanning batches (replies before parents) ends like ingesting message by message", async () => {
    const team = await ctx.database.rows<{ id: string }>(
      sql`INSERT INTO teams (name, assignment_mode) VALUES ('state team', 'manual') RETURNING id`,
    );
    await ctx.database.db.execute(sql`
      INSERT INTO channels (key, kind, platform, name, team_id) VALUES
        ('state-batched', 'import', 'state-batched', 'batched', ${team[0]!.id}),
        ('state-single', 'import', 'state-single', 'single', ${team[0]!.id}),
        ('state-late', 'import', 'state-late', 'late', ${team[0]!.id})`);

    // One message at a time, in time order.
    const single = createServices(ctx.database);
    for (const message of threads("state-single").flat()) {
      const summary = await single.ingest.ingest([asApi(message)]);
      expect(summary.messages).toBe(1);
    }

    // Batches of 4, in time order: threads straddle batches.
    const batched = createServices(ctx.database, { ingestBatchSize: 4 });
    const items = threads("state-batched").flat().map(asApi);
    const summary = await batched.ingest.ingest(items);
    expect(summary.messages).toBe(items.length);
    expect(summary.deadLetters).toBe(0);
    const a = await stateOf(ctx, "state-single");
    expect(a.length).toBe(14);
    expect(await stateOf(ctx, "state-batched")).toEqual(a);

    // Batches of 4, each thread newest first: replies arrive before their parents, in earlier batches.
    // Everything matches except `need`: a message's analysis counts the person's earlier messages that
    // had arrived ("repeated contact"), so it depends on arrival order by design.
    const late = threads("state-late").flatMap((t) => [...t].reverse().map(asApi));
    expect((await batched.ingest.ingest(late)).messages).toBe(late.length);
    const withoutNeed = (rows: Array<Record<string, unknown>>) => rows.map(({ need: _, ...r }) => r);
    expect(withoutNeed(await stateOf(ctx, "state-late"))).toEqual(withoutNeed(a));

    // The state is real, not empty: clocks running, a queue, everything routed to the team.
    expect(a.filter((r) => r.queue_due_at !== null).length).toBeGreaterThan(0);
    expect(a.every((r) => r.assignee_team_id === team[0]!.id)).toBe(true);
    expect(a.every((r) => r.targets !== null)).toBe(true);
  });
});
