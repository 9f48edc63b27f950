/** The HTTP rate limits' counters (table rate_limits), shared by every server process on the database. */
import { sql } from "drizzle-orm";
import type { Database } from "./db.ts";

export interface RateLimitHit {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  ttlMs: number;
}

export class RateLimitRepository {
  constructor(private readonly database: Database) {}

  /** Counts one request for `key` in a fixed window of `windowMs`, starting a new window when the last has ended. */
  async hit(key: string, windowMs: number): Promise<RateLimitHit> {
    const [row] = await this.database.rows<{ count: number; ttl_ms: string | number }>(sql`
      INSERT INTO rate_limits AS r (key, count, reset_at)
      VALUES (${key}, 1, clock_timestamp() + ${windowMs} * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN r.reset_at <= clock_timestamp() THEN 1 ELSE r.count + 1 END,
        reset_at = CASE WHEN r.reset_at <= clock_timestamp() THEN excluded.reset_at ELSE r.reset_at END
      RETURNING count, greatest(0, ceil(extract(epoch FROM r.reset_at - clock_timestamp()) * 1000)) AS ttl_ms`);
    return { count: row!.count, ttlMs: Number(row!.ttl_ms) };
  }

  /** The current window's count for `key`, without counting a request (0 when no window is running). */
  async peek(key: string): Promise<RateLimitHit> {
    const [row] = await this.database.rows<{ count: number; ttl_ms: string | number }>(sql`
      SELECT count, ceil(extract(epoch FROM reset_at - clock_timestamp()) * 1000) AS ttl_ms
      FROM rate_limits WHERE key = ${key} AND reset_at > clock_timestamp()`);
    return row ? { count: row.count, ttlMs: Number(row.ttl_ms) } : { count: 0, ttlMs: 0 };
  }

  /** Deletes the counters of windows that have ended. */
  async sweep(): Promise<number> {
    const rows = await this.database.rows(sql`
      DELETE FROM rate_limits WHERE reset_at <= clock_timestamp() RETURNING 1 AS gone`);
    return rows.length;
  }
}
