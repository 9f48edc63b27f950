/**
 * Reconciliation: Mastodon has no feed of deletions, and streams edits and deletions only to a connected
 * stream. So after a gap — the connector started, the stream dropped or was refused — the channel's
 * inbound posts received since `windowMs` before the gap began are re-read one by one
 * (`GET /api/v1/statuses/:id`, oldest first, at most the newest `max`). A 404 or 410 becomes a `gone`
 * payload (a deletion), a newer `edited_at` the status itself as a `status` payload (an edit): the poller
 * hands both to the ingest pipeline like the stream's `delete` and `status.update`, so the pipeline's
 * dedupe and newest-wins rules apply unchanged. Progress is part of the channel's cursor: a 429, a 5xx, a
 * timeout, an abort or a restart resumes after the last post whose result was ingested. The pass pauses
 * while the account has fewer than `reserve` requests left in its rate-limit window (catch-up and
 * replies keep those), and goes on after the window resets.
 */
import type { PollContext, PollLog, RecentInbound } from "../connector.ts";
import { compareIds, MastodonApiError, type MastodonClient } from "./mastodon.api.ts";
import type { MastodonEnvelope } from "./mastodon.inbound.ts";

/** A pass to do (kept in the cursor): re-check what was received since `since`, after `after`. */
export interface ReconcileState {
  /** ISO time: posts received since then are re-checked. */
  since: string;
  /** The last post checked and ingested (received time, status id); the pass resumes after it. */
  after?: { at: string; id: string };
}

export interface ReconcileOptions {
  /** How far before the gap posts are re-checked (default 24 h). */
  windowMs?: number;
  /** At most this many posts per pass, the newest in the window (default 200). */
  max?: number;
  /** Pause while fewer requests than this are left in the rate-limit window (default 100 of 300). */
  reserve?: number;
  /** Results are ingested and progress saved after this many posts (default 20). */
  chunk?: number;
}

export const RECONCILE_DEFAULTS: Required<ReconcileOptions> = {
  windowMs: 24 * 3600_000,
  max: 200,
  reserve: 100,
  chunk: 20,
};

/** A pending pass that also covers a gap that began at `gapStart` (the earliest window wins). */
export function markGap(
  state: ReconcileState | undefined,
  gapStart: number,
  windowMs: number,
): ReconcileState {
  const since = new Date(gapStart - windowMs).toISOString();
  // Posts already checked may have changed in the new gap: the pass starts over.
  return { since: state && Date.parse(state.since) < Date.parse(since) ? state.since : since };
}

/** What a re-check found: a payload for the pipeline. */
export interface Finding {
  source: Extract<MastodonEnvelope["source"], "status" | "gone">;
  data: unknown;
}

export interface ReconcileDeps {
  client: MastodonClient;
  recent: NonNullable<PollContext["recentInbound"]>;
  /** Ingests findings (in order); resolves once they are stored. */
  ingest(findings: Finding[]): Promise<unknown>;
  /** Saves the pass's progress (undefined: the pass is done). */
  save(state: ReconcileState | undefined): Promise<void>;
  log: PollLog;
  signal: AbortSignal;
}

export type ReconcileResult =
  | { done: true; checked: number; found: number }
  | { done: false; checked: number; found: number; resumeAt: number };

const later = (c: RecentInbound, after: ReconcileState["after"]) => {
  if (!after) return true;
  const t = c.receivedAt.getTime() - Date.parse(after.at);
  return t !== 0 ? t > 0 : compareIds(c.externalId, after.id) > 0;
};

/**
 * Runs (or resumes) a pass. Throws on errors worth retrying (429 after the client's own waits, 5xx, the
 * network, 401/403) after ingesting and saving what was found before them.
 */
export async function reconcile(
  state: ReconcileState,
  deps: ReconcileDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileResult> {
  const { max, reserve, chunk } = { ...RECONCILE_DEFAULTS, ...options };
  const candidates = (await deps.recent({ since: new Date(state.since), limit: max }))
    .filter((c) => later(c, state.after))
    .sort(
      (a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || compareIds(a.externalId, b.externalId),
    );
  let found: Finding[] = [];
  let after = state.after;
  let saved = after;
  let checked = 0;
  let total = 0;
  const flush = async () => {
    // Progress moves only past findings that were stored.
    if (found.length > 0) {
      await deps.ingest(found);
      found = [];
    }
    if (after && after !== saved) {
      await deps.save({ since: state.since, after });
      saved = after;
    }
  };
  try {
    for (const c of candidates) {
      const { remaining, resetAt } = deps.client.rate;
      if (deps.signal.aborted || (remaining !== null && remaining < reserve && (resetAt ?? 0) > Date.now())) {
        await flush();
        return { done: false, checked, found: total, resumeAt: deps.signal.aborted ? Date.now() : resetAt! };
      }
      const finding = await check(deps, c);
      checked++;
      if (finding) {
        found.push(finding);
        total++;
      }
      after = { at: c.receivedAt.toISOString(), id: c.externalId };
      if (checked % chunk === 0) await flush();
    }
  } catch (error) {
    // Keep what was learnt before the failure; if even that fails, the pass re-checks it next time.
    await flush().catch(() => {});
    throw error;
  }
  await flush();
  await deps.save(undefined);
  return { done: true, checked, found: total };
}

/** Re-reads one post: a finding when it is gone or was edited since we stored it, else null. */
async function check(deps: ReconcileDeps, c: RecentInbound): Promise<Finding | null> {
  const id = c.externalId;
  let data: unknown;
  try {
    ({ data } = await deps.client.get<unknown>(`/api/v1/statuses/${encodeURIComponent(id)}`));
  } catch (error) {
    if (error instanceof MastodonApiError && (error.status === 404 || error.status === 410))
      return { source: "gone", data: { id, status: error.status, error: error.message } };
    // An answer that is not JSON, or another refusal of this one post: skipped, not guessed. The token's
    // refusals (401, 403) and what may pass (429, 5xx, the network) end the pass, to be resumed.
    const tokenRefused = error instanceof MastodonApiError && (error.status === 401 || error.status === 403);
    if (
      error instanceof SyntaxError ||
      (error instanceof MastodonApiError && error.status >= 400 && !error.retryable && !tokenRefused)
    ) {
      deps.log.warn(`re-reading status ${id} failed; skipped`, { error: error.message });
      return null;
    }
    throw error;
  }
  const status = data as { id?: unknown; edited_at?: unknown } | null;
  if (!status || typeof status !== "object" || String(status.id) !== id) {
    deps.log.warn(`re-reading status ${id} gave something else than that status; skipped`);
    return null;
  }
  const editedAt = typeof status.edited_at === "string" ? Date.parse(status.edited_at) : Number.NaN;
  if (Number.isNaN(editedAt) || (c.editedAt && editedAt <= c.editedAt.getTime())) return null;
  return { source: "status", data };
}
