/**
 * Inbound email over IMAP (imapflow). Fetches every message above the last UID in the channel's cursor,
 * ingests each raw source (stored raw first), saves the cursor after each batch, then waits on IDLE
 * (new-mail EXISTS events) with a timer as polling fallback; imapflow sends NOOP instead of IDLE to
 * servers without it. On a restart it resumes from the saved UID: nothing is fetched twice, nothing is
 * missed. When the mailbox's UIDVALIDITY changes (the server renumbered it) the whole mailbox is read
 * again, and the pipeline's dedupe on Message-ID keeps each mail once. Connection errors reconnect
 * with backoff until the signal aborts.
 */
import { ImapFlow } from "imapflow";
import type { IngestItem } from "../../services/ingest.types.ts";
import type { PollContext } from "../connector.ts";
import { type EmailConfig, emailConfigSchema } from "./email.config.ts";
import { describeNetError, type NetError, stepOf } from "./email.errors.ts";
import type { EmailPayload } from "./email.inbound.ts";

export interface EmailCursor {
  mailbox: string;
  uidValidity: number;
  lastUid: number;
}

const BATCH = 25;

export function imapClient(config: EmailConfig, password: string): ImapFlow {
  return new ImapFlow({
    host: config.imap.host,
    port: config.imap.port,
    secure: config.imap.secure,
    auth: { user: config.imap.user, pass: password },
    logger: false,
    tls: { rejectUnauthorized: !config.allowSelfSigned },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    // IDLE (or NOOP polling without it) one second after the last command, not imapflow's 15 s.
    autoIdleDelay: 1_000,
  });
}

function readCursor(value: unknown, mailbox: string): EmailCursor | null {
  const c = value as Partial<EmailCursor> | null;
  return c && c.mailbox === mailbox && typeof c.uidValidity === "number" && typeof c.lastUid === "number"
    ? { mailbox, uidValidity: c.uidValidity, lastUid: c.lastUid }
    : null;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

export async function pollEmail(ctx: PollContext, options: { pollMs?: number } = {}): Promise<void> {
  const config = emailConfigSchema.parse(ctx.channel.config);
  const password = ctx.channel.secrets.imapPassword;
  if (!password) throw new Error(`The email channel ${ctx.channel.key} has no IMAP password.`);
  const pollMs = options.pollMs ?? (config.pollSeconds ?? 60) * 1000;
  const mailbox = config.imap.mailbox;
  let cursor = readCursor(ctx.cursor, mailbox);
  let failures = 0;
  while (!ctx.signal.aborted) {
    const client = imapClient(config, password);
    client.on("error", () => {}); // surfaced through the failing command below
    let step: string | null = null;
    try {
      await client.connect();
      step = "mailbox";
      // Opened, not locked: this connection is the loop's alone, and imapflow only IDLEs unlocked.
      await client.mailboxOpen(mailbox);
      step = "fetch";
      failures = 0;
      ctx.health?.ok();
      while (!ctx.signal.aborted && client.usable) {
        cursor = await fetchNew(client, ctx, cursor, mailbox);
        ctx.health?.ok();
        await waitForMail(client, ctx.signal, pollMs);
      }
    } catch (error) {
      if (ctx.signal.aborted) break;
      failures++;
      const delay = Math.min(300_000, 2_000 * 2 ** Math.min(failures - 1, 8));
      const e = error as NetError;
      const failed = step ?? stepOf(e);
      ctx.health?.failed({
        service: "imap",
        step: failed,
        message: `IMAP ${failed} failed: ${describeNetError(e)}`,
      });
      ctx.log.warn(`IMAP ${config.imap.host}:${config.imap.port} failed; retrying in ${delay / 1000} s`, {
        error: error instanceof Error ? error.message : String(error),
      });
      await sleep(delay, ctx.signal);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }
}

/** Ingests every message above the cursor, saving the cursor after each batch. */
async function fetchNew(
  client: ImapFlow,
  ctx: PollContext,
  cursor: EmailCursor | null,
  mailbox: string,
): Promise<EmailCursor> {
  const box = client.mailbox;
  if (!box) throw new Error(`The mailbox ${mailbox} is not open.`);
  const uidValidity = Number(box.uidValidity);
  let current = cursor;
  if (!current || current.uidValidity !== uidValidity) {
    if (current) {
      ctx.log.warn(
        `UIDVALIDITY of ${mailbox} changed (${current.uidValidity} → ${uidValidity}): reading it again`,
      );
    }
    current = { mailbox, uidValidity, lastUid: 0 };
  }
  // Always ask the server: the mailbox's cached UIDNEXT goes stale while idling.
  const found = await client.search({ uid: `${current.lastUid + 1}:*` }, { uid: true });
  // "n:*" also matches the newest message when no UID is ≥ n.
  const uids = (found || []).filter((uid) => uid > current!.lastUid).sort((a, b) => a - b);
  for (let i = 0; i < uids.length; i += BATCH) {
    const chunk = uids.slice(i, i + BATCH);
    const items: Array<IngestItem & { uid: number }> = [];
    // Fetch a small batch, then ingest it: the database work never runs mid-FETCH, and a first sync
    // of a large mailbox never holds more than one batch in memory.
    for await (const message of client.fetch(
      chunk.join(","),
      { uid: true, source: true, internalDate: true },
      { uid: true },
    )) {
      if (!message.source) continue;
      const internal = message.internalDate ? new Date(message.internalDate) : null;
      const payload: EmailPayload = {
        channel: ctx.channel.key,
        mailbox,
        uid: message.uid,
        uidValidity,
        ...(internal && !Number.isNaN(internal.getTime()) ? { receivedAt: internal.toISOString() } : {}),
        raw: message.source.toString("base64"),
      };
      items.push({
        uid: message.uid,
        source: `imap:${ctx.channel.key}`,
        format: "email",
        payload,
        detail: { uid: message.uid, mailbox },
      });
    }
    items.sort((a, b) => a.uid - b.uid);
    if (items.length > 0) await ctx.ingest(items.map(({ uid: _uid, ...item }) => item));
    current = { mailbox, uidValidity, lastUid: chunk.at(-1)! };
    await ctx.saveCursor(current);
  }
  return current;
}

/** Resolves on new mail (IDLE's EXISTS), after `ms` (polling fallback), on close, or on abort. */
function waitForMail(client: ImapFlow, signal: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      client.off("exists", done);
      client.off("close", done);
      signal.removeEventListener("abort", done);
      resolve();
    }
    client.on("exists", done);
    client.on("close", done);
    signal.addEventListener("abort", done);
  });
}
