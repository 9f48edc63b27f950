import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { asApi, buildIngest, inbound } from "../../test/helpers/services.ts";
import { createServices } from "./container.ts";

describeEachEngine("ingest: edits, deletions and ignored payloads", (ctx) => {
  const messageRow = async (externalId: string) => {
    const [row] = await ctx.database.rows<{
      id: string;
      text: string;
      original_text: string | null;
      edited_at: Date | string | null;
      deleted_at: Date | string | null;
      sentiment_label: string;
    }>(sql`SELECT id, text, original_text, edited_at, deleted_at, sentiment_label FROM messages
           WHERE external_id = ${externalId}`);
    return row;
  };
  const edit = (channel: string, externalId: string, text: string, at: string) => ({
    channel,
    externalId,
    change: "edit",
    text,
    at,
  });

  it("applies an edit: the new text, re-analysed, the first text kept, a message.updated event", async () => {
    const { ingest, published } = buildIngest(ctx.database);
    const original = inbound({ channel: "edits-1", text: "Thanks, the new timetable is great!" });
    await ingest.ingest([asApi(original)]);
    const changed = await ingest.ingest([
      asApi(edit("edits-1", original.externalId, "Cancelled AGAIN. This is awful.", "2026-03-01T10:05:00Z")),
    ]);
    const row = await messageRow(original.externalId);
    expect(changed).toMatchObject({ messages: 0, changes: 1, duplicates: 0 });
    expect(changed.outcomes[0]).toEqual({ status: "changed", change: "edit", messageId: row!.id });
    expect(row).toMatchObject({
      text: "Cancelled AGAIN. This is awful.",
      original_text: original.text,
      sentiment_label: "negative",
    });
    expect(new Date(row!.edited_at!).toISOString()).toBe("2026-03-01T10:05:00.000Z");
    expect(published.filter((e) => e.type === "message.updated")).toHaveLength(1);
    // The same edit again is a duplicate and changes nothing.
    const again = await ingest.ingest([
      asApi(edit("edits-1", original.externalId, "Cancelled AGAIN. This is awful.", "2026-03-01T10:05:00Z")),
    ]);
    expect(again).toMatchObject({ changes: 0, duplicates: 1 });
  });

  it("drops agents' corrections of a message whose text the person edited", async () => {
    const { ingest } = buildIngest(ctx.database);
    const services = createServices(ctx.database);
    const original = inbound({ channel: "edits-corrected", text: "Thanks, the new timetable is great!" });
    await ingest.ingest([asApi(original)]);
    const row = await messageRow(original.externalId);
    await services.corrections.correct(row!.id, { sentiment: "neutral" }, { kind: "system", id: null });
    expect(await services.corrections.of([row!.id])).toHaveLength(1);
    await ingest.ingest([
      asApi(
        edit(
          "edits-corrected",
          original.externalId,
          "Cancelled AGAIN. This is awful.",
          "2026-03-01T10:05:00Z",
        ),
      ),
    ]);
    expect(await services.corrections.of([row!.id])).toEqual([]);
    expect(await messageRow(original.externalId)).toMatchObject({ sentiment_label: "negative" });
  });

  it("lets the newest edit win whatever order edits arrive in", async () => {
    const { ingest } = buildIngest(ctx.database);
    const original = inbound({ channel: "edits-2", text: "first" });
    await ingest.ingest([asApi(original)]);
    await ingest.ingest([asApi(edit("edits-2", original.externalId, "third", "2026-03-01T10:09:00Z"))]);
    await ingest.ingest([asApi(edit("edits-2", original.externalId, "second", "2026-03-01T10:05:00Z"))]);
    expect(await messageRow(original.externalId)).toMatchObject({ text: "third", original_text: "first" });
  });

  it("keeps an edit or deletion that arrives before its message, and applies it when the message comes", async () => {
    const { ingest } = buildIngest(ctx.database);
    const original = inbound({ channel: "edits-3", text: "my bag is lost" });
    const early = await ingest.ingest([
      asApi(edit("edits-3", original.externalId, "my bag is lost, flight BA12", "2026-03-01T10:05:00Z")),
      asApi({
        channel: "edits-3",
        externalId: original.externalId,
        change: "delete",
        at: "2026-03-01T11:00:00Z",
      }),
    ]);
    expect(early.outcomes).toEqual([
      { status: "changed", change: "edit", messageId: null },
      { status: "changed", change: "delete", messageId: null },
    ]);
    expect(await messageRow(original.externalId)).toBeUndefined();
    await ingest.ingest([asApi(original)]);
    const row = await messageRow(original.externalId);
    expect(row).toMatchObject({ text: "my bag is lost, flight BA12", original_text: "my bag is lost" });
    expect(new Date(row!.deleted_at!).toISOString()).toBe("2026-03-01T11:00:00.000Z");
    const [pending] = await ctx.database.rows<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM message_changes WHERE applied_at IS NULL AND external_id = ${original.externalId}`,
    );
    expect(pending!.n).toBe(0);
  });

  it("marks a deletion on the message and keeps its text", async () => {
    const { ingest } = buildIngest(ctx.database);
    const original = inbound({ channel: "edits-4", text: "please call me back" });
    await ingest.ingest([asApi(original)]);
    const deleted = await ingest.ingest([
      asApi({
        channel: "edits-4",
        externalId: original.externalId,
        change: "delete",
        at: "2026-03-02T08:00:00Z",
      }),
    ]);
    expect(deleted).toMatchObject({ changes: 1 });
    const row = await messageRow(original.externalId);
    expect(row!.text).toBe("please call me back");
    expect(row!.deleted_at).not.toBeNull();
  });

  it("stores a change that carries its whole message as that message when the original never arrived", async () => {
    const { ingest, normalizers } = buildIngest(ctx.database);
    const message = inbound({ channel: "edits-5", text: "edited text of a post we never saw" });
    normalizers.register("whole-edit", (payload) => ({
      ok: true,
      change: {
        channel: "edits-5",
        externalId: message.externalId,
        change: "edit",
        text: message.text,
        at: "2026-03-03T09:00:00Z",
        message: { ...(payload as typeof message), visibility: "public" } as never,
      },
    }));
    const summary = await ingest.ingest([{ source: "test", format: "whole-edit", payload: message }]);
    expect(summary).toMatchObject({ messages: 1, conversations: 1 });
    const row = await messageRow(message.externalId);
    expect(row!.text).toBe(message.text);
    expect(new Date(row!.edited_at!).toISOString()).toBe("2026-03-03T09:00:00.000Z");
    // Arriving again (the message is known now), it is an edit with nothing newer to apply.
    const again = await ingest.ingest([{ source: "test", format: "whole-edit", payload: message }]);
    expect(again).toMatchObject({ messages: 0 });
  });

  it("keeps payloads that are not messages raw, marked ignored with why", async () => {
    const { ingest, normalizers } = buildIngest(ctx.database);
    normalizers.register("likes", () => ({ ok: true, ignored: "a like, not a message" }));
    const summary = await ingest.ingest([{ source: "test", format: "likes", payload: { like: 1 } }]);
    expect(summary).toMatchObject({ messages: 0, deadLetters: 0, ignored: 1 });
    expect(summary.outcomes[0]).toEqual({ status: "ignored", reason: "a like, not a message" });
    const [raw] = await ctx.database.rows<{ status: string; note: string }>(
      sql`SELECT status, note FROM raw_events WHERE format = 'likes'`,
    );
    expect(raw).toEqual({ status: "ignored", note: "a like, not a message" });
  });

  it("dead-letters a change it cannot read, with the reason", async () => {
    const { ingest } = buildIngest(ctx.database);
    const summary = await ingest.ingest([
      asApi({ channel: "edits-6", externalId: "x", change: "edit", at: "2026-03-01T10:00:00Z" }),
      asApi({ channel: "edits-6", externalId: "x", change: "undo", at: "2026-03-01T10:00:00Z" }),
    ]);
    expect(summary.deadLetters).toBe(2);
    expect(summary.outcomes[0]).toMatchObject({
      status: "dead_letter",
      reason: expect.stringContaining("text"),
    });
    expect(summary.outcomes[1]).toMatchObject({
      status: "dead_letter",
      reason: expect.stringContaining("change"),
    });
  });
});
