/** The shell: who is signed in, the navigation, live updates, keyboard shortcuts and the pages. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { Link, Route, Switch, useLocation } from "wouter";
import { post } from "./api/client";
import { useMe, useSetupNeeded } from "./api/queries";
import type { Agent } from "./api/types";
import { ShortcutsDialog } from "./components/shortcuts-dialog";
import { Toasts } from "./components/toasts";
import { CommandContext, CommandRegistry } from "./lib/commands";
import { commandFor } from "./lib/keyboard";
import { type LiveState, useRealtime } from "./lib/realtime";
import { Inbox } from "./pages/inbox";
import { PersonPage } from "./pages/person";
import { SetupPage, SignInPage } from "./pages/sign-in";

// Pages an agent opens now and then load on first visit (the reports bring the charting library), so the
// inbox starts with less to download.
const HappinessPage = lazy(() => import("./pages/reports").then((m) => ({ default: m.HappinessPage })));
const FairnessPage = lazy(() => import("./pages/reports").then((m) => ({ default: m.FairnessPage })));
const SettingsPage = lazy(() => import("./pages/settings").then((m) => ({ default: m.SettingsPage })));
const ProfilePage = lazy(() => import("./pages/profile").then((m) => ({ default: m.ProfilePage })));
const NewChannelPage = lazy(() =>
  import("./pages/channels/channel-new").then((m) => ({ default: m.NewChannelPage })),
);
const ChannelPage = lazy(() =>
  import("./pages/channels/channel-page").then((m) => ({ default: m.ChannelPage })),
);

export function App() {
  const me = useMe();
  const setup = useSetupNeeded(me.isSuccess && !me.data);
  if (me.isPending || (me.isSuccess && !me.data && setup.isPending)) {
    return <p className="center muted">Loading…</p>;
  }
  if (me.isError) {
    return (
      <p className="center" role="alert">
        Rapport cannot be reached: {me.error.message}
      </p>
    );
  }
  const agent = me.data?.agent;
  return (
    <>
      {agent ? <Workspace agent={agent} /> : setup.data ? <SetupPage /> : <SignInPage />}
      <Toasts />
    </>
  );
}

function Workspace({ agent }: { agent: Agent }) {
  const registry = useMemo(() => new CommandRegistry(), []);
  const [help, setHelp] = useState(false);
  const [, navigate] = useLocation();
  const live = useRealtime(true);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const command = commandFor({
        key: event.key,
        ctrlKey: event.ctrlKey,
        metaKey: event.metaKey,
        altKey: event.altKey,
        target: event.target as HTMLElement | null,
      });
      if (!command) return;
      if (command === "help") {
        event.preventDefault();
        setHelp(true);
        return;
      }
      if (command === "escape") {
        const el = document.activeElement as HTMLElement | null;
        if (el && el !== document.body && !document.querySelector("dialog[open]")) el.blur();
        return;
      }
      if (registry.run(command)) {
        event.preventDefault();
      } else if (command === "search") {
        // Search lives on the inbox: go there and focus it.
        event.preventDefault();
        navigate("/");
        setTimeout(() => document.getElementById("search")?.focus(), 50);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [registry, navigate]);

  return (
    <CommandContext.Provider value={registry}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <TopBar agent={agent} live={live} onHelp={() => setHelp(true)} />
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p className="muted pad">Loading…</p>}>
          <Switch>
            <Route path="/">{() => <Inbox me={agent} openId={null} />}</Route>
            <Route path="/c/:id">{(params) => <Inbox me={agent} openId={params.id} />}</Route>
            <Route path="/people/:id">{(params) => <PersonPage id={params.id} />}</Route>
            <Route path="/reports/happiness" component={HappinessPage} />
            <Route path="/reports/fairness" component={FairnessPage} />
            <Route path="/profile">{() => <ProfilePage agent={agent} />}</Route>
            <Route path="/settings">{() => <SettingsPage me={agent} />}</Route>
            <Route path="/settings/channels/new">{() => <NewChannelPage kind={null} />}</Route>
            <Route path="/settings/channels/new/:kind">{(p) => <NewChannelPage kind={p.kind} />}</Route>
            <Route path="/settings/channels/:id">{(p) => <ChannelPage id={p.id} />}</Route>
            <Route>
              <div className="empty">
                <h1>Not found</h1>
                <Link href="/">Back to the queue</Link>
              </div>
            </Route>
          </Switch>
        </Suspense>
      </main>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
    </CommandContext.Provider>
  );
}

function NavLink({ href, children }: { href: string; children: string }) {
  const [location] = useLocation();
  const active = href === "/" ? location === "/" || location.startsWith("/c/") : location.startsWith(href);
  return (
    <Link href={href} className="nav-link" aria-current={active ? "page" : undefined}>
      {children}
    </Link>
  );
}

function TopBar({ agent, live, onHelp }: { agent: Agent; live: LiveState; onHelp: () => void }) {
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => post("/api/auth/logout"),
    onSettled: () => {
      client.clear();
      client.setQueryData(["me"], null);
    },
  });
  return (
    <header className="topbar">
      <Link href="/" className="brand">
        Rapport
      </Link>
      <nav aria-label="Main">
        <NavLink href="/">Queue</NavLink>
        <NavLink href="/reports/happiness">Happiness</NavLink>
        <NavLink href="/reports/fairness">Fairness</NavLink>
        <NavLink href="/settings">Settings</NavLink>
      </nav>
      <div className="topbar-end">
        {live === "reconnecting" && (
          <span className="live live-off" role="status">
            Reconnecting…
          </span>
        )}
        {live === "live" && (
          <span className="live" title="Live updates are on">
            Live
          </span>
        )}
        <button type="button" className="link" onClick={onHelp} aria-label="Keyboard shortcuts (?)">
          ?
        </button>
        <Link href="/profile" className="nav-link">
          {agent.name}
        </Link>
        <button type="button" className="button subtle" onClick={() => signOut.mutate()}>
          Sign out
        </button>
      </div>
    </header>
  );
}
