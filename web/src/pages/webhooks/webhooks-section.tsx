/**
 * Settings → Webhooks (admins): outbound webhooks — create one (its signing secret is shown once),
 * change its URL and events, switch it on or off, rotate its secret, send a test event, and read its
 * delivery log with each attempt, redelivering what failed. See docs/channels/webhooks.md. Each webhook
 * is a WebhookItem (webhook-item.tsx), its log a DeliveryLog (delivery-log.tsx).
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { post } from "../../api/client";
import { WEBHOOKS_BASE as BASE, useWebhooks, type Webhook } from "../../api/webhooks";
import { showToast } from "../../lib/toast";
import { EventPicker, SecretNotice } from "./webhook-fields";
import { WebhookItem } from "./webhook-item";
import "./webhooks.css";

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
