/**
 * The reports' rollup (report_rollup, report_people) is kept by triggers on conversations. Whatever
 * writes a conversation — ingest in any order, status changes, replies — it must equal a from-scratch
 * computation (report_rebuild()), and the reports read from it must agree with exact SQL over
 * conversations (people and counts exactly, percentiles within the documented 5%).
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../../test/helpers/engines.ts";
import { asApi, inbound } from "../../../test/helpers/services.ts";
import { AuthService } from "../auth.service.ts";
import { createServices } from "../container.ts";
import { fairnessReport } from "./fairness.report.ts";
import { happinessReport } from "./happiness.report.ts";

const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 2, day, hour)).toISOString();

describeEachEngine("reports rollup maintenance", (ctx) => {
  const snapshot = async () => {
    const rollup = await ctx.database.rows<Record<string, unknown>>(sql`
      SELECT week::text, channel_id::text, audience, bin, conversations, scored,
        round(sentiment_start::numeric, 9)::text AS s, round(sentiment_end::numeric, 9)::text AS e,
        started_negative, recovered
      FROM report_rollup WHERE conversations <> 0 OR scored <> 0 ORDER BY 1, 2, 3, 4`);
    const people = await ctx.database.rows<Record<string, unknown>>(sql`
      SELECT channel_id::text, audience, answered, week::text, prev_week::text, people
      FROM report_people WHERE people <> 0 ORDER BY 1, 2, 3, 4, 5`);
    return { rollup, people };
  };

  /** The maintained rollup equals a rebuild from conversations. */
  const expectRollupFromScratch = async () => {
    const maintained = await snapshot();
    await ctx.database.db.execute(sql`SELECT report_rebuild()`);
    const rebuilt = await snapshot();
    expect(maintained).toEqual(rebuilt);
    return rebuilt;
  };

  /** The reports agree with exact SQL over conversations. */
  const expectReportsExact = async (channel?: string) => {
    const counting = sql`status <> 'spam' AND first_inbound_at IS NOT NULL`;
    const exact = (
      await ctx.database.rows<{
        people: number;
        answered: number;
        conversations: number;
        p50: number | null;
      }>(sql`
      SELECT count(DISTINCT person_id)::int AS people,
        count(DISTINCT person_id) FILTER (WHERE first_human_response_at IS NOT NULL)::int AS answered,
        count(*)::int AS conversations,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_human_response_at - first_inbound_at)::float8) AS p50
      FROM conversations WHERE ${counting}`)
    )[0]!;
    const happiness = await happinessReport(ctx.database, channel ? { channel } : {});
    expect(happiness.overall).toMatchObject({
      people: exact.people,
      peopleAnswered: exact.answered,
      conversations: exact.conversations,
    });
    const p50 = happiness.overall.firstResponseSeconds.p50;
    if (exact.p50 === null) expect(p50).toBeNull();
    else expect(Math.abs((p50 ?? 0) - exact.p50)).toBeLessThanOrEqual(0.05 * exact.p50 + 0.5);
    const fairness = await fairnessReport(ctx.database, {});
    expect(fairness.buckets.reduce((s, b) => s + b.conversations, 0)).toBe(exact.conversations);
  };

  it("stays equal to a from-scratch computation through ingest, status changes and replies", async () => {
    const services = createServices(ctx.database);
    const channel = "rollup-x";
    const alice = { externalId: "rollup-alice", handle: "alice", displayName: "Alice", followerCount: 50 };
    const bob = { externalId: "rollup-bob", handle: "bob", displayName: "Bob", followerCount: 25_000 };
    const brand = { externalId: "agent:rollup-brand", handle: "brand", displayName: "Brand" };

    // Out of order: the thread's second message and the brand's reply arrive before its first message,
    // which is two weeks earlier (its week, its response time and the person's weeks all move).
    const first = inbound({
      channel,
      author: alice,
      text: "My parcel is lost, this is awful.",
      createdAt: at(2),
    });
    const second = inbound({
      channel,
      author: alice,
      text: "Still nothing. Terrible.",
      inReplyToExternalId: first.externalId,
      createdAt: at(16),
    });
    const answer = inbound({
      channel,
      direction: "out",
      author: brand,
      text: "Sorry Alice, we are on it.",
      inReplyToExternalId: second.externalId,
      createdAt: at(16, 12),
    });
    await services.ingest.ingest([asApi(second), asApi(answer)]);
    await expectRollupFromScratch();
    await services.ingest.ingest([asApi(first)]);
    await expectRollupFromScratch();

    // Another person, several conversations in different weeks, one of them in a batch with Alice's.
    const bobOne = inbound({ channel, author: bob, text: "Is there an outage?", createdAt: at(3) });
    const bobTwo = inbound({ channel, author: bob, text: "The app crashes again.", createdAt: at(20) });
    const aliceLater = inbound({ channel, author: alice, text: "Thanks, it arrived!", createdAt: at(25) });
    await services.ingest.ingest([asApi(bobTwo), asApi(aliceLater), asApi(bobOne)]);
    await expectRollupFromScratch();
    await expectReportsExact();

    // Spam and back: the conversation leaves every figure, then returns.
    const ids = await ctx.database.rows<{ id: string; person: string }>(sql`
      SELECT c.id, p.display_name AS person FROM conversations c JOIN people p ON p.id = c.person_id
      JOIN channels ch ON ch.id = c.channel_id WHERE ch.key = ${channel} ORDER BY c.first_inbound_at`);
    const bobsFirst = ids.find((r) => r.person === "Bob")!.id;
    const admin = await new AuthService(ctx.database.db).createAgent({
      email: "rollup-admin@example.com",
      name: "Rollup Admin",
      password: "long enough pw",
    });
    const peopleBefore = (await happinessReport(ctx.database, {})).overall.people;
    await services.lifecycle.setStatus(bobsFirst, "spam", { kind: "agent", id: admin.id });
    await expectRollupFromScratch();
    await expectReportsExact();
    await services.lifecycle.setStatus(bobsFirst, "open", { kind: "agent", id: admin.id });
    await expectRollupFromScratch();
    await expectReportsExact();
    expect((await happinessReport(ctx.database, {})).overall.people).toBe(peopleBefore);

    // A reply written in Rapport answers Bob's conversation: answered counts and the histogram move.
    const before = await fairnessReport(ctx.database, {});
    await services.replies.reply(
      bobsFirst,
      { id: admin.id, name: "Rollup Admin", signature: null },
      "Sorry for the trouble, Bob. We are looking into it now.",
      { acknowledgeWarnings: true },
    );
    await expectRollupFromScratch();
    await expectReportsExact();
    const after = await fairnessReport(ctx.database, {});
    const bucket = (r: typeof after) => r.buckets.find((b) => b.key === "10000-99999")!;
    expect(bucket(after).answered).toBe(bucket(before).answered + 1);

    // A period with partial weeks at both ends reads the edges from conversations: same people.
    const scoped = await happinessReport(ctx.database, {
      from: new Date(Date.UTC(2026, 2, 4)),
      to: new Date(Date.UTC(2026, 2, 21)),
    });
    const exactScoped = (
      await ctx.database.rows<{ people: number; conversations: number }>(sql`
      SELECT count(DISTINCT person_id)::int AS people, count(*)::int AS conversations FROM conversations
      WHERE status <> 'spam' AND first_inbound_at >= '2026-03-04' AND first_inbound_at < '2026-03-21'`)
    )[0]!;
    expect(scoped.overall).toMatchObject(exactScoped);
  });
});
