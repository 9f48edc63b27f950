/**
 * Property: whatever a platform sends — real payloads with fields dropped or replaced by wrong types,
 * empty, huge or unstorable text (U+0000, lone surrogates), duplicated or reordered in a batch — the
 * pipeline keeps every payload raw, answers one outcome per item, never fails a batch, never hits a
 * store error, and stores each message once. Real payloads come from ../shared/data when it is there
 * (Mastodon notifications, Bluesky Jetstream events, a raw email); the canonical format always.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { captureEvents, jetstreamPayload } from "../channels/bluesky/bluesky.test-support.ts";
import { emailConnector } from "../channels/email/email.connector.ts";
import { envelope, FIXTURES_DIR, fixture, hasFixtures } from "../channels/mastodon/mastodon.test-support.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { createServices } from "./container.ts";
import type { IngestItem } from "./ingest.types.ts";

const EMAIL = path.resolve(FIXTURES_DIR, "../email/mixed.eml");

function bases(): Array<{ format: string; payload: unknown }> {
  const list: Array<{ format: string; payload: unknown }> = [
    {
      format: "canonical",
      payload: {
        channel: "fuzz-canonical",
        externalId: "c-1",
        threadExternalId: "t-1",
        inReplyToExternalId: "c-0",
        direction: "in",
        author: { externalId: "a-1", handle: "ana", displayName: "Ana", followerCount: 12 },
        text: "my bag never arrived, any update?",
        createdAt: "2026-11-20T10:00:00Z",
        visibility: "public",
        attachments: [{ filename: "tag.png", contentType: "image/png", size: 3, contentBase64: "AAAA" }],
      },
    },
  ];
  if (hasFixtures) {
    const [mention] = fixture("notifications_Get_all_notifications_get__truncated") as unknown[];
    list.push({ format: "mastodon", payload: envelope("fuzz-mastodon", "notification", mention) });
    list.push({ format: "mastodon", payload: envelope("fuzz-mastodon", "status", fixture("entity_Status")) });
  } else console.warn("ingest fuzz: ../shared/data is absent; only the canonical format is fuzzed");
  const posts = captureEvents()
    .filter((e) => (e as { commit?: { collection?: string } }).commit?.collection === "app.bsky.feed.post")
    .slice(0, 3);
  for (const event of posts)
    list.push({ format: "bluesky", payload: jetstreamPayload("fuzz-bluesky", event) });
  if (existsSync(EMAIL)) {
    const read = emailConnector().readFile!.read(readFileSync(EMAIL), {
      channel: "fuzz-email",
      modifiedAt: new Date("2026-11-20T10:00:00Z"),
    });
    for (const payload of read) list.push({ format: "email", payload });
  }
  return list;
}

/** Every place in a JSON value a mutation can hit: [path, is a leaf]. */
function places(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = at.length > 0 ? [at] : [];
  if (Array.isArray(value)) for (const [i, v] of value.entries()) out.push(...places(v, [...at, i]));
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) out.push(...places(v, [...at, k]));
  return out;
}

type Mutation = { at: number; op: "replace" | "delete" | "whole"; value: unknown };

function mutate(payload: unknown, mutations: Mutation[]): unknown {
  const copy = structuredClone(payload) as Record<string | number, unknown>;
  for (const m of mutations) {
    // The whole payload replaced: null, a string, a number… (each is kept raw and dead-lettered).
    if (m.op === "whole") return structuredClone(m.value);
    const all = places(copy);
    if (all.length === 0) return copy;
    const where = all[m.at % all.length]!;
    let parent: Record<string | number, unknown> = copy;
    for (const step of where.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
    const last = where.at(-1)!;
    if (m.op === "delete" && !Array.isArray(parent)) delete parent[last];
    // A copy: payloads come from JSON, so a value never contains itself.
    else parent[last] = structuredClone(m.value);
  }
  return copy;
}

/** Any UTF-16 code unit: lone surrogates and U+0000 included. */
const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const oddValue = fc.oneof(
  codeUnits,
  fc.constantFrom(
    "",
    "\u0000",
    "\ud83d",
    "x".repeat(300_000),
    "0000-00-00T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "9999-12-31T23:59:59Z",
    "+275760-09-13T00:00:00.000Z",
    "2026-02-30T10:00:00Z",
    "<script>alert(1)</script>",
    -1,
    1e308,
    2 ** 63,
    0.5,
  ),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
);
const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom(
    "replace" as const,
    "replace" as const,
    "delete" as const,
    "delete" as const,
    "whole" as const,
  ),
  value: oddValue,
});

