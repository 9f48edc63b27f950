/**
 * One channel's settings page (admins): its health (a banner when polling fails, like a "reauthorize"
 * notice), "Test connection", the notes to copy, the settings form, rotating a secret Rapport generated
 * (a webhook's signing secret), pause/resume and delete.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation, useSearch } from "wouter";
import {
  type ChannelSettings,
  useChannelKinds,
  useChannelSaved,
  useChannelSettings,
  usePauseChannel,
} from "../../api/channels";
import { api } from "../../api/client";
import { Chip } from "../../components/chips";
import { healthSummary } from "../../lib/channel-health";
import { showToast } from "../../lib/toast";
import { ChannelForm } from "./channel-form";
import { ConnectionTest } from "./connection-test";
import { SetupNotes } from "./setup-notes";

export function ChannelPage({ id }: { id: string }) {
  const channel = useChannelSettings(id);
  const kinds = useChannelKinds();
  const saved = useChannelSaved();
  const created = new URLSearchParams(useSearch()).has("created");

  if (channel.isPending || kinds.isPending) return <p className="muted pad">Loading…</p>;
  const failure = channel.error ?? kinds.error;
  if (failure)
    return (
      <div className="page settings">
        <p className="error" role="alert">
          {failure.message}
        </p>
        <Link href="/settings">Back to settings</Link>
      </div>
    );
  const c = channel.data!;
  const kind = kinds.data!.find((k) => k.kind === c.kind);
  return (
    <div className="page settings channel-page">
      <p>
        <Link href="/settings">← Settings</Link>
      </p>
      <div className="page-head">
        <h1>{c.name}</h1>
      </div>
      <p className="chips">
        <Chip>{kind?.label ?? c.kind}</Chip>
        <span className="muted small">key {c.key}</span>
      </p>
      {created && (
        <p className="banner" role="status">
          The channel is set up. Test its connection to check the settings.
        </p>
      )}
      <HealthBanner channel={c} />
      {c.secretsError && (
        <p className="banner banner-bad" role="alert">
          {c.secretsError}
        </p>
      )}
      {kind && <ConnectionTest channelId={c.id} autoFocus={created} />}
      <SetupNotes notes={c.notes} />
      {kind ? (
        <section className="card" aria-labelledby="channel-settings-heading">
          <h2 id="channel-settings-heading">Settings</h2>
          <ChannelForm
            key={c.updatedAt}
            kind={kind}
            channel={c}
            submitLabel="Save changes"
            onSubmit={async (payload) => {
              const secrets = Object.keys(payload.secrets).length > 0 ? { secrets: payload.secrets } : {};
              const updated = await api<ChannelSettings>(`/api/channels/${c.id}`, {
                method: "PATCH",
                body: { name: payload.name, config: payload.config, ...secrets },
              });
              saved(updated);
              showToast("Settings saved. Polling restarts with them.");
            }}
          />
        </section>
      ) : (
        <p className="muted">Channels of this kind are not set up here (created by an import or the demo).</p>
      )}
      {kind?.generatesSecrets && <RotateSecret channel={c} />}
      <Lifecycle channel={c} />
    </div>
  );
}

function HealthBanner({ channel }: { channel: ChannelSettings }) {
  const health = healthSummary(channel.health);
  const e = channel.health.lastError;
  return (
    <section
      className={`banner ${health.tone === "bad" ? "banner-bad" : health.tone === "good" ? "banner-good" : ""}`}
      aria-label="Health"
    >
      <strong role={health.tone === "bad" ? "alert" : undefined}>{health.text}</strong>
      {health.tone === "bad" && e && <span className="banner-detail">{e.message}</span>}
      {health.tone === "bad" && (
        <span className="muted small">
          Check the settings below (a changed password?), save, and test the connection.
        </span>
      )}
      {channel.health.status === "error" && channel.health.lastOkAt && (
        <span className="muted small">Last worked {new Date(channel.health.lastOkAt).toLocaleString()}.</span>
      )}
    </section>
  );
}

/**
 * Replaces the secrets Rapport generated (a webhook channel's signing secret). The old one stops working at
 * once, so it asks first; the new one is shown this once, like at creation.
 */
