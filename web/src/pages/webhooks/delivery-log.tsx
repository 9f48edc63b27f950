/** A webhook's delivery log: filtered by status, paged, each attempt and the body sent, redelivery. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, post, withQuery } from "../../api/client";
import { WEBHOOKS_BASE as BASE, type Delivery, type DeliveryDetail, type Webhook } from "../../api/webhooks";
import { showToast } from "../../lib/toast";
import { when } from "./webhook-fields";

const STATUS_CHIP: Record<Delivery["status"], string> = {
  succeeded: "chip chip-good",
  failed: "chip chip-bad",
  pending: "chip chip-warn",
  cancelled: "chip",
};

export function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const client = useQueryClient();
  const [status, setStatus] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const log = useInfiniteQuery({
    queryKey: ["webhook-deliveries", webhook.id, status],
    queryFn: ({ pageParam }) =>
      api<{ items: Delivery[]; nextCursor: string | null }>(
        withQuery(`${BASE}/${webhook.id}/deliveries`, { status, limit: 25, cursor: pageParam }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    refetchInterval: 10_000,
  });
  const redeliver = useMutation({
    mutationFn: (id: string) => post<DeliveryDetail>(`${BASE}/${webhook.id}/deliveries/${id}/redeliver`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["webhook-deliveries", webhook.id] });
      showToast("Queued for redelivery.");
    },
    onError: (error) => showToast(error.message, "error"),
  });
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="webhook-log">
      <label className="field-inline">
        Show{" "}
        <select aria-label="Delivery status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">all deliveries</option>
          <option value="failed">failed</option>
          <option value="pending">pending</option>
          <option value="succeeded">succeeded</option>
          <option value="cancelled">cancelled</option>
        </select>
      </label>
      {items.length === 0 && !log.isPending && <p className="muted">No deliveries yet.</p>}
      {items.length > 0 && (
        <table className="table" aria-label={`Deliveries of ${webhook.name}`}>
          <thead>
            <tr>
              <th>Event</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Answer</th>
              <th>Time</th>
              <th>Next attempt</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items.map((d) => (
              <DeliveryRow
                key={d.id}
                webhookId={webhook.id}
                delivery={d}
                open={open === d.id}
                onToggle={() => setOpen(open === d.id ? null : d.id)}
                onRedeliver={() => redeliver.mutate(d.id)}
              />
            ))}
          </tbody>
        </table>
      )}
      {log.hasNextPage && (
        <button type="button" className="button load-more" onClick={() => void log.fetchNextPage()}>
          Older deliveries
        </button>
      )}
    </div>
  );
}

function DeliveryRow({
  webhookId,
  delivery: d,
  open,
  onToggle,
  onRedeliver,
}: {
  webhookId: string;
  delivery: Delivery;
  open: boolean;
  onToggle: () => void;
  onRedeliver: () => void;
}) {
  const detail = useQuery({
    queryKey: ["webhook-delivery", d.id, d.attempts, d.status],
    queryFn: () => api<DeliveryDetail>(`${BASE}/${webhookId}/deliveries/${d.id}`),
    enabled: open,
  });
  return (
    <>
      <tr>
        <td>
          <code>{d.event}</code>
          {d.redeliveryOf && <span className="muted small"> (redelivery)</span>}
        </td>
        <td>
          <span className={STATUS_CHIP[d.status]}>{d.status}</span>
        </td>
        <td>{d.attempts}</td>
        <td title={d.lastError ?? undefined}>{d.lastStatusCode ?? (d.lastError ? "no answer" : "—")}</td>
        <td>{d.lastDurationMs === null ? "—" : `${d.lastDurationMs} ms`}</td>
        <td>{when(d.nextAttemptAt)}</td>
        <td>{when(d.createdAt)}</td>
        <td>
          <button type="button" className="link-button" onClick={onToggle} aria-expanded={open}>
            {open ? "Hide" : "Details"}
          </button>{" "}
          {d.status !== "pending" && (
            <button type="button" className="link-button" onClick={onRedeliver}>
              Redeliver
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="webhook-detail">
          <td colSpan={8}>
            {detail.data ? (
              <>
                <ol className="webhook-attempts">
                  {detail.data.attemptLog.map((a) => (
                    <li key={a.attempt}>
                      Attempt {a.attempt} at {when(a.startedAt)}: {a.statusCode ?? "no answer"} in{" "}
                      {a.durationMs} ms
                      {a.error ? ` — ${a.error}` : ""}
                      {a.responseExcerpt && <pre className="webhook-pre">{a.responseExcerpt}</pre>}
                    </li>
                  ))}
                </ol>
                <p className="small muted">
                  Event id <code>{detail.data.eventId}</code> — the body sent:
                </p>
                <pre className="webhook-pre">{pretty(detail.data.body)}</pre>
              </>
            ) : (
              <p className="muted">Loading…</p>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
