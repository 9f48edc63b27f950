/**
 * Workspace settings (admins change them; agents can look): agents, teams and how they are assigned
 * work, channels (channels/: set-up, health, which team answers each), the authenticity guard's rules,
 * and saved replies.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, post } from "../api/client";
import { useAgents, useSavedReplies, useTeams } from "../api/queries";
import type { Agent } from "../api/types";
import { showToast } from "../lib/toast";
import { ChannelsSection } from "./channels/channels-section";
import { WebhooksSection } from "./webhooks/webhooks-section";

type Severity = "off" | "warn" | "block";
const MODES = { manual: "Manual", round_robin: "Round-robin", least_loaded: "Least loaded" } as const;

function useSaved(keys: string[][], message: string) {
  const client = useQueryClient();
  return () => {
    for (const queryKey of keys) void client.invalidateQueries({ queryKey });
    showToast(message);
  };
}

export function SettingsPage({ me }: { me: Agent }) {
  const admin = me.role === "admin";
  return (
    <div className="page settings">
      <h1>Settings</h1>
      {!admin && <p className="muted">Only an admin can change these settings.</p>}
      <AgentsSection admin={admin} />
      <TeamsSection admin={admin} />
      <ChannelsSection admin={admin} />
      <GuardSection admin={admin} />
      <SavedRepliesSection />
      {admin && <WebhooksSection />}
    </div>
  );
}

function AgentsSection({ admin }: { admin: boolean }) {
  const agents = useAgents();
  const saved = useSaved([["agents"]], "Agent saved.");
  const [form, setForm] = useState({ email: "", name: "", password: "", role: "agent" });
  const invite = useMutation({
    mutationFn: () => post("/api/agents", form),
    onSuccess: () => {
      setForm({ email: "", name: "", password: "", role: "agent" });
      saved();
    },
  });
  const setRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: string }) =>
      api(`/api/agents/${id}`, { method: "PATCH", body: { role } }),
    onSuccess: saved,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  return (
    <section className="card" aria-labelledby="agents-heading">
      <h2 id="agents-heading">Agents</h2>
      <table className="table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Availability</th>
            <th>Open conversations</th>
          </tr>
        </thead>
        <tbody>
          {(agents.data ?? []).map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>
                <select
                  aria-label={`Role of ${a.name}`}
                  value={a.role}
                  disabled={!admin}
                  onChange={(e) => setRole.mutate({ id: a.id, role: e.target.value })}
                >
                  <option value="agent">Agent</option>
                  <option value="admin">Admin</option>
                </select>
              </td>
              <td>{a.availability}</td>
              <td>{a.openConversations}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {admin && (
        <form className="inline-form" onSubmit={submit} aria-label="Invite an agent">
          <input
            aria-label="New agent's email"
            type="email"
            required
            placeholder="Email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
          <input
            aria-label="New agent's name"
            required
            placeholder="Name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
          <input
            aria-label="First password"
            type="password"
            required
            minLength={8}
            placeholder="First password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
          <select
            aria-label="New agent's role"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.target.value })}
          >
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
          <button type="submit" className="button primary" disabled={invite.isPending}>
            Add agent
          </button>
        </form>
      )}
    </section>
  );
}

function TeamsSection({ admin }: { admin: boolean }) {
  const teams = useTeams();
  const agents = useAgents();
  const saved = useSaved([["teams"], ["agents"]], "Team saved.");
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => post("/api/teams", { name, assignmentMode: "least_loaded" }),
    onSuccess: () => {
      setName("");
      saved();
    },
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Record<string, unknown> }) =>
      api(`/api/teams/${id}`, { method: "PATCH", body }),
    onSuccess: saved,
  });
  return (
    <section className="card" aria-labelledby="teams-heading">
      <h2 id="teams-heading">Teams and assignment</h2>
      <p className="muted">
        A channel's new conversations go to its team; round-robin and least-loaded teams also pick an online
        agent under capacity, preferring whoever last helped the person.
      </p>
      {(teams.data ?? []).map((team) => {
        const members = new Set(team.members.map((m) => m.id));
        return (
          <fieldset key={team.id} className="team">
            <legend>{team.name}</legend>
            <label className="field">
              <span>Assignment</span>
              <select
                value={team.assignmentMode ?? "manual"}
                disabled={!admin}
                onChange={(e) => update.mutate({ id: team.id, body: { assignmentMode: e.target.value } })}
              >
                {Object.entries(MODES).map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <fieldset className="members">
              <legend className="visually-hidden">Members of {team.name}</legend>
              {(agents.data ?? []).map((a) => (
                <label key={a.id} className="checkbox">
                  <input
                    type="checkbox"
                    checked={members.has(a.id)}
                    disabled={!admin}
                    onChange={(e) => {
                      const next = new Set(members);
                      if (e.target.checked) next.add(a.id);
                      else next.delete(a.id);
                      update.mutate({ id: team.id, body: { memberIds: [...next] } });
                    }}
                  />{" "}
                  {a.name}
                </label>
              ))}
            </fieldset>
          </fieldset>
        );
      })}
      {admin && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <input
            aria-label="New team's name"
            required
            placeholder="New team"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="button" disabled={create.isPending}>
            Add team
          </button>
        </form>
      )}
    </section>
  );
}

function GuardSection({ admin }: { admin: boolean }) {
  const rules = useQuery({
    queryKey: ["guard-rules"],
    queryFn: () =>
      api<{ rules: Array<{ rule: string; severity: Severity; description: string }> }>("/api/guard/rules"),
    select: (data) => data.rules,
  });
  const saved = useSaved([["guard-rules"]], "Guard rule saved.");
  const set = useMutation({
    mutationFn: ({ rule, severity }: { rule: string; severity: Severity }) =>
      api("/api/guard/rules", { method: "PUT", body: { rules: { [rule]: severity } } }),
    onSuccess: saved,
  });
  return (
    <section className="card" aria-labelledby="guard-heading">
      <h2 id="guard-heading">Authenticity guard</h2>
      <p className="muted">
        Every reply is reviewed before it is sent. Off, warn (the agent may send anyway) or block.
      </p>
      <table className="table">
        <tbody>
          {(rules.data ?? []).map((r) => (
            <tr key={r.rule}>
              <td>
                <strong>{r.rule.replaceAll("_", " ")}</strong>
                <div className="muted">{r.description}</div>
              </td>
              <td>
                <select
                  aria-label={`Guard rule ${r.rule.replaceAll("_", " ")}`}
                  value={r.severity}
                  disabled={!admin}
                  onChange={(e) => set.mutate({ rule: r.rule, severity: e.target.value as Severity })}
                >
                  <option value="off">Off</option>
                  <option value="warn">Warn</option>
                  <option value="block">Block</option>
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function SavedRepliesSection() {
  const replies = useSavedReplies();
  const saved = useSaved([["saved-replies"]], "Saved replies updated.");
  const [form, setForm] = useState({ title: "", text: "" });
  const create = useMutation({
    mutationFn: () => post("/api/saved-replies", form),
    onSuccess: () => {
      setForm({ title: "", text: "" });
      saved();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/saved-replies/${id}`, { method: "DELETE" }),
    onSuccess: saved,
  });
  return (
    <section className="card" aria-labelledby="saved-heading">
      <h2 id="saved-heading">Saved replies</h2>
      <p className="muted">
        Placeholders like <code>{"{{person.firstName}}"}</code> and <code>{"{{agent.name}}"}</code> are filled
        in; one that cannot be filled blocks sending until the agent personalises it.
      </p>
      <ul className="saved-replies">
        {(replies.data ?? []).map((r) => (
          <li key={r.id}>
            <strong>{r.title}</strong> <span className="muted">{r.text}</span>{" "}
            <button type="button" className="link-button" onClick={() => remove.mutate(r.id)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form
        className="stack-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input
          aria-label="Saved reply title"
          required
          placeholder="Title"
          value={form.title}
          onChange={(e) => setForm({ ...form, title: e.target.value })}
        />
        <textarea
          aria-label="Saved reply text"
          required
          placeholder="Hi {{person.firstName}}, …"
          value={form.text}
          onChange={(e) => setForm({ ...form, text: e.target.value })}
        />
        <button type="submit" className="button" disabled={create.isPending}>
          Add saved reply
        </button>
      </form>
    </section>
  );
}