function RotateSecret({ channel }: { channel: ChannelSettings }) {
  const rotate = useMutation({
    mutationFn: () =>
      api<{ generatedSecrets: Record<string, string> }>(`/api/channels/${channel.id}/rotate-secret`, {
        method: "POST",
      }),
    meta: { quiet: true },
    onSuccess: () => showToast("A new secret was made. Copy it now."),
  });
  return (
    <section className="card" aria-labelledby="channel-rotate-heading">
      <h2 id="channel-rotate-heading">Signing secret</h2>
      <p className="muted">
        Rapport made this channel's secret; it is never shown again. If it leaked or was lost, make a new one:
        the old one stops working at once, so give the new one to the sender straight away.
      </p>
      {rotate.data ? (
        <div role="status">
          {Object.entries(rotate.data.generatedSecrets).map(([name, value]) => (
            <label key={name} className="field">
              <span>{name} (shown this once)</span>
              <input readOnly value={value} onFocus={(e) => e.target.select()} className="generated-secret" />
            </label>
          ))}
        </div>
      ) : (
        <div className="form-actions">
          <ConfirmAction
            label="Rotate secret…"
            legend="Confirm rotation"
            question="Replace the secret? Messages signed with the old one will be refused."
            confirmLabel="Rotate"
            pending={rotate.isPending}
            onConfirm={() => rotate.mutate()}
          />
        </div>
      )}
      {rotate.isError && (
        <p className="error" role="alert">
          {rotate.error.message}
        </p>
      )}
    </section>
  );
}

function Lifecycle({ channel }: { channel: ChannelSettings }) {
  const pause = usePauseChannel(channel.id);
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const remove = useMutation({
    mutationFn: () => api(`/api/channels/${channel.id}`, { method: "DELETE" }),
    meta: { quiet: true },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["channels"] });
      showToast(`${channel.name} was deleted.`);
      navigate("/settings");
    },
  });
  return (
    <section className="card" aria-labelledby="channel-lifecycle-heading">
      <h2 id="channel-lifecycle-heading">Pause or delete</h2>
      <p className="muted">
        A paused channel is not polled: no new messages arrive from it until it is resumed. Its conversations
        stay, and replies can still be sent. A channel with conversations cannot be deleted — pause it
        instead.
      </p>
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={pause.isPending}
          onClick={() =>
            pause.mutate(!channel.paused, {
              onSuccess: () => showToast(channel.paused ? "Resumed: polling again." : "Paused: not polled."),
            })
          }
        >
          {channel.paused ? "Resume channel" : "Pause channel"}
        </button>
        <ConfirmAction
          label="Delete channel…"
          legend="Confirm deletion"
          question={`Delete ${channel.name} for good?`}
          confirmLabel="Delete"
          pending={remove.isPending}
          onConfirm={() => remove.mutate()}
        />
      </div>
      {remove.isError && (
        <p className="error" role="alert">
          {remove.error.message}
        </p>
      )}
    </section>
  );
}

/** A button that asks before it acts: the question with the action and "Keep it" in its place. */
function ConfirmAction(props: {
  label: string;
  legend: string;
  question: string;
  confirmLabel: string;
  pending: boolean;
  onConfirm: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming)
    return (
      <button type="button" className="button" onClick={() => setConfirming(true)}>
        {props.label}
      </button>
    );
  return (
    <fieldset className="confirm">
      <legend className="visually-hidden">{props.legend}</legend>
      <span>{props.question}</span>
      <button
        type="button"
        className="button warn"
        disabled={props.pending}
        onClick={() => {
          props.onConfirm();
          setConfirming(false);
        }}
      >
        {props.confirmLabel}
      </button>
      <button type="button" className="button" onClick={() => setConfirming(false)}>
        Keep it
      </button>
    </fieldset>
  );
}
