/**
 * The job worker: takes due jobs with FOR UPDATE SKIP LOCKED (so any number of workers in any number
 * of processes share one table without taking a job twice), runs its queue's handler, and retries
 * failures with exponential backoff until the job is dead. Wakes on NOTIFY `rapport_jobs` and polls as
 * a fallback. The same code runs on PGlite and PostgreSQL (DESIGN.md: graphile-worker and pg-boss do
 * not work on PGlite's single session).
 */
import { randomBytes } from "node:crypto";
import type { Database } from "../store/db.ts";
import { JOBS_CHANNEL, type JobRow, jobRepository } from "../store/job.repository.ts";

export { JOBS_CHANNEL };

/** A failure that retrying cannot fix: the job goes straight to `dead`. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

export type JobHandler = (payload: Record<string, unknown>, job: JobRow) => Promise<void>;

export interface BackoffOptions {
  /** Delay after the first failed attempt (default 5 s). */
  baseMs?: number;
  /** Upper bound for one delay (default 1 h). */
  maxMs?: number;
  /** Random extra, as a fraction of the delay, so failed jobs do not retry in lockstep (default 0.2). */
  jitter?: number;
}

/** The delay before the next attempt after `attempt` failed (1-based): base × 2^(attempt−1), + jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
  const base = options.baseMs ?? 5_000;
  const max = options.maxMs ?? 60 * 60 * 1000;
  const delay = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(delay * (1 + (options.jitter ?? 0.2) * random()));
}

export interface WorkerOptions {
  database: Database;
  handlers: Record<string, JobHandler>;
  /** Parallel jobs per worker (default 4). */
  concurrency?: number;
  /** Fallback poll interval when no NOTIFY arrives (default 5 s). */
  pollIntervalMs?: number;
  /** A running job whose worker has been silent this long is taken again (default 5 min). */
  staleAfterMs?: number;
  backoff?: BackoffOptions;
  now?: () => Date;
  random?: () => number;
  /** Called when a handler fails (for logs). */
  onError?: (error: unknown, job: JobRow | null) => void;
  id?: string;
}

export class Worker {
  readonly id: string;
  private readonly jobs;
  private readonly queues: string[];
  private running = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => Promise<void>) | undefined;
  private draining: Promise<void> | undefined;
  private again = false;

  constructor(private readonly options: WorkerOptions) {
    this.id = options.id ?? `worker-${process.pid}-${randomBytes(3).toString("hex")}`;
    this.jobs = jobRepository(options.database.db);
    this.queues = Object.keys(options.handlers);
  }

  /** Starts listening and polling; returns once the first drain has been scheduled. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unlisten = await this.options.database.listen(JOBS_CHANNEL, (queue) => {
      if (queue === "" || this.queues.includes(queue)) this.wake();
    });
    const poll = () => {
      if (!this.running) return;
      this.wake();
      this.timer = setTimeout(poll, this.options.pollIntervalMs ?? 5_000);
      this.timer.unref();
    };
    poll();
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.unlisten?.();
    this.unlisten = undefined;
    await this.draining;
  }

  /** Asks for a drain; coalesces with one already running. */
  wake(): void {
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
    });
  }

  private async drainLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.drain();
      } catch (error) {
        // The database went away or a claim failed: the next poll tries again.
        this.options.onError?.(error, null);
      }
    } while (this.again && this.running);
  }

  /** Runs due jobs until none is left (also usable without start(), e.g. in tests). Returns how many ran. */
  async drain(): Promise<number> {
    const concurrency = this.options.concurrency ?? 4;
    let ran = 0;
    const lane = async () => {
      for (;;) {
        if (this.stopped) return;
        const [job] = await this.jobs.claim(this.queues, this.id, 1, this.options.staleAfterMs ?? 300_000);
        if (!job) return;
        await this.run(job);
        ran++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    return ran;
  }

  private async run(job: JobRow): Promise<void> {
    const handler = this.options.handlers[job.queue];
    try {
      if (!handler) throw new PermanentJobError(`No handler for the queue "${job.queue}".`);
      await handler(job.payload, job);
      await this.jobs.complete(job.id);
    } catch (error) {
      this.options.onError?.(error, job);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentJobError || job.attempts >= job.maxAttempts) {
        await this.jobs.kill(job.id, message);
        return;
      }
      const now = this.options.now?.() ?? new Date();
      const delay = backoffDelay(job.attempts, this.options.backoff, this.options.random);
      await this.jobs.retryAt(job.id, message, new Date(now.getTime() + delay));
    }
  }
}