describeEachEngine("ingest under malformed, duplicated and reordered payloads", (ctx) => {
  it("property: every payload kept raw, one outcome each, no store error, each message stored once", async () => {
    const services = createServices(ctx.database);
    createConnectorRegistry().registerFormats(services.normalizers);
    const sources = bases();
    const count = async (table: string) =>
      Number(
        (await ctx.database.rows<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${sql.raw(table)}`))[0]!.n,
      );
    const item = fc.record({
      base: fc.nat({ max: sources.length - 1 }),
      mutations: fc.array(mutation, { maxLength: 4 }),
    });
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        async (picked, reverse) => {
          const items: IngestItem[] = picked.map((p) => ({
            source: "fuzz",
            format: sources[p.base]!.format,
            payload: mutate(sources[p.base]!.payload, p.mutations),
          }));
          // A duplicate inside the batch, and the batch in either order.
          const batch = reverse ? [...items, items[0]!].reverse() : [...items, items[0]!];
          const raw = await count("raw_events");
          const summary = await services.ingest.ingest(batch);
          expect(summary.outcomes).toHaveLength(batch.length);
          for (const outcome of summary.outcomes) {
            expect(["stored", "duplicate", "dead_letter", "changed", "ignored"]).toContain(outcome.status);
            // A store error means the pipeline let through what PostgreSQL refuses: a validation gap.
            if (outcome.status === "dead_letter")
              expect(outcome.reason, JSON.stringify(batch).slice(0, 2000)).not.toMatch(/could not be stored/);
          }
          expect(await count("raw_events")).toBe(raw + batch.length);
          stored += summary.messages;
          // The same batch again stores no message twice.
          const again = await services.ingest.ingest(batch);
          expect(again.messages).toBe(0);
        },
      ),
      // A fixed seed in CI; FUZZ_RUNS and FUZZ_SEED explore further by hand.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 30), seed: Number(process.env.FUZZ_SEED ?? 20261202) },
    );
    // The property also exercised the storing path, not only rejections.
    expect(stored).toBeGreaterThan(0);
    expect(await count("messages")).toBe(stored);
  });

  it.skipIf(!existsSync(EMAIL))(
    "property: a mail with any bytes spliced in is kept and never hits a store error",
    async () => {
      const services = createServices(ctx.database);
      createConnectorRegistry().registerFormats(services.normalizers);
      const dir = path.dirname(EMAIL);
      const mails = readdirSync(dir)
        .filter((name) => name.endsWith(".eml"))
        .map((name) => readFileSync(path.join(dir, name)));
      const splice = fc.oneof(
        fc.uint8Array({ maxLength: 12 }),
        fc
          .constantFrom(
            "=00",
            "\u0000",
            "\r\n\r\n",
            "--",
            "=?utf-8?B?",
            `Subject: ${"x".repeat(2000)}\r\n`,
            "\r\n.",
          )
          .map((text) => new Uint8Array(Buffer.from(text, "latin1"))),
      );
      const edit = fc.record({ at: fc.nat(), cut: fc.nat({ max: 40 }), bytes: splice });
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: mails.length - 1 }),
          fc.array(edit, { maxLength: 12 }),
          async (which, edits) => {
            let mail = mails[which]!;
            for (const e of edits) {
              const at = e.at % (mail.length + 1);
              mail = Buffer.concat([mail.subarray(0, at), e.bytes, mail.subarray(at + e.cut)]);
            }
            const summary = await services.ingest.ingest([
              {
                source: "fuzz",
                format: "email",
                payload: { channel: "fuzz-email-bytes", raw: mail.toString("base64") },
              },
            ]);
            const [outcome] = summary.outcomes;
            if (outcome?.status === "dead_letter")
              expect(outcome.reason, mail.toString("latin1").slice(0, 2000)).not.toMatch(
                /could not be stored/,
              );
            else expect(["stored", "duplicate"]).toContain(outcome?.status);
          },
        ),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 30), seed: Number(process.env.FUZZ_SEED ?? 20261202) },
      );
    },
  );
});
