/** One conversation: header with status and assignment, presence, the thread, the composer, the person. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link } from "wouter";
import { useConversationActions } from "../api/actions";
import { api, post } from "../api/client";
import { useAgents, useConversation, usePresence } from "../api/queries";
import type { Agent, ConversationDetail, Message, Status } from "../api/types";
import { DeliveryChip, SlaChip, StatusChip } from "../components/chips";
import { useCommands } from "../lib/commands";
import { formatDateTime, relativeTime } from "../lib/format";
import { useVisitorTyping } from "../lib/realtime";
import { showToast } from "../lib/toast";
import { AnalysisChips, AnalysisEditor } from "./analysis-editor";
import { Composer, type ComposerHandle } from "./composer";
import { LabelsEditor } from "./labels-editor";
import { AutomatedChip, MessageBody } from "./message-body";
import { PersonPanel } from "./person";

export type ComposeMode = "reply" | "note";

export function ConversationView({
  id,
  me,
  compose,
  onComposeHandled,
  backHref,
}: {
  id: string;
  me: Agent;
  compose: ComposeMode | null;
  onComposeHandled: () => void;
  backHref: string;
}) {
  const conversation = useConversation(id);
  const composer = useRef<ComposerHandle>(null);

  useEffect(() => {
    if (compose && conversation.data && composer.current) {
      composer.current.focus(compose);
      onComposeHandled();
    }
  }, [compose, conversation.data, onComposeHandled]);

  if (conversation.isPending) return <section className="detail-pane muted pad">Loading…</section>;
  if (conversation.isError)
    return (
      <section className="detail-pane pad">
        <p className="error" role="alert">
          {conversation.error.message}
        </p>
        <Link href={backHref}>Back to the queue</Link>
      </section>
    );
  const c = conversation.data;
  return (
    <section className="detail-pane conversation" aria-label="Conversation">
      <div className="conversation-main">
        <Header c={c} me={me} backHref={backHref} composer={composer} />
        <Thread messages={c.messages} />
        <Composer ref={composer} conversation={c} me={me} />
      </div>
      <aside className="person-pane" aria-label="Person">
        <PersonPanel id={c.person?.id ?? null} currentConversationId={c.id} compact />
      </aside>
    </section>
  );
}

const STATUS_ACTIONS: Array<[Status, string]> = [
  ["resolved", "Resolve"],
  ["waiting", "Waiting"],
  ["spam", "Spam"],
  ["open", "Reopen"],
];

function Header({
  c,
  me,
  backHref,
  composer,
}: {
  c: ConversationDetail;
  me: Agent;
  backHref: string;
  composer: React.RefObject<ComposerHandle | null>;
}) {
  const agents = useAgents();
  const { setStatus, assign } = useConversationActions();
  return (
    <header className="conversation-header">
      <div className="conversation-title">
        <Link href={backHref} className="back" aria-label="Back to the list">
          ←
        </Link>
        <h1>
          {c.person ? (
            <Link href={`/people/${c.person.id}`}>{c.person.displayName ?? "Unknown person"}</Link>
          ) : (
            "Unknown person"
          )}
        </h1>
        <span className="muted">
          {c.channel.name} · {c.visibility}
        </span>
        <StatusChip status={c.status} />
        <SlaChip state={c.sla.state} dueAt={c.sla.dueAt} />
        <LabelsEditor conversationId={c.id} labels={c.labels} />
      </div>
      {c.subject && <p className="subject">{c.subject}</p>}
      <div className="conversation-actions">
        <fieldset className="button-group">
          <legend className="visually-hidden">Status</legend>
          {STATUS_ACTIONS.filter(
            ([status]) => status !== c.status && !(status === "open" && c.status === "open"),
          ).map(([status, label]) => (
            <button
              key={status}
              type="button"
              className="button"
              disabled={setStatus.isPending}
              onClick={() => setStatus.mutate({ id: c.id, status })}
            >
              {label}
            </button>
          ))}
        </fieldset>
        <label className="assign">
          <span>Assignee</span>
          <select
            value={c.assignee?.id ?? ""}
            onChange={(e) => assign.mutate({ id: c.id, agentId: e.target.value || null })}
          >
            <option value="">Unassigned</option>
            {c.assignee && !agents.data?.some((a) => a.id === c.assignee?.id) && (
              <option value={c.assignee.id}>{c.assignee.name}</option>
            )}
            {agents.data?.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} {a.availability === "online" ? "" : `(${a.availability})`}
              </option>
            ))}
          </select>
        </label>
        {c.assignee?.id !== me.id && (
          <button type="button" className="button" onClick={() => assign.mutate({ id: c.id, agentId: "me" })}>
            Assign to me
          </button>
        )}
        {c.team && <span className="muted">Team: {c.team.name}</span>}
        <button type="button" className="button primary" onClick={() => composer.current?.focus("reply")}>
          Reply
        </button>
      </div>
      <PresenceBar id={c.id} me={me} composer={composer} />
    </header>
  );
}

/** Tells the server we are here (renewed every 10 s) and shows who else is. */
function PresenceBar({
  id,
  me,
  composer,
}: {
  id: string;
  me: Agent;
  composer: React.RefObject<ComposerHandle | null>;
}) {
  const client = useQueryClient();
  const presence = usePresence(id);
  const visitorTyping = useVisitorTyping(id);
  useEffect(() => {
    let stopped = false;
    let last = "";
    const activity = () => (composer.current?.hasText() ? "replying" : "viewing");
    const beat = () => {
      last = activity();
      api<{ items: unknown[] }>(`/api/conversations/${id}/presence`, {
        method: "PUT",
        body: { activity: last },
      })
        .then((data) => {
          if (!stopped) client.setQueryData(["presence", id], data);
        })
        .catch(() => {
          /* presence is best effort */
        });
    };
    beat();
    const timer = setInterval(beat, 10_000);
    // Starting or clearing a draft is said at once (a website visitor sees "… is typing").
    const watch = setInterval(() => {
      if (activity() !== last) beat();
    }, 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
      clearInterval(watch);
      void api(`/api/conversations/${id}/presence`, { method: "DELETE" }).catch(() => {});
    };
  }, [id, client, composer]);
  const others = (presence.data ?? []).filter((p) => p.agentId !== me.id);
  const parts = others.map((p) => `${p.name} is ${p.activity === "replying" ? "replying…" : "viewing"}`);
  if (visitorTyping) parts.unshift("The visitor is typing…");
  if (parts.length === 0) return null;
  return (
    <p className="presence" role="status">
      {parts.join(" · ")}
    </p>
  );
}

