/** An agent's own profile: display name, signature, avatar, availability. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/client";
import type { Agent, Availability } from "../api/types";
import { showToast } from "../lib/toast";

export function ProfilePage({ agent }: { agent: Agent }) {
  const client = useQueryClient();
  const [form, setForm] = useState({
    name: agent.name,
    signature: agent.signature ?? "",
    avatarUrl: agent.avatarUrl ?? "",
  });
  const save = useMutation({
    mutationFn: () =>
      api<unknown>("/api/agents/me", {
        method: "PATCH",
        body: { name: form.name, signature: form.signature || null, avatarUrl: form.avatarUrl || null },
      }),
    onSuccess: () => {
      showToast("Profile saved.");
      void client.invalidateQueries({ queryKey: ["me"] });
    },
  });
  const availability = useMutation({
    mutationFn: (value: Availability) =>
      api("/api/agents/me/availability", { method: "PUT", body: { availability: value } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["me"] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <div className="page narrow">
      <h1>Your profile</h1>
      <p className="muted">People see your name and signature on every reply you send.</p>
      <form className="card" onSubmit={submit}>
        <label className="field">
          <span>Display name</span>
          <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </label>
        <label className="field">
          <span>Signature</span>
          <input
            value={form.signature}
            placeholder={`— ${form.name}`}
            onChange={(e) => setForm({ ...form, signature: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Avatar URL</span>
          <input
            type="url"
            value={form.avatarUrl}
            onChange={(e) => setForm({ ...form, avatarUrl: e.target.value })}
          />
        </label>
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save
        </button>
      </form>
      <label className="field">
        <span>Availability</span>
        <select
          defaultValue={agent.availability}
          onChange={(e) => availability.mutate(e.target.value as Availability)}
        >
          <option value="online">Online</option>
          <option value="away">Away</option>
          <option value="offline">Offline</option>
        </select>
      </label>
    </div>
  );
}
