/**
 * Settings → Webhooks (admins): outbound webhooks — create one (its signing secret is shown once),
 * change its URL and events, switch it on or off, rotate its secret, send a test event, and read its
 * delivery log with each attempt, redelivering what failed. See docs/channels/webhooks.md.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, post, withQuery } from "../api/client";
import { showToast } from "../lib/toast";
import "./settings-webhooks.css";

interface Webhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  consecutiveFailures: number;
  lastDeliveryAt: string | null;
  lastDeliveryStatus: string | null;
  createdAt: string;
}

interface EventType {
  type: string;
  description: string;
}

interface Delivery {
  id: string;
  eventId: string;
  event: string;
  status: "pending" | "succeeded" | "failed" | "cancelled";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  redeliveryOf: string | null;
  createdAt: string;
  completedAt: string | null;
}

interface DeliveryDetail extends Delivery {
  body: string;
  attemptLog: Array<{
    attempt: number;
    startedAt: string;
    durationMs: number;
    statusCode: number | null;
    responseExcerpt: string | null;
    error: string | null;
  }>;
}

const BASE = "/api/webhook-subscriptions";
const STATUS_CHIP: Record<Delivery["status"], string> = {
  succeeded: "chip chip-good",
  failed: "chip chip-bad",
  pending: "chip chip-warn",
  cancelled: "chip",
};

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

function useWebhooks() {
  return useQuery({
    queryKey: ["webhooks"],
    queryFn: () => api<{ items: Webhook[]; events: EventType[] }>(BASE),
  });
}

/** The secret, shown once with a copy button. */
function SecretNotice({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <div className="webhook-secret" role="status">
      <p>
        <strong>Signing secret</strong> — copy it now: it will not be shown again.
      </p>
      <input
        className="webhook-secret-value"
        aria-label="Signing secret"
        readOnly
        value={secret}
        onFocus={(e) => e.target.select()}
      />{" "}
      <button
        type="button"
        className="button"
        onClick={() => {
          void navigator.clipboard?.writeText(secret).then(
            () => showToast("Secret copied."),
            () => showToast("Copy it by hand: the clipboard is not available.", "error"),
          );
        }}
      >
        Copy
      </button>{" "}
      <button type="button" className="link-button" onClick={onDone}>
        I have saved it
      </button>
    </div>
  );
}

