/**
 * `rapport attachments fetch-missing` with the real binary: a Mastodon photo stored before Rapport
 * downloaded platform files (no content, no source URL, no job) is found in its raw event, queued, and
 * downloaded by the worker — after a platform outage longer than the job's retries, `--retry-failed`
 * queues it again; a file whose raw event names no URL is said so once.
 */
import { mkdtempSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { createConnectorRegistry } from "../src/channels/registry.ts";
import { createWorker } from "../src/jobs/index.ts";
import { createServices } from "../src/services/container.ts";
import { openDatabase } from "../src/store/db.ts";
import { runCli } from "./helpers/cli.ts";
import { createThrowawayPostgres, engines } from "./helpers/engines.ts";
import { asApi, inbound } from "./helpers/services.ts";

const PHOTO = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1]);

it.each(engines)(
  "finds old messages' file URLs in their raw events and queues their download [%s]",
  async (engine) => {
    let down = true; // the platform's media server, down at first
    const server = createServer((req, res) => {
      if (req.url === "/media/parcel.jpg" && down) res.writeHead(503).end();
      else if (req.url === "/media/parcel.jpg")
        res.writeHead(200, { "content-type": "image/jpeg" }).end(PHOTO);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const postgres = engine === "postgres" ? await createThrowawayPostgres() : null;
    const env = {
      RAPPORT_DATA: path.join(mkdtempSync(path.join(tmpdir(), "rapport-files-")), "data"),
      DATABASE_URL: postgres?.url ?? "",
    };
    const url = postgres?.url ?? env.RAPPORT_DATA;
    try {
      let database = await openDatabase({ url });
      const services = createServices(database);
      createConnectorRegistry().registerFormats(services.normalizers);
      const status = {
        id: "113",
        created_at: "2026-11-30T09:00:00.000Z",
        content: "<p>@northwind this is how my parcel arrived</p>",
        account: { id: "7", username: "ana", acct: "ana@social.example", display_name: "Ana Ruiz" },
        media_attachments: [
          { id: "1", type: "image", url: `${base}/media/parcel.jpg`, description: "a crushed box" },
        ],
      };
      const payload = {
        channel: "old-mastodon",
        source: "status",
        instance: base,
        receivedAt: status.created_at,
        data: status,
      };
      await services.ingest.ingest([
        { source: "mastodon:rest", format: "mastodon", payload },
        asApi(
          inbound({
            channel: "old-api",
            attachments: [{ filename: "scan.pdf", contentType: "application/pdf", size: 0 }],
          }),
        ),
      ]);
      // As it was before migration 0013: a name and a type, no source, no download queued.
      await database.db.execute(sql`UPDATE attachments SET source_url = NULL`);
      await database.db.execute(sql`DELETE FROM jobs`);
      await database.close();

      const first = await runCli(["attachments", "fetch-missing", "--json"], env);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual({ messages: 2, files: 1, queued: 1, withoutUrl: 1 });
      const again = await runCli(["attachments", "fetch-missing"], env);
      expect(again.stdout).toContain("No files to look for");

      const download = async () => {
        const db = await openDatabase({ url });
        // One attempt only: the platform's outage outlasts the job's retries.
        await db.db.execute(sql`UPDATE jobs SET max_attempts = 1`);
        await createWorker({
          database: db,
          events: createServices(db).events,
          connectors: createConnectorRegistry(),
          media: { allowPrivateAddresses: true },
        }).drain();
        return db;
      };
      database = await download();
      const [gaveUp] = await database.rows<{ fetch_error: string }>(
        sql`SELECT fetch_error FROM attachments WHERE filename = 'parcel.jpg'`,
      );
      expect(gaveUp!.fetch_error).toBe("not downloaded after 1 attempts: the server answered 503");
      await database.close();

      down = false;
      const retry = await runCli(["attachments", "fetch-missing", "--retry-failed", "--json"], env);
      expect(retry.code, retry.stderr).toBe(0);
      expect(JSON.parse(retry.stdout)).toEqual({
        messages: 0,
        files: 0,
        queued: 0,
        withoutUrl: 0,
        retried: 1,
      });
      database = await download();
      const files = await database.rows<{
        filename: string;
        content: Uint8Array | null;
        fetch_error: string | null;
      }>(sql`SELECT filename, content, fetch_error FROM attachments ORDER BY filename`);
      expect(
        files.map((f) => [
          f.filename,
          f.content ? Buffer.from(f.content).equals(PHOTO) : null,
          f.fetch_error,
        ]),
      ).toEqual([
        ["parcel.jpg", true, null],
        ["scan.pdf", null, "only its name and type were kept (its raw event names no URL)"],
      ]);
      await database.close();
    } finally {
      server.closeAllConnections();
      server.close();
      await postgres?.drop();
    }
  },
);
