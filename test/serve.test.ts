import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/store/db.ts";
import { bin } from "./helpers/cli.ts";
import { createThrowawayPostgres } from "./helpers/postgres.ts";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** Starts `rapport serve`, resolves with its stdout once it prints the URL. */
function serve(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: string; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "serve", "--port", "0", ...args], {
      env: { ...process.env, LOG_LEVEL: "warn", DATABASE_URL: "", ...env },
    });
    children.push(child);
    let output = "";
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 150_000);
    child.stdout!.on("data", (d) => {
      output += d;
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match && /\n\n/.test(output.slice(match.index))) {
        clearTimeout(timer);
        resolve({ child, output, url: match[1]! });
      }
    });
    child.stderr!.on("data", (d) => {
      output += d;
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

/**
 * What a process that died between storing a webhook's payload and processing it leaves behind: a raw
 * event still pending an hour after it arrived, on the channel "recovered".
 */
async function storePendingHourAgo(database: Database, format: string, externalId: string, text: string) {
  await database.db.execute(sql`
    INSERT INTO raw_events (source, format, channel_key, payload, received_at)
    VALUES ('webhook:recovered', ${format}, 'recovered', ${JSON.stringify({
      channel: "recovered",
      externalId,
      direction: "in",
      author: { externalId: "someone" },
      text,
      createdAt: "2026-01-01T00:00:00.000Z",
    })}::json, now() - interval '1 hour')`);
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });

it("`serve --demo` starts with a demo workspace, a printed admin password, and seeds only once", async () => {
  const data = path.join(mkdtempSync(path.join(tmpdir(), "rapport-serve-")), "data");
  const first = await serve(["--demo"], { RAPPORT_DATA: data });
  const password = /password: (\S+)/.exec(first.output)?.[1];
  expect(password).toBeTruthy();
  expect(await (await fetch(`${first.url}/api/health`)).json()).toMatchObject({
    status: "ok",
    engine: "pglite",
  });
  expect((await fetch(`${first.url}/api/conversations`)).status).toBe(401);
  // The live Mastodon demo runs a local simulated server whose page shows posts and replies.
  const simulator = /replies show at (http:\/\/\S+)/.exec(first.output)?.[1];
  expect(simulator, first.output).toBeTruthy();
  expect(await (await fetch(simulator!)).text()).toContain("Mastodon simulator");
  const login = await fetch(`${first.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@example.com", password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
  const csrf = /rapport_csrf=([^;]+)/.exec(cookie)![1]!;
  const list = (await (
    await fetch(`${first.url}/api/conversations?limit=100`, { headers: { cookie } })
  ).json()) as {
    items: unknown[];
    nextCursor: string | null;
  };
  expect(list.items).toHaveLength(100);
  expect(list.nextCursor).toBeTruthy();

  // A reply goes through the outbox; the in-process worker sends it with the demo connector.
  const conversationId = (list.items[0] as { id: string }).id;
  const replied = await fetch(`${first.url}/api/conversations/${conversationId}/replies`, {
    method: "POST",
    headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
    body: JSON.stringify({ text: "Thanks, we are on it." }),
  });
  expect(replied.status).toBe(201);
  const messageId = ((await replied.json()) as { message: { id: string } }).message.id;
  await expect
    .poll(
      async () => {
        const thread = (await (
          await fetch(`${first.url}/api/conversations/${conversationId}`, { headers: { cookie } })
        ).json()) as { messages: Array<{ id: string; deliveryStatus: string }> };
        return thread.messages.find((m) => m.id === messageId)?.deliveryStatus;
      },
      { timeout: 30_000 },
    )
    .toBe("sent");

  // The data folder is locked while the server runs.
  const locked = await serve([], { RAPPORT_DATA: data }).catch((e: Error) => e.message);
  expect(locked).toContain("in use by process");

  expect(await stop(first.child)).toBe(0);
  // What a process that died between storing a webhook's payload and processing it leaves behind:
  // a pending raw event. The next start runs it through the pipeline.
  const offline = await openDatabase({ url: data });
  await storePendingHourAgo(
    offline,
    "canonical",
    "lost-in-a-crash",
    "Stored raw just before the server died",
  );
  await offline.close();
  const second = await serve(["--demo"], { RAPPORT_DATA: data });
  expect(second.output).toContain("already has agents");
  expect(second.output).not.toContain("password:");
  const again = await fetch(`${second.url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@example.com", password }),
  });
  const session = again.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
  await expect
    .poll(
      async () =>
        (
          (await (
            await fetch(`${second.url}/api/conversations?q=${encodeURIComponent("before the server died")}`, {
              headers: { cookie: session },
            })
          ).json()) as { items: unknown[] }
        ).items.length,
      { timeout: 30_000 },
    )
    .toBe(1);
  expect(await stop(second.child)).toBe(0);
}, 300_000); // two real starts of the binary, seeding on PGlite: minutes on a loaded 2-core machine

it.skipIf(!process.env.TEST_DATABASE_URL)(
  "`rapport worker` alone recovers a webhook channel's payload a stopped process left pending (PostgreSQL)",
  async () => {
    const pgdb = await createThrowawayPostgres();
    try {
      const setup = await openDatabase({ url: pgdb.url });
      // A webhook channel's payload (format "webhook": read by that connector's parser).
      await storePendingHourAgo(
        setup,
        "webhook",
        "lost-before-the-worker-started",
        "Stored raw, then the server died",
      );
      const child = spawn(process.execPath, [bin, "worker"], {
        env: { ...process.env, DATABASE_URL: pgdb.url, RAPPORT_SECRET_KEY: "x".repeat(32) },
      });
      children.push(child);
      let output = "";
      child.stdout!.on("data", (d) => {
        output += d;
      });
      child.stderr!.on("data", (d) => {
        output += d;
      });
      const stored = async () =>
        (
          await setup.rows<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM messages WHERE external_id = 'lost-before-the-worker-started'`,
          )
        )[0]!.n;
      await expect.poll(stored, { timeout: 60_000, interval: 500 }).toBe(1);
      expect(output).toContain("worker");
      const status = await setup.rows<{ status: string }>(
        sql`SELECT status FROM raw_events WHERE channel_key = 'recovered'`,
      );
      expect(status.map((r) => r.status)).toEqual(["processed"]);
      expect(await stop(child)).toBe(0);
      await setup.close();
    } finally {
      await pgdb.drop();
    }
  },
  120_000,
);
