/**
 * Files platforms keep, end to end on both engines: a message posted to POST /api/ingest names its files
 * by URL; the ingest queues one download job in its transaction; the worker stores what it gets, marks
 * what it never will get, retries what may still come, and the API shows each file's status and serves
 * images inline only when asked. The files come from a real local HTTP server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { inbound } from "../../test/helpers/services.ts";
import { createConnectorRegistry } from "../channels/registry.ts";
import { buildApp } from "../server/app.ts";
import { createServices, type Services } from "../services/container.ts";
import type { RapportEvent } from "../services/events.ts";
import { MEDIA_QUEUE } from "../store/attachment.repository.ts";
import { createWorker } from "./index.ts";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

describeEachEngine("files platforms keep", (ctx) => {
  let app: FastifyInstance;
  let services: Services;
  let headers: Record<string, string>;
  let server: Server;
  let base: string;
  let busy = true;
  const events: RapportEvent[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/crushed.png") res.writeHead(200, { "content-type": "image/png" }).end(PNG);
      else if (req.url === "/drawing.svg") res.writeHead(200, { "content-type": "image/svg+xml" }).end(SVG);
      else if (req.url === "/later.png" && !busy)
        res.writeHead(200, { "content-type": "image/png" }).end(PNG);
      else if (req.url === "/later.png") res.writeHead(503).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    services = createServices(ctx.database);
    services.events.subscribe((e) => events.push(e));
    const connectors = createConnectorRegistry();
    connectors.registerFormats(services.normalizers);
    app = await buildApp({ database: ctx.database, services, connectors });
    headers = (await agentWithToken(ctx.database, `media-${ctx.engine}@example.com`)).headers;
  });
  afterAll(async () => {
    await app?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const worker = () =>
    createWorker(
      {
        database: ctx.database,
        events: services.events,
        connectors: createConnectorRegistry(),
        media: { allowPrivateAddresses: true },
      },
      { concurrency: 1, backoff: { baseMs: 60_000 } },
    );
  const jobs = (messageId: string) =>
    ctx.database.rows<{ status: string; attempts: number; last_error: string | null }>(
      sql`SELECT status, attempts, last_error FROM jobs WHERE queue = ${MEDIA_QUEUE} AND payload->>'messageId' = ${messageId}`,
    );
  const files = async (conversationId: string) => {
    const res = await app.inject({ method: "GET", url: `/api/conversations/${conversationId}`, headers });
    expect(res.statusCode).toBe(200);
    return res.json().messages[0].attachments as Array<Record<string, unknown>>;
  };
  const file = (name: string, extra: Record<string, unknown> = {}) => ({
    filename: name,
    contentType: name.endsWith(".svg") ? "image/svg+xml" : "image/png",
    size: 0,
    url: `${base}/${name}`,
    ...extra,
  });

  it("stores what it gets, marks what it never will, retries what may still come", async () => {
    const payload = inbound({
      channel: `media-${ctx.engine}`,
      externalId: "m-1",
      text: "This is how my parcel arrived",
      attachments: [file("crushed.png"), file("gone.png"), file("later.png"), file("drawing.svg")],
    });
    const posted = await app.inject({ method: "POST", url: "/api/ingest", headers, payload });
    expect(posted.statusCode).toBe(200);
    const { conversationId, messageId } = posted.json().outcomes[0];
    // Ingesting the same message again queues nothing more.
    await app.inject({ method: "POST", url: "/api/ingest", headers, payload });
    expect(await jobs(messageId)).toEqual([{ status: "queued", attempts: 0, last_error: null }]);
    expect((await files(conversationId)).map((f) => f.status)).toEqual([
      "downloading",
      "downloading",
      "downloading",
      "downloading",
    ]);
    const pending = await app.inject({
      method: "GET",
      url: `/api/messages/${messageId}/attachments/0`,
      headers,
    });
    expect(pending.statusCode).toBe(404);
    expect(pending.json().error.message).toMatch(/still being downloaded/);

    await worker().drain();
    const after = await files(conversationId);
    expect(after).toMatchObject([
      { status: "stored", size: PNG.length, url: `/api/messages/${messageId}/attachments/0`, note: null },
      { status: "unavailable", url: null, note: "the server answered 404", sourceUrl: `${base}/gone.png` },
      { status: "downloading", url: null, note: null },
      { status: "stored", contentType: "image/svg+xml", size: SVG.length },
    ]);
    expect(await jobs(messageId)).toMatchObject([{ status: "queued", attempts: 1 }]);
    expect((await jobs(messageId))[0]!.last_error).toMatch(
      /^Not downloaded yet — file 2: the server answered 503$/,
    );
    expect(events).toContainEqual({ type: "message.updated", messageId, conversationId });

    // The retry (due at once here) finds only the file still waiting.
    busy = false;
    await ctx.database.db.execute(sql`UPDATE jobs SET run_at = now() WHERE queue = ${MEDIA_QUEUE}`);
    await worker().drain();
    expect((await files(conversationId)).map((f) => f.status)).toEqual([
      "stored",
      "unavailable",
      "stored",
      "stored",
    ]);
    expect(await jobs(messageId)).toMatchObject([{ status: "done", attempts: 2 }]);

    // Images are shown inline only when asked, and only raster types; SVG is always a download.
    const png = await app.inject({
      method: "GET",
      url: `/api/messages/${messageId}/attachments/2?inline=1`,
      headers,
    });
    expect(png.rawPayload).toEqual(PNG);
    expect(png.headers["content-disposition"]).toMatch(/^inline; filename="later.png"/);
    expect(png.headers["content-security-policy"]).toBe("sandbox");
    const download = await app.inject({
      method: "GET",
      url: `/api/messages/${messageId}/attachments/2`,
      headers,
    });
    expect(download.headers["content-disposition"]).toMatch(/^attachment;/);
    const svg = await app.inject({
      method: "GET",
      url: `/api/messages/${messageId}/attachments/3?inline=1`,
      headers,
    });
    expect(svg.headers["content-disposition"]).toMatch(/^attachment;/);
    const gone = await app.inject({
      method: "GET",
      url: `/api/messages/${messageId}/attachments/1`,
      headers,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.message).toBe("gone.png is not kept: the server answered 404.");
  });

  it("on the last attempt, a file that never came is marked with the last reason", async () => {
    busy = true;
    const posted = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: inbound({
        channel: `media-${ctx.engine}`,
        externalId: "m-2",
        attachments: [file("later.png")],
      }),
    });
    const { conversationId, messageId } = posted.json().outcomes[0];
    await ctx.database.db.execute(
      sql`UPDATE jobs SET max_attempts = 1 WHERE queue = ${MEDIA_QUEUE} AND payload->>'messageId' = ${messageId}`,
    );
    await worker().drain();
    expect(await files(conversationId)).toMatchObject([
      { status: "unavailable", note: "not downloaded after 1 attempts: the server answered 503" },
    ]);
    // Nothing is left to do for it: the job is done, not retried.
    expect(await jobs(messageId)).toMatchObject([{ status: "done", attempts: 1 }]);
  });

  it("dead-letters a file URL that is not http(s) with the reason; files sent inline need no job", async () => {
    const bad = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: inbound({
        channel: `media-${ctx.engine}`,
        externalId: "m-3",
        attachments: [file("x.png", { url: "file:///etc/passwd" })],
      }),
    });
    // Kept raw as a dead letter, like any payload that is not canonical (docs/api.md).
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.message).toMatch(/attachments\.0\.url: attachment url must be an http\(s\) URL/);
    // Content that is not base64 (PostgreSQL could not decode it) is named too, not a store error.
    const garbled = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: inbound({
        channel: `media-${ctx.engine}`,
        externalId: "m-3b",
        attachments: [file("y.png", { contentBase64: "-_8=" }), file("z.png", { contentBase64: "YQ" })],
      }),
    });
    expect(garbled.statusCode).toBe(422);
    expect(garbled.json().error.message).toMatch(
      /attachments\.0\.contentBase64: attachment content must be standard base64 \(RFC 4648, padded\).*attachments\.1\.contentBase64/,
    );
    const inline = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: inbound({
        channel: `media-${ctx.engine}`,
        externalId: "m-4",
        // Wrapped like a MIME body: the line breaks are not part of the content.
        attachments: [
          file("crushed.png", {
            contentBase64: PNG.toString("base64").replace(/(.{16})/g, "$1\r\n"),
            size: PNG.length,
          }),
        ],
      }),
    });
    const { conversationId, messageId } = inline.json().outcomes[0];
    expect(await jobs(messageId)).toEqual([]);
    expect(await files(conversationId)).toMatchObject([{ status: "stored", sourceUrl: null }]);
    const [stored] = await ctx.database.rows<{ content: Buffer | Uint8Array }>(
      sql`SELECT content FROM attachments WHERE message_id = ${messageId}`,
    );
    expect(Buffer.from(stored!.content).equals(PNG)).toBe(true);
  });
});
