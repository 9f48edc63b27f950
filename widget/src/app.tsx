/**
 * The chat: a launcher button and a panel with the people on duty, honest hours and response time, the
 * conversation, typing, and — when nobody is online — a place to leave an email. Keyboard operable,
 * every control labelled, new messages announced through a polite live region. Text is rendered as
 * text (Preact escapes it), never as HTML.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { clientId, hasToken, Line, type LineState } from "./connection.ts";
import { dutyText, hoursText, responseText, textOn, typingText } from "./format.ts";
import type { ChatMessage, ServerFrame, ServerMessage, WidgetStatus } from "./types.ts";

const DEFAULT_COLOR = "#315fd6";
const TYPING_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;

const fromServer = (m: ServerMessage): ChatMessage => ({
  key: m.id,
  id: m.id,
  clientId: m.direction === "in" ? (m.externalId.split(":")[2] ?? null) : null,
  direction: m.direction,
  text: m.text,
  createdAt: m.createdAt,
  agent: m.agent,
  status: "sent",
});

/** Adds or updates a server message, merging it with the visitor's own copy written here. */
function merge(list: ChatMessage[], message: ChatMessage): ChatMessage[] {
  const i = list.findIndex(
    (m) => (message.id && m.id === message.id) || (message.clientId && m.clientId === message.clientId),
  );
  if (i === -1) return [...list, message];
  const next = list.slice();
  next[i] = { ...list[i]!, ...message, key: list[i]!.key };
  return next;
}

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((p) => p[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();

function Avatar({ person }: { person: { name: string; avatarUrl: string | null } }) {
  const [broken, setBroken] = useState(false);
  if (person.avatarUrl && /^https?:\/\//.test(person.avatarUrl) && !broken)
    return <img class="avatar" src={person.avatarUrl} alt="" onError={() => setBroken(true)} />;
  return (
    <span class="avatar" aria-hidden="true">
      {initials(person.name)}
    </span>
  );
}

export function App({ base, channel }: { base: string; channel: string }) {
  const [open, setOpen] = useState(false);
  // The socket opens when the chat is first opened — or at once for a visitor who chatted before, so
  // replies reach them live. Visitors who only browse cost the server nothing but the status request.
  const [wanted, setWanted] = useState(() => hasToken(channel));
  const [status, setStatus] = useState<WidgetStatus | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [line, setLine] = useState<LineState>("connecting");
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [typing, setTyping] = useState<string[]>([]);
  const [contact, setContact] = useState<string | null>(null);
  const [announce, setAnnounce] = useState("");
  const [unread, setUnread] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const [draft, setDraft] = useState("");
  const lineRef = useRef<Line | null>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const list = useRef<HTMLOListElement>(null);
  const openRef = useRef(open);
  openRef.current = open;
  const typingSent = useRef(0);
  const typingIdle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const typingExpiry = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // What the panel shows before anyone writes; refreshed while the page is open.
  useEffect(() => {
    let stopped = false;
    const load = () =>
      fetch(`${base}/api/widget/${encodeURIComponent(channel)}/config`)
        .then(async (res) => {
          const body = await res.json();
          if (!res.ok) throw new Error(body?.error?.message ?? `The chat is unavailable (${res.status}).`);
          if (!stopped) {
            setStatus(body as WidgetStatus);
            setStatusError(null);
          }
        })
        .catch((error: Error) => {
          if (!stopped) setStatusError(error.message);
        });
    void load();
    const timer = setInterval(load, 60_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [base, channel]);

  useEffect(() => {
    if (!wanted) return;
    const onFrame = (frame: ServerFrame) => {
      if (frame.type === "welcome") {
        setContact(frame.contact?.email ?? null);
        setMessages((current) => {
          let next = frame.messages.map(fromServer);
          // Messages written here and not yet stored stay, marked as sending.
          for (const m of current) if (!m.id && m.status !== "failed") next = merge(next, m);
          return next;
        });
      } else if (frame.type === "ack") {
        setMessages((current) =>
          current.map((m) => (m.clientId === frame.id ? { ...m, id: frame.messageId, status: "sent" } : m)),
        );
      } else if (frame.type === "message") {
        const message = fromServer(frame.message);
        setMessages((current) => merge(current, message));
        if (message.direction === "out") {
          const who = message.agent?.name ?? "Reply";
          setAnnounce(`${who}: ${message.text}`);
          setTyping([]);
          if (!openRef.current) setUnread((n) => n + 1);
        }
      } else if (frame.type === "typing") {
        setTyping(frame.agents);
        clearTimeout(typingExpiry.current);
        // Presence lapses after 30 s without renewal; so does the indicator.
        if (frame.typing) typingExpiry.current = setTimeout(() => setTyping([]), 30_000);
      } else if (frame.type === "contact") {
        setContact(frame.email);
      } else if (frame.type === "error") {
        if (frame.ref) {
          setMessages((current) =>
            current.map((m) =>
              m.clientId === frame.ref ? { ...m, status: "failed", error: frame.message } : m,
            ),
          );
        } else {
          setNotice(frame.message);
        }
      }
    };
    const l = new Line(base, channel, onFrame, setLine);
    lineRef.current = l;
    l.connect();
    return () => l.close();
  }, [base, channel, wanted]);

  const count = messages.length;
  useEffect(() => {
    const el = list.current;
    // Newest at the bottom, also when the panel opens.
    if (el && count && open) el.scrollTop = el.scrollHeight;
  }, [count, open]);

  const show = () => {
    setOpen(true);
    setWanted(true);
    setUnread(0);
    setTimeout(() => input.current?.focus(), 0);
  };
  const hide = () => {
    setOpen(false);
    setTimeout(() => launcher.current?.focus(), 0);
  };

  const send = () => {
    const text = draft.trim();
    if (!text) return;
    const id = clientId();
    setMessages((current) => [
      ...current,
      {
        key: id,
        id: null,
        clientId: id,
        direction: "in",
        text,
        createdAt: new Date().toISOString(),
        agent: null,
        status: "sending",
      },
    ]);
    lineRef.current?.message(id, text);
    setDraft("");
    typingSent.current = 0;
    clearTimeout(typingIdle.current);
  };

  const onInput = (value: string) => {
    setDraft(value);
    const now = Date.now();
    if (now - typingSent.current > TYPING_EVERY_MS) {
      typingSent.current = now;
      lineRef.current?.typing(true);
    }
    clearTimeout(typingIdle.current);
    typingIdle.current = setTimeout(() => {
      typingSent.current = 0;
      lineRef.current?.typing(false);
    }, TYPING_IDLE_MS);
  };

  const color = status?.color ?? DEFAULT_COLOR;
  const style = useMemo(() => `--accent:${color};--on-accent:${textOn(color)}`, [color]);
  const name = status?.channel.name ?? "us";
  const hours = status ? hoursText(status, new Date()) : "";
  const askEmail = status !== null && !status.online && !contact;
  const limit = status?.maxText ?? 4000;

  return (
    <div class="rc" style={style}>
      {open && (
        <section
          class="panel"
          role="dialog"
          aria-modal="false"
          aria-label={`Chat with ${name}`}
          onKeyDown={(e) => {
            if (e.key === "Escape") hide();
          }}
        >
          <header class="head">
            <div class="title">
              <h2>{name}</h2>
              <button type="button" class="close" aria-label="Close chat" onClick={hide}>
                <span aria-hidden="true">×</span>
              </button>
            </div>
            {status && (
              <div class="duty">
                {status.open && status.agents.length > 0 && (
                  <ul class="faces" aria-hidden="true">
                    {status.agents.slice(0, 3).map((a) => (
                      <li key={a.name}>
                        <Avatar person={a} />
                      </li>
                    ))}
                  </ul>
                )}
                <div>
                  <p class="who">{status.open ? dutyText(status.agents) : "We are closed right now"}</p>
                  <p class="when">
                    {[hours, responseText(status.response, status.hours !== null && !status.open)]
                      .filter(Boolean)
                      .join(" · ")}
                  </p>
                </div>
              </div>
            )}
            {statusError && <p class="when">{statusError}</p>}
          </header>

          <ol class="messages" aria-label="Messages" ref={list}>
            {status?.greeting && (
              <li class="msg out greeting">
                <p class="bubble">{status.greeting}</p>
              </li>
            )}
            {messages.map((m) => (
              <li key={m.key} class={`msg ${m.direction === "in" ? "mine" : "out"}`}>
                {m.direction === "out" && m.agent && (
                  <span class="author">
                    <Avatar person={m.agent} />
                    {m.agent.name}
                  </span>
                )}
                <p class="bubble">{m.text}</p>
                <span class="meta">
                  {m.direction === "in" ? "You" : ""} {time(m.createdAt)}
                  {m.status === "sending" && " · sending…"}
                </span>
                {m.status === "failed" && (
                  <span class="failed" role="alert">
                    Not sent: {m.error}
                  </span>
                )}
              </li>
            ))}
          </ol>
          <p class="typing" aria-live="polite">
            {typingText(typing)}
          </p>
          <p class="sr-only" aria-live="polite" aria-atomic="true">
            {announce}
          </p>

          {askEmail && <EmailForm onSave={(email, person) => lineRef.current?.contact(email, person)} />}
          {contact && !status?.online && (
            <p class="note">We will answer at {contact} if you are not here then.</p>
          )}
          {notice && (
            <p class="note" role="alert">
              {notice}
            </p>
          )}
          {line !== "online" && (
            <p class="note" role="status">
              {line === "connecting" ? "Connecting…" : "Connection lost. Reconnecting…"}
            </p>
          )}

          <form
            class="composer"
            onSubmit={(e) => {
              e.preventDefault();
              send();
            }}
          >
            <label for="rc-input" class="sr-only">
              Your message
            </label>
            <textarea
              id="rc-input"
              ref={input}
              rows={2}
              maxLength={limit}
              placeholder="Write a message…"
              value={draft}
              onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && !e.shiftKey) {
                  e.preventDefault();
                  send();
                }
              }}
            />
            <button type="submit" class="send" disabled={!draft.trim()}>
              Send
            </button>
          </form>
          {draft.length > limit * 0.9 && (
            <p class="note">
              {draft.length} / {limit} characters
            </p>
          )}
        </section>
      )}
      <button
        type="button"
        class="launcher"
        ref={launcher}
        aria-expanded={open}
        aria-label={open ? "Hide chat" : `Chat with ${name}${unread ? ` (${unread} new)` : ""}`}
        onClick={() => (open ? hide() : show())}
      >
        <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true">
          <path
            fill="currentColor"
            d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"
          />
        </svg>
        {unread > 0 && (
          <span class="badge" aria-hidden="true">
            {unread}
          </span>
        )}
      </button>
    </div>
  );
}

function EmailForm({ onSave }: { onSave: (email: string, name: string | null) => void }) {
  const [email, setEmail] = useState("");
  const [person, setPerson] = useState("");
  return (
    <form
      class="email"
      onSubmit={(e) => {
        e.preventDefault();
        if (email.trim()) onSave(email.trim(), person.trim() || null);
      }}
    >
      <p>No one can answer live right now. Leave your email and we will answer there.</p>
      <label for="rc-email">Your email</label>
      <input
        id="rc-email"
        type="email"
        required
        autoComplete="email"
        value={email}
        onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
      />
      <label for="rc-name">Your name (optional)</label>
      <input
        id="rc-name"
        type="text"
        autoComplete="name"
        maxLength={200}
        value={person}
        onInput={(e) => setPerson((e.target as HTMLInputElement).value)}
      />
      <button type="submit">Save email</button>
    </form>
  );
}
