/**
 * Files stored before Rapport downloaded what platforms keep (Mastodon and Bluesky messages ingested
 * before migration 0013): their attachments have a name and a type but no content and no source. Their
 * raw events still hold the platform's payloads, so each is parsed again with its format's normalizer —
 * the same one ingest used — to find the files' URLs; the URLs are recorded and one download job per
 * message is queued, as ingest does today (docs/attachments.md). Run by `rapport attachments fetch-missing`.
 */
import { sql } from "drizzle-orm";
import { MAX_ATTACHMENT_BYTES } from "../core/inbound.ts";
import { enqueueDownloads, GAVE_UP, MEDIA_QUEUE } from "../store/attachment.repository.ts";
import type { Database } from "../store/db.ts";
import { JOBS_CHANNEL } from "../store/job.repository.ts";
import type { NormalizerRegistry } from "./normalizers.ts";

const NO_URL = "only its name and type were kept (its raw event names no URL)";

export interface BackfillSummary {
  /** Messages whose files were looked for in their raw events. */
  messages: number;
  /** Files whose platform URL was found and recorded. */
  files: number;
  /** Download jobs queued (one per message with a file found). */
  queued: number;
  /** Files whose raw event names no URL (marked so, and not looked for again). */
  withoutUrl: number;
}

/** Messages `m` of the channel with this key, or of every channel (null). */
const ofChannel = (channel: string | null) =>
  sql`(${channel}::text IS NULL OR m.channel_id = (SELECT id FROM channels WHERE key = ${channel}))`;

/** Files missing and never looked for (not those over the size kept: mail that was too large). */
const missing = (channel: string | null) => sql`
  a.content IS NULL AND a.source_url IS NULL AND a.fetch_error IS NULL AND m.raw_event_id IS NOT NULL
  AND a.size <= ${MAX_ATTACHMENT_BYTES}
  AND ${ofChannel(channel)}`;

export class AttachmentBackfill {
  constructor(
    private readonly database: Database,
    private readonly normalizers: NormalizerRegistry,
  ) {}

  /** How many messages have files to look for. */
  async pending(channel: string | null = null): Promise<number> {
    const [row] = await this.database.rows<{ n: number }>(sql`
      SELECT count(DISTINCT a.message_id)::int AS n
      FROM attachments a JOIN messages m ON m.id = a.message_id WHERE ${missing(channel)}`);
    return row?.n ?? 0;
  }

  /**
   * Files whose download gave up after its attempts (the platform was down or slow for longer than the
   * retries last): their reason is cleared and their download queued again.
   */
  async retryFailed(channel: string | null = null): Promise<{ files: number; queued: number }> {
    const result = await this.database.db.transaction(async (tx) => {
      const { rows } = (await tx.execute(sql`
        UPDATE attachments a SET fetch_error = NULL
        FROM messages m
        WHERE m.id = a.message_id AND a.content IS NULL AND a.source_url IS NOT NULL
          AND a.fetch_error LIKE ${`${GAVE_UP} %`}
          AND ${ofChannel(channel)}
        RETURNING a.message_id`)) as unknown as { rows: Array<{ message_id: string }> };
      const messages = [...new Set(rows.map((r) => r.message_id))];
      await enqueueDownloads(tx, messages);
      return { files: rows.length, queued: messages.length };
    });
    if (result.queued > 0) await this.database.notify(JOBS_CHANNEL, MEDIA_QUEUE).catch(() => {});
    return result;
  }

  async run(
    options: { channel?: string | null; pageSize?: number; onProgress?: (done: number) => void } = {},
  ): Promise<BackfillSummary> {
    const channel = options.channel ?? null;
    const summary: BackfillSummary = { messages: 0, files: 0, queued: 0, withoutUrl: 0 };
    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const page = await this.database.rows<{
        id: string;
        format: string;
        payload: unknown;
        positions: number[];
      }>(sql`
        SELECT m.id, r.format, r.payload, array_agg(a.position ORDER BY a.position) AS positions
        FROM attachments a
        JOIN messages m ON m.id = a.message_id
        JOIN raw_events r ON r.id = m.raw_event_id
        WHERE ${missing(channel)} AND m.id > ${after}::uuid
        GROUP BY m.id, r.id
        ORDER BY m.id
        LIMIT ${options.pageSize ?? 200}`);
      if (page.length === 0) break;
      after = page.at(-1)!.id;
      const found: Array<{ message_id: string; position: number; source_url: string }> = [];
      const none: Array<{ message_id: string; position: number }> = [];
      for (const row of page) {
        const payload = typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload;
        const parsed = await this.normalizers.normalize(row.format, payload);
        const files = parsed.ok && "message" in parsed ? (parsed.message.attachments ?? []) : [];
        for (const position of row.positions) {
          const url = files[position]?.url;
          if (url) found.push({ message_id: row.id, position, source_url: url });
          else none.push({ message_id: row.id, position });
        }
      }
      const messages = [...new Set(found.map((f) => f.message_id))];
      await this.database.db.transaction(async (tx) => {
        // Looked for and not found: said once, and not looked for again.
        if (none.length > 0)
          await tx.execute(sql`
            UPDATE attachments a SET fetch_error = ${NO_URL}
            FROM json_to_recordset(${JSON.stringify(none)}::json) AS f(message_id uuid, position integer)
            WHERE a.message_id = f.message_id AND a.position = f.position AND a.content IS NULL`);
        if (found.length > 0) {
          await tx.execute(sql`
            UPDATE attachments a SET source_url = f.source_url
            FROM json_to_recordset(${JSON.stringify(found)}::json) AS f(message_id uuid, position integer, source_url text)
            WHERE a.message_id = f.message_id AND a.position = f.position
              AND a.content IS NULL AND a.source_url IS NULL`);
          await enqueueDownloads(tx, messages);
        }
      });
      if (messages.length > 0) await this.database.notify(JOBS_CHANNEL, MEDIA_QUEUE).catch(() => {});
      summary.messages += page.length;
      summary.withoutUrl += none.length;
      summary.files += found.length;
      summary.queued += messages.length;
      options.onProgress?.(summary.messages);
    }
    return summary;
  }
}