function Thread({ messages }: { messages: Message[] }) {
  const list = useRef<HTMLOListElement>(null);
  const count = messages.length;
  // The message whose analysis is being corrected ("c" opens the latest one from the person).
  const [correcting, setCorrecting] = useState<string | null>(null);
  useCommands({
    correct: () => {
      const latest = messages.findLast((m) => m.direction === "in" && m.visibility !== "note");
      if (!latest) return false;
      setCorrecting(latest.id);
    },
  });
  // Newest at the bottom: scroll the thread itself (scrollIntoView would also scroll the page's panes).
  useEffect(() => {
    const el = list.current;
    if (el && count) el.scrollTop = el.scrollHeight;
  }, [count]);
  if (messages.length === 0) return <p className="muted pad">No messages yet.</p>;
  return (
    <ol className="thread" aria-label="Messages" ref={list}>
      {messages.map((m) => (
        <MessageItem
          key={m.id}
          m={m}
          correcting={correcting === m.id}
          onCorrect={(on) => setCorrecting(on ? m.id : null)}
        />
      ))}
    </ol>
  );
}

function authorName(m: Message): string {
  if (!m.author) return m.direction === "in" ? "Unknown" : "Us";
  if (m.author.kind === "agent") return m.author.name;
  return m.author.displayName ?? m.author.handle ?? "Unknown";
}

function MessageItem({
  m,
  correcting,
  onCorrect,
}: {
  m: Message;
  correcting: boolean;
  onCorrect: (on: boolean) => void;
}) {
  const client = useQueryClient();
  const retry = useMutation({
    mutationFn: () => post(`/api/messages/${m.id}/retry`),
    onSuccess: () => {
      showToast("Sending again.");
      void client.invalidateQueries({ queryKey: ["conversation"] });
    },
  });
  const note = m.visibility === "note";
  const kind = note ? "note" : m.direction === "in" ? "inbound" : "outbound";
  return (
    <li className={`message ${kind}`}>
      <div className="message-meta">
        <strong>{authorName(m)}</strong>
        {m.author?.kind === "identity" && m.author.handle && m.author.handle !== authorName(m) && (
          <span className="muted">{m.author.handle}</span>
        )}
        {note && <span className="note-label">Private note</span>}
        {m.visibility === "private" && !note && <span className="muted">private message</span>}
        <time dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
          {relativeTime(m.createdAt)}
        </time>
        {m.editedAt && (
          <span className="muted" title={`Edited ${formatDateTime(m.editedAt)}`}>
            edited
          </span>
        )}
        {m.deletedAt && (
          <span className="deleted-label" title={`Deleted ${formatDateTime(m.deletedAt)}`}>
            deleted by its author
          </span>
        )}
      </div>
      <MessageBody m={m} />
      <div className="chips">
        <AutomatedChip kind={m.automated} />
        {m.direction === "in" && !note && (
          <>
            <AnalysisChips m={m} />
            {!correcting && (
              <button
                type="button"
                className="button subtle correct-analysis"
                title="Correct the analysis (c)"
                onClick={() => onCorrect(true)}
              >
                Correct
              </button>
            )}
          </>
        )}
        {m.direction === "out" && !note && <DeliveryChip status={m.deliveryStatus} />}
      </div>
      {correcting && <AnalysisEditor m={m} onClose={() => onCorrect(false)} />}
      {m.deliveryStatus === "failed" && (
        <div className="delivery-error" role="alert">
          <span>Not delivered{m.deliveryError ? `: ${m.deliveryError}` : "."}</span>
          <button type="button" className="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
            Retry
          </button>
        </div>
      )}
    </li>
  );
}
