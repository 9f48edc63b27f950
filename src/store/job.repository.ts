/**
 * The jobs table: background work any process can take with FOR UPDATE SKIP LOCKED, on both engines.
 * A job is queued → running → done, or back to queued with a later run_at after a failure, or dead
 * once it has used its attempts (or failed in a way retrying cannot fix).
 */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

/** The NOTIFY channel a new job is announced on (payload: the queue name), after its transaction commits. */
export const JOBS_CHANNEL = "rapport_jobs";

export interface JobRow {
  id: number;
  queue: string;
  payload: Record<string, unknown>;
  status: "queued" | "running" | "done" | "failed" | "dead";
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
}

const rowsOf = async <T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> =>
  ((await db.execute(query)) as unknown as { rows: T[] }).rows;

type RawJob = {
  id: string | number;
  queue: string;
  payload: Record<string, unknown> | string;
  status: JobRow["status"];
  attempts: number;
  max_attempts: number;
  run_at: string | Date;
  last_error: string | null;
};

function toJob(row: RawJob): JobRow {
  return {
    id: Number(row.id),
    queue: row.queue,
    payload: typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: new Date(row.run_at),
    lastError: row.last_error,
  };
}

export function jobRepository(db: Db) {
  return {
    /** Adds a job (inside the caller's transaction, so it exists exactly when the caller's rows do). */
    async enqueue(
      queue: string,
      payload: Record<string, unknown>,
      options: { maxAttempts?: number; runAt?: Date } = {},
    ): Promise<number> {
      const [row] = await rowsOf<{ id: string | number }>(
        db,
        sql`INSERT INTO jobs (queue, payload, max_attempts, run_at)
          VALUES (${queue}, ${JSON.stringify(payload)}::jsonb, ${options.maxAttempts ?? 8},
            ${(options.runAt ?? new Date()).toISOString()}::timestamptz)
          RETURNING id`,
      );
      return Number(row!.id);
    },

    /**
     * Takes up to `limit` due jobs of these queues for `workerId`, counting the attempt. Rows other
     * workers hold are skipped, not waited for; a running job whose lock is older than `staleAfterMs`
     * (its worker died) is taken again.
     */
    async claim(queues: string[], workerId: string, limit: number, staleAfterMs: number): Promise<JobRow[]> {
      const rows = await rowsOf<RawJob>(
        db,
        sql`UPDATE jobs SET status = 'running', locked_at = now(), locked_by = ${workerId},
            attempts = attempts + 1
          WHERE id IN (
            SELECT id FROM jobs
            WHERE queue IN (SELECT value FROM json_array_elements_text(${JSON.stringify(queues)}::json))
              AND ((status = 'queued' AND run_at <= now())
                OR (status = 'running' AND locked_at < now() - make_interval(secs => ${staleAfterMs / 1000})))
            ORDER BY run_at, id
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, queue, payload, status, attempts, max_attempts, run_at, last_error`,
      );
      return rows.map(toJob);
    },

    async complete(id: number): Promise<void> {
      await db.execute(sql`
        UPDATE jobs SET status = 'done', locked_at = NULL, locked_by = NULL, last_error = NULL WHERE id = ${id}`);
    },

    /** Puts a failed job back in the queue to run at `runAt`. */
    async retryAt(id: number, error: string, runAt: Date): Promise<void> {
      await db.execute(sql`
        UPDATE jobs SET status = 'queued', locked_at = NULL, locked_by = NULL, last_error = ${error},
          run_at = ${runAt.toISOString()}::timestamptz
        WHERE id = ${id}`);
    },

    async kill(id: number, error: string): Promise<void> {
      await db.execute(sql`
        UPDATE jobs SET status = 'dead', locked_at = NULL, locked_by = NULL, last_error = ${error} WHERE id = ${id}`);
    },

    /** Ends the queued (not running) jobs of a queue whose payload has `key` = `value`. */
    async cancelQueued(queue: string, key: string, value: string, reason: string): Promise<number> {
      const rows = await rowsOf<{ id: string }>(
        db,
        sql`UPDATE jobs SET status = 'dead', last_error = ${reason}
          WHERE queue = ${queue} AND status = 'queued' AND payload ->> ${key} = ${value}
          RETURNING id`,
      );
      return rows.length;
    },

    async find(id: number): Promise<JobRow | undefined> {
      const [row] = await rowsOf<RawJob>(
        db,
        sql`SELECT id, queue, payload, status, attempts, max_attempts, run_at, last_error FROM jobs WHERE id = ${id}`,
      );
      return row ? toJob(row) : undefined;
    },

    /** Jobs whose payload has `key` = `value`, oldest first (tests and diagnostics). */
    async findBy(queue: string, key: string, value: string): Promise<JobRow[]> {
      const rows = await rowsOf<RawJob>(
        db,
        sql`SELECT id, queue, payload, status, attempts, max_attempts, run_at, last_error FROM jobs
          WHERE queue = ${queue} AND payload ->> ${key} = ${value} ORDER BY id`,
      );
      return rows.map(toJob);
    },
  };
}

export type JobRepository = ReturnType<typeof jobRepository>;