function EventPicker({
  events,
  value,
  onChange,
  label,
}: {
  events: EventType[];
  value: string[];
  onChange: (next: string[]) => void;
  label: string;
}) {
  return (
    <fieldset className="webhook-events">
      <legend>{label}</legend>
      {events.map((e) => (
        <label key={e.type} className="checkbox" title={e.description}>
          <input
            type="checkbox"
            checked={value.includes(e.type)}
            onChange={(ev) =>
              onChange(ev.target.checked ? [...value, e.type] : value.filter((v) => v !== e.type))
            }
          />{" "}
          <code>{e.type}</code> <span className="muted small">{e.description}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function WebhooksSection() {
  const webhooks = useWebhooks();
  const client = useQueryClient();
  const [form, setForm] = useState<{ name: string; url: string; events: string[] }>({
    name: "",
    url: "",
    events: ["message.created"],
  });
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => post<{ webhook: Webhook; secret: string }>(BASE, form),
    onSuccess: (created) => {
      setSecret(created.secret);
      setForm({ name: "", url: "", events: ["message.created"] });
      void client.invalidateQueries({ queryKey: ["webhooks"] });
      showToast("Webhook created.");
    },
    onError: (error) => showToast(error.message, "error"),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const events = webhooks.data?.events ?? [];
  return (
    <section className="card" aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p className="muted">
        Rapport POSTs the events you choose to your URL, signed with the webhook's secret (
        <code>X-Rapport-Signature</code>), retrying failures with backoff; a webhook whose deliveries fail 5
        times in a row is switched off. To receive messages from a platform Rapport does not support, set up a
        channel of kind <code>webhook</code> instead.
      </p>
      {secret && <SecretNotice secret={secret} onDone={() => setSecret(null)} />}
      {(webhooks.data?.items ?? []).length === 0 && <p className="muted">No webhooks yet.</p>}
      {(webhooks.data?.items ?? []).map((w) => (
        <WebhookItem key={w.id} webhook={w} events={events} />
      ))}
      <form className="stack-form webhook-form" onSubmit={submit} aria-label="Add a webhook">
        <h3>Add a webhook</h3>
        <input
          aria-label="Webhook name"
          required
          placeholder="Name (e.g. CRM sync)"
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <input
          aria-label="Webhook URL"
          required
          type="url"
          placeholder="https://example.com/rapport-events"
          value={form.url}
          onChange={(e) => setForm({ ...form, url: e.target.value })}
        />
        <EventPicker
          label="Events"
          events={events}
          value={form.events}
          onChange={(next) => setForm({ ...form, events: next })}
        />
        <button
          type="submit"
          className="button primary"
          disabled={create.isPending || form.events.length === 0}
        >
          Add webhook
        </button>
      </form>
    </section>
  );
}

function WebhookItem({ webhook, events }: { webhook: Webhook; events: EventType[] }) {
  const client = useQueryClient();
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["webhooks"] });
    void client.invalidateQueries({ queryKey: ["webhook-deliveries", webhook.id] });
  };
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ url: webhook.url, events: webhook.events });
  const [secret, setSecret] = useState<string | null>(null);
  const [showLog, setShowLog] = useState(false);
  const onError = (error: Error) => showToast(error.message, "error");
  const patch = useMutation({
    mutationFn: (body: Partial<Pick<Webhook, "url" | "events" | "enabled">>) =>
      api<Webhook>(`${BASE}/${webhook.id}`, { method: "PATCH", body }),
    onSuccess: (w) => {
      setEditing(false);
      refresh();
      showToast(w.enabled ? "Webhook saved." : "Webhook switched off.");
    },
    onError,
  });
  const remove = useMutation({
    mutationFn: () => api(`${BASE}/${webhook.id}`, { method: "DELETE" }),
    onSuccess: () => {
      refresh();
      showToast("Webhook deleted.");
    },
    onError,
  });
  const rotate = useMutation({
    mutationFn: () => post<{ secret: string }>(`${BASE}/${webhook.id}/rotate-secret`),
    onSuccess: (r) => setSecret(r.secret),
    onError,
  });
  const test = useMutation({
    mutationFn: () => post<DeliveryDetail>(`${BASE}/${webhook.id}/test`),
    onSuccess: (d) => {
      refresh();
      const attempt = d.attemptLog[0];
      showToast(
        d.status === "succeeded"
          ? `Test event delivered: ${attempt?.statusCode} in ${attempt?.durationMs} ms.`
          : `Test event failed: ${attempt?.error ?? d.lastError ?? "no answer"}`,
        d.status === "succeeded" ? "info" : "error",
        8000,
      );
    },
    onError,
  });
  return (
    <article className="webhook" aria-label={`Webhook ${webhook.name}`}>
      <header className="webhook-head">
        <strong>{webhook.name}</strong>{" "}
        <span className={webhook.enabled ? "chip chip-good" : "chip chip-bad"}>
          {webhook.enabled ? "on" : "off"}
        </span>{" "}
        <code className="webhook-url">{webhook.url}</code>
      </header>
      {webhook.disabledReason && !webhook.enabled && <p className="error small">{webhook.disabledReason}</p>}
      <p className="muted small">
        {webhook.events.join(", ")} · last delivery {when(webhook.lastDeliveryAt)}
        {webhook.lastDeliveryStatus ? ` (${webhook.lastDeliveryStatus})` : ""}
        {webhook.consecutiveFailures > 0 ? ` · ${webhook.consecutiveFailures} failed in a row` : ""}
      </p>
      {secret && <SecretNotice secret={secret} onDone={() => setSecret(null)} />}
      {editing ? (
        <form
          className="stack-form"
          onSubmit={(e) => {
            e.preventDefault();
            patch.mutate(draft);
          }}
        >
          <input
            aria-label={`URL of ${webhook.name}`}
            type="url"
            required
            value={draft.url}
            onChange={(e) => setDraft({ ...draft, url: e.target.value })}
          />
          <EventPicker
            label={`Events of ${webhook.name}`}
            events={events}
            value={draft.events}
            onChange={(next) => setDraft({ ...draft, events: next })}
          />
          <div className="inline-form">
            <button type="submit" className="button primary" disabled={draft.events.length === 0}>
              Save
            </button>
            <button type="button" className="link-button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div className="inline-form">
          <button
            type="button"
            className="button"
            onClick={() => patch.mutate({ enabled: !webhook.enabled })}
          >
            {webhook.enabled ? "Switch off" : "Switch on"}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setDraft({ url: webhook.url, events: webhook.events });
              setEditing(true);
            }}
          >
            Edit
          </button>
          <button type="button" className="button" disabled={test.isPending} onClick={() => test.mutate()}>
            {test.isPending ? "Sending…" : "Send test event"}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => setShowLog(!showLog)}
            aria-expanded={showLog}
          >
            {showLog ? "Hide deliveries" : "Deliveries"}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              if (window.confirm("Replace the signing secret? The current one stops working at once."))
                rotate.mutate();
            }}
          >
            Rotate secret
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              if (window.confirm(`Delete the webhook "${webhook.name}" and its delivery log?`))
                remove.mutate();
            }}
          >
            Delete
          </button>
        </div>
      )}
      {showLog && <DeliveryLog webhook={webhook} />}
    </article>
  );
}

function DeliveryLog({ webhook }: { webhook: Webhook }) {
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
