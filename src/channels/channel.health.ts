/**
 * A channel's health: what its poller last recorded (the last successful poll, the last failure with
 * its service, step and time) summed up for the settings page, and the recorder pollers write through.
 */
import type { ChannelRow } from "../store/channel.repository.ts";
import type { ChannelProblem, PollHealth } from "./connector.ts";

/**
 * paused: an admin paused it; error: the last thing recorded is a failure; ok: the last is a success;
 * waiting: it should be polled but nothing was recorded yet; inactive: nothing polls it (its connector
 * does not poll, or it was never set up with secrets).
 */
export type HealthStatus = "ok" | "error" | "waiting" | "paused" | "inactive";

export interface ChannelHealth {
  status: HealthStatus;
  lastOkAt: string | null;
  lastErrorAt: string | null;
  lastError: ChannelProblem | null;
}

/** Whether a channel of this row is polled when it is not paused. */
export const isPollable = (row: Pick<ChannelRow, "secrets">, connectorPolls: boolean) =>
  connectorPolls && row.secrets !== null;

export function healthOf(
  row: Pick<ChannelRow, "pausedAt" | "secrets" | "lastOkAt" | "lastErrorAt" | "lastError">,
  connectorPolls: boolean,
): ChannelHealth {
  const okAt = row.lastOkAt?.getTime() ?? null;
  const errorAt = row.lastErrorAt?.getTime() ?? null;
  const status: HealthStatus = row.pausedAt
    ? "paused"
    : !isPollable(row, connectorPolls)
      ? "inactive"
      : errorAt !== null && (okAt === null || errorAt >= okAt)
        ? "error"
        : okAt !== null
          ? "ok"
          : "waiting";
  return {
    status,
    lastOkAt: row.lastOkAt?.toISOString() ?? null,
    lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
    lastError: (row.lastError as ChannelProblem | null) ?? null,
  };
}

export interface HealthStore {
  recordOk(id: string, at: Date): Promise<void>;
  recordError(id: string, problem: ChannelProblem, at: Date): Promise<void>;
}

/** Successes are written at most this often while nothing changes (a poll loop may report every second). */
export const OK_WRITE_INTERVAL_MS = 30_000;

/**
 * Writes one channel's health. A success right after a failure (or the first one) is written at once;
 * repeated successes at most every OK_WRITE_INTERVAL_MS; every failure is written (poll loops back off).
 */
export class HealthRecorder implements PollHealth {
  private lastOkWrite = 0;
  private failing = true;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly channelId: string,
    private readonly store: HealthStore,
    private readonly onWriteError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  ok(): void {
    const now = this.now();
    if (!this.failing && now - this.lastOkWrite < OK_WRITE_INTERVAL_MS) return;
    this.failing = false;
    this.lastOkWrite = now;
    this.track(this.store.recordOk(this.channelId, new Date(now)));
  }

  failed(problem: ChannelProblem): void {
    this.failing = true;
    const clean: ChannelProblem = {
      service: String(problem.service).slice(0, 50),
      ...(problem.step ? { step: String(problem.step).slice(0, 50) } : {}),
      message: String(problem.message).slice(0, 1000),
    };
    this.track(this.store.recordError(this.channelId, clean, new Date(this.now())));
  }

  /** Resolves when the writes started so far are done. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private track(write: Promise<void>): void {
    const tracked = write.catch(this.onWriteError).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
