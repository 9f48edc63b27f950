/**
 * Settings → Channels: every channel with its kind, health and whether it is paused, the team that
 * answers it, and (admins) "Add channel" and a link to each set-up channel's page.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "wouter";
import { type ChannelListItem, useChannelList } from "../../api/channels";
import { api } from "../../api/client";
import { useTeams } from "../../api/queries";
import { Chip } from "../../components/chips";
import { healthSummary } from "../../lib/channel-health";
import { showToast } from "../../lib/toast";

export function ChannelsSection({ admin }: { admin: boolean }) {
  const channels = useChannelList();
  const teams = useTeams();
  const client = useQueryClient();
  const route = useMutation({
    mutationFn: ({ id, teamId }: { id: string; teamId: string | null }) =>
      api(`/api/channels/${id}/team`, { method: "PUT", body: { teamId } }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["channels"] });
      showToast("Channel routing saved.");
    },
  });
  const items = channels.data ?? [];
  return (
    <section className="card" aria-labelledby="channels-heading">
      <div className="page-head">
        <h2 id="channels-heading">Channels</h2>
        {admin && (
          <Link href="/settings/channels/new" className="button primary">
            Add channel
          </Link>
        )}
      </div>
      {channels.isError && (
        <p className="error" role="alert">
          {channels.error.message}
        </p>
      )}
      {channels.isSuccess && items.length === 0 ? (
        <p className="empty muted">
          No channels yet. {admin ? "Add one to start receiving messages." : "An admin can add one."}
        </p>
      ) : (
        <table className="table channels-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col">Team</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <tr key={c.id}>
                <td>
                  {admin && c.canSetUp ? <Link href={`/settings/channels/${c.id}`}>{c.name}</Link> : c.name}
                </td>
                <td className="muted">{c.kind}</td>
                <td>
                  <HealthCell channel={c} />
                </td>
                <td>
                  <select
                    aria-label={`Team answering ${c.name}`}
                    value={c.teamId ?? ""}
                    disabled={!admin}
                    onChange={(e) => route.mutate({ id: c.id, teamId: e.target.value || null })}
                  >
                    <option value="">No team</option>
                    {(teams.data ?? []).map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function HealthCell({ channel }: { channel: ChannelListItem }) {
  const health = healthSummary(channel.health);
  return (
    <span className="health">
      <Chip tone={health.tone} title={channel.health.lastError?.message}>
        {health.label}
      </Chip>{" "}
      <span className={health.tone === "bad" ? "error small" : "muted small"}>{health.text}</span>
    </span>
  );
}
