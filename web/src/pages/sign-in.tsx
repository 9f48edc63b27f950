/** Sign-in, and the first-run page that creates the first admin. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { post } from "../api/client";
import type { Agent } from "../api/types";

function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    meta: { quiet: true },
    mutationFn: (body: { email: string; password: string }) =>
      post<{ agent: Agent }>("/api/auth/login", body),
    onSuccess: (data) => client.setQueryData(["me"], { agent: data.agent, via: "session" }),
  });
}

export function SignInPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useSignIn();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password });
  };
  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Sign in to Rapport</h1>
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {signIn.error && (
          <p className="error" role="alert">
            {signIn.error.message}
          </p>
        )}
        <button type="submit" className="button primary" disabled={signIn.isPending}>
          Sign in
        </button>
      </form>
    </main>
  );
}

export function SetupPage() {
  const client = useQueryClient();
  const [form, setForm] = useState({ email: "", name: "", password: "" });
  const setup = useMutation({
    meta: { quiet: true },
    // The server signs the new admin in (session and CSRF cookies) as it creates them.
    mutationFn: () => post<{ agent: Agent }>("/api/setup", form),
    onSuccess: (data) => {
      client.setQueryData(["setup"], false);
      client.setQueryData(["me"], { agent: data.agent, via: "session" });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setup.mutate();
  };
  const error = setup.error;
  return (
    <main className="auth">
      <form className="card auth-card" onSubmit={submit}>
        <h1>Welcome to Rapport</h1>
        <p className="muted">Create the first admin account. You can invite your teammates afterwards.</p>
        <label className="field">
          <span>Your name</span>
          <input
            required
            autoComplete="name"
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            required
            autoComplete="username"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            required
            minLength={10}
            autoComplete="new-password"
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
        <button type="submit" className="button primary" disabled={setup.isPending}>
          Create admin account
        </button>
      </form>
    </main>
  );
}
