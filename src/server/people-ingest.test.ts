import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { buildChannel, buildConversation, buildIdentity, buildPerson } from "../../test/helpers/factories.ts";
import { agentWithToken, fakeIngest, testApp } from "../../test/helpers/server.ts";
import { normalizeCanonical } from "../core/inbound.ts";
import { emptySummary, type IngestItem } from "../services/ingest.types.ts";

/** A stand-in pipeline that judges items the way the real one does: valid → stored, invalid → dead letter. */
function judgingIngest() {
  return fakeIngest((items: IngestItem[]) => {
    const summary = emptySummary();
    items.forEach((item, i) => {
      const result = normalizeCanonical(item.payload);
      if (result.ok) {
        summary.messages++;
        summary.outcomes.push({ status: "stored", messageId: `m${i}`, conversationId: `c${i}` });
      } else {
        summary.deadLetters++;
        summary.outcomes.push({ status: "dead_letter", deadLetterId: i + 1, reason: result.reason });
      }
    });
    return summary;
  });
}

const validMessage = {
  channel: "web",
  externalId: "m-1",
  direction: "in",
  author: { externalId: "u-1", handle: "lin" },
  text: "Hello?",
  createdAt: "2026-01-01T12:00:00Z",
};

describeEachEngine("people and ingest API", (ctx) => {
  let app: FastifyInstance;
  let headers: Record<string, string>;
  const ingest = judgingIngest();
  let lin: { id: string };

  beforeAll(async () => {
    const db = ctx.database.db;
    app = await testApp(ctx.database, { ingest });
    headers = (await agentWithToken(ctx.database, "ops@example.com")).headers;

    lin = await buildPerson(db, { displayName: "Lin Chen" });
    await buildIdentity(db, {
      personId: lin.id,
      platform: "mastodon",
      externalId: "109",
      handle: "@lin@social.example",
      profileUrl: "https://social.example/@lin",
      followerCount: 42,
    });
    await buildIdentity(db, {
      personId: lin.id,
      platform: "email",
      externalId: "lin@mail.example",
      handle: null,
    });
    const mastodon = await buildChannel(db, { key: "masto", kind: "mastodon", name: "Mastodon" });
    const email = await buildChannel(db, { key: "mail", kind: "email", name: "Email" });
    await buildConversation(db, {
      channelId: mastodon.id,
      personId: lin.id,
      lastMessageAt: new Date("2026-02-01T10:00:00Z"),
      messageCount: 3,
    });
    await buildConversation(db, {
      channelId: email.id,
      personId: lin.id,
      status: "resolved",
      lastMessageAt: new Date("2026-01-15T10:00:00Z"),
      messageCount: 1,
    });
    for (const name of ["Ana", "Bo", "Cy"]) await buildPerson(db, { displayName: name });
    const merged = await buildPerson(db, { displayName: "Lin (old)", mergedIntoId: lin.id });
    await buildIdentity(db, { personId: merged.id, platform: "x", handle: "lin_old" });
  });
  afterAll(() => app.close());

  describe("people", () => {
    it("returns a person with identities on every platform and conversations on every channel", async () => {
      const response = await app.inject({ method: "GET", url: `/api/people/${lin.id}`, headers });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ id: lin.id, displayName: "Lin Chen", tags: [], mergedIntoId: null });
      expect(body.identities).toEqual([
        expect.objectContaining({
          platform: "mastodon",
          handle: "@lin@social.example",
          profileUrl: "https://social.example/@lin",
          followerCount: 42,
        }),
        expect.objectContaining({ platform: "email", externalId: "lin@mail.example", handle: null }),
      ]);
      expect(body.conversations).toEqual([
        expect.objectContaining({
          channel: expect.objectContaining({ key: "masto", kind: "mastodon" }),
          status: "open",
          lastMessageAt: "2026-02-01T10:00:00.000Z",
          messageCount: 3,
        }),
        expect.objectContaining({ channel: expect.objectContaining({ key: "mail" }), status: "resolved" }),
      ]);
    });

    it("searches by name or handle, skips merged records, and paginates", async () => {
      const search = async (query: string) => {
        const response = await app.inject({ method: "GET", url: `/api/people${query}`, headers });
        expect(response.statusCode, response.body).toBe(200);
        return response.json() as { items: { id: string; displayName: string }[]; nextCursor: string | null };
      };
      expect((await search("?q=lin")).items.map((p) => p.displayName)).toEqual(["Lin Chen"]);
      expect((await search("?q=social.example")).items.map((p) => p.id)).toEqual([lin.id]);
      expect((await search("?q=lin_old")).items).toEqual([]);
      expect((await search("?q=%25")).items).toEqual([]); // a literal %, not a wildcard
      const first = await search("?q=lin");
      expect(first.items[0]).toMatchObject({
        conversationCount: 2,
        identities: [
          { platform: "mastodon", handle: "@lin@social.example" },
          { platform: "email", handle: null },
        ],
      });

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof search>> = await search(
          `?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...page.items.map((p) => p.displayName));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.sort()).toEqual(["Ana", "Bo", "Cy", "Lin Chen"]);
    });

    it("answers 404 for an unknown person and 400 for a bad id", async () => {
      const missing = await app.inject({
        method: "GET",
        url: "/api/people/00000000-0000-4000-8000-000000000000",
        headers,
      });
      expect(missing.statusCode).toBe(404);
      const bad = await app.inject({ method: "GET", url: "/api/people/42", headers });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toBe("params.id: must be a UUID");
    });
  });

  describe("ingest", () => {
    it("passes one object through raw and returns the summary", async () => {
      ingest.calls.length = 0;
      const response = await app.inject({
        method: "POST",
        url: "/api/ingest",
        headers,
        payload: validMessage,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        messages: 1,
        deadLetters: 0,
        outcomes: [{ status: "stored" }],
      });
      expect(ingest.calls).toEqual([[{ source: "api", format: "canonical", payload: validMessage }]]);
    });

    it("passes invalid items through untouched (the pipeline dead-letters them) alongside valid ones", async () => {
      ingest.calls.length = 0;
      const broken = { ...validMessage, externalId: "m-2", author: { externalId: "" }, extra: [1, 2] };
      const payload = [validMessage, broken, "not even an object"];
      const response = await app.inject({ method: "POST", url: "/api/ingest", headers, payload });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ messages: 1, deadLetters: 2 });
      expect(response.json().outcomes[1]).toMatchObject({
        status: "dead_letter",
        reason: /author\.externalId/,
      });
      expect(ingest.calls[0]!.map((item) => item.payload)).toEqual(payload);
    });

    it("answers 422 with the summary and reasons when every item was dead-lettered", async () => {
      const response = await app.inject({
        method: "POST",
        url: "/api/ingest",
        headers,
        payload: [{ channel: "web" }, { ...validMessage, createdAt: "yesterday" }],
      });
      expect(response.statusCode).toBe(422);
      const body = response.json();
      expect(body).toMatchObject({ messages: 0, deadLetters: 2, error: { code: "unprocessable" } });
      expect(body.error.message).toMatch(/item 1: createdAt: createdAt must be an ISO 8601/);
      expect(body.error.details.reasons).toHaveLength(2);
    });

    it("refuses empty, oversized and non-JSON bodies with clear messages", async () => {
      const empty = await app.inject({ method: "POST", url: "/api/ingest", headers, payload: [] });
      expect(empty.statusCode).toBe(400);
      expect(empty.json().error.message).toMatch(/empty/);

      const many = await app.inject({
        method: "POST",
        url: "/api/ingest",
        headers,
        payload: Array.from({ length: 1001 }, () => ({})),
      });
      expect(many.statusCode).toBe(413);
      expect(many.json().error.message).toBe(
        "At most 1000 items per request; this one has 1001. Split the batch.",
      );

      const huge = await app.inject({
        method: "POST",
        url: "/api/ingest",
        headers,
        payload: { ...validMessage, text: "x".repeat(6 * 1024 * 1024) },
      });
      expect(huge.statusCode).toBe(413);
      expect(huge.json().error).toEqual({
        code: "payload_too_large",
        message: "The request body is larger than 5 MB. Send smaller batches.",
      });

      const malformed = await app.inject({
        method: "POST",
        url: "/api/ingest",
        headers: { ...headers, "content-type": "application/json" },
        payload: "{ not json",
      });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().error.code).toBe("bad_request");

      const scalar = await app.inject({
        method: "POST",
        url: "/api/ingest",
        headers: { ...headers, "content-type": "application/json" },
        payload: '"hello"',
      });
      expect(scalar.statusCode).toBe(400);
      expect(scalar.json().error.message).toMatch(/^body: /);
    });
  });
});
