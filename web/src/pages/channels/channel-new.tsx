/** Add a channel: choose a kind (every connector that can be set up), then fill in its form. */
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useLocation } from "wouter";
import { type ChannelSettings, useChannelKinds } from "../../api/channels";
import { post } from "../../api/client";
import { showToast } from "../../lib/toast";
import { ChannelForm } from "./channel-form";

export function NewChannelPage({ kind }: { kind: string | null }) {
  const kinds = useChannelKinds();
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const [how, setHow] = useState<"oauth" | "secrets">("oauth");
  // Secrets Rapport generated (a webhook signing secret): shown once, before going on.
  const [generated, setGenerated] = useState<{ id: string; secrets: Record<string, string> } | null>(null);

  if (generated) return <GeneratedSecrets {...generated} />;
  if (kinds.isPending) return <p className="muted pad">Loading…</p>;
  if (kinds.isError)
    return (
      <div className="page settings">
        <p className="error" role="alert">
          {kinds.error.message}
        </p>
        <Link href="/settings">Back to settings</Link>
      </div>
    );
  const chosen = kind ? kinds.data.find((k) => k.kind === kind) : undefined;

  if (!chosen) {
    return (
      <div className="page settings">
        <p>
          <Link href="/settings">← Settings</Link>
        </p>
        <h1>Add a channel</h1>
        {kind && (
          <p className="error" role="alert">
            Channels of kind “{kind}” cannot be set up here.
          </p>
        )}
        {kinds.data.length === 0 ? (
          <p className="empty muted">No kind of channel can be set up on this server.</p>
        ) : (
          <>
            <p className="muted">Choose what to connect.</p>
            <ul className="kind-list">
              {kinds.data.map((k) => (
                <li key={k.kind}>
                  <Link href={`/settings/channels/new/${encodeURIComponent(k.kind)}`} className="kind-card">
                    <strong>{k.label}</strong>
                    {k.description && <span className="muted">{k.description}</span>}
                  </Link>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    );
  }

  return (
    <div className="page settings">
      <p>
        <Link href="/settings/channels/new">← Choose another kind</Link>
      </p>
      <h1>Add a channel: {chosen.label}</h1>
      {chosen.description && <p className="muted">{chosen.description}</p>}
      {chosen.oauth && (
        <fieldset className="connect-how">
          <legend>How to connect</legend>
          <label>
            <input
              type="radio"
              name="connect-how"
              checked={how === "oauth"}
              onChange={() => setHow("oauth")}
            />{" "}
            Sign in on {chosen.label} (recommended)
          </label>
          <label>
            <input
              type="radio"
              name="connect-how"
              checked={how === "secrets"}
              onChange={() => setHow("secrets")}
            />{" "}
            Paste credentials yourself
          </label>
        </fieldset>
      )}
      <section className="card">
        {chosen.oauth && how === "oauth" ? (
          <>
            <p className="muted">
              You will sign in on {chosen.label} and approve Rapport there; you come back here with the
              channel set up.
            </p>
            <ChannelForm
              key="oauth"
              kind={chosen}
              withSecrets={false}
              submitLabel={`Continue to sign in on ${chosen.label}`}
              onCancel={() => navigate("/settings")}
              onSubmit={async (payload) => {
                const { authorizeUrl } = await post<{ authorizeUrl: string }>("/api/channels/oauth/start", {
                  kind: chosen.kind,
                  name: payload.name,
                  config: payload.config,
                });
                window.location.assign(authorizeUrl);
              }}
            />
          </>
        ) : (
          <ChannelForm
            key="secrets"
            kind={chosen}
            submitLabel="Create channel"
            onCancel={() => navigate("/settings")}
            onSubmit={async (payload) => {
              const { generatedSecrets, ...created } = await post<
                ChannelSettings & { generatedSecrets?: Record<string, string> }
              >("/api/channels", { kind: chosen.kind, ...payload });
              client.setQueryData(["channel", created.id], created);
              void client.invalidateQueries({ queryKey: ["channels"] });
              showToast(`${created.name} is set up. Test its connection.`);
              if (generatedSecrets) setGenerated({ id: created.id, secrets: generatedSecrets });
              else navigate(`/settings/channels/${created.id}?created=1`);
            }}
          />
        )}
      </section>
    </div>
  );
}

/** The secrets Rapport generated for a new channel, shown this once with a way to copy them. */
function GeneratedSecrets({ id, secrets }: { id: string; secrets: Record<string, string> }) {
  return (
    <div className="page settings">
      <h1>Copy the secret now</h1>
      <section className="card" role="status">
        <p>It will not be shown again (rotating it makes a new one). Give it to the sender, for signing.</p>
        {Object.entries(secrets).map(([name, value]) => (
          <label key={name} className="field">
            <span>{name}</span>
            <input readOnly value={value} onFocus={(e) => e.target.select()} className="generated-secret" />
          </label>
        ))}
        <Link href={`/settings/channels/${id}?created=1`} className="button primary">
          I have saved it — continue
        </Link>
      </section>
    </div>
  );
}
