/** One webhook in Settings → Webhooks: its state, edit, switch on/off, test, rotate, delete, its log. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, post } from "../../api/client";
import { WEBHOOKS_BASE as BASE, type DeliveryDetail, type EventType, type Webhook } from "../../api/webhooks";
import { showToast } from "../../lib/toast";
import { DeliveryLog } from "./delivery-log";
import { EventPicker, SecretNotice, when } from "./webhook-fields";

export function WebhookItem({ webhook, events }: { webhook: Webhook; events: EventType[] }) {
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
