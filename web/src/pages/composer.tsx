/**
 * The composer: a reply (reviewed by the authenticity guard while typing, sent through the outbox) or
 * a private note with @mentions; saved replies are rendered for this conversation before insertion.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from "react";
import { ApiError, api, post } from "../api/client";
import { useAgents, useSavedReplies } from "../api/queries";
import type { Agent, ConversationDetail, GuardFinding } from "../api/types";
import { mentionAt } from "../lib/format";
import { showToast } from "../lib/toast";
import type { ComposeMode } from "./conversation";

export interface ComposerHandle {
  focus(mode: ComposeMode): void;
  hasText(): boolean;
}

function findingsOf(error: unknown): GuardFinding[] {
  const details =
    error instanceof ApiError ? (error.details as { findings?: GuardFinding[] } | undefined) : undefined;
  return details?.findings ?? [];
}

/** The guard's review of a draft, asked for 600 ms after typing stops. */
function useGuardReview(conversationId: string, text: string, enabled: boolean) {
  const [findings, setFindings] = useState<GuardFinding[]>([]);
  const unavailable = useRef(false);
  useEffect(() => {
    if (!enabled || !text.trim() || unavailable.current) {
      setFindings([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      api<{ findings: GuardFinding[] }>("/api/guard/review", {
        method: "POST",
        body: { conversationId, text },
        signal: controller.signal,
      })
        .then((r) => setFindings(r.findings))
        .catch((error: unknown) => {
          // A server without the guard route: stop asking; sending still gets the server's verdict.
          if (error instanceof ApiError && error.status === 404) unavailable.current = true;
        });
    }, 600);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [conversationId, text, enabled]);
  return findings;
}

export const Composer = forwardRef<ComposerHandle, { conversation: ConversationDetail; me: Agent }>(
  function Composer({ conversation, me }, ref) {
    const client = useQueryClient();
    const [mode, setMode] = useState<ComposeMode>("reply");
    const [text, setText] = useState("");
    const [caret, setCaret] = useState(0);
    const [warnings, setWarnings] = useState<GuardFinding[] | null>(null);
    const [blocked, setBlocked] = useState<GuardFinding[] | null>(null);
    const area = useRef<HTMLTextAreaElement>(null);
    const findings = useGuardReview(conversation.id, text, mode === "reply");
    const agents = useAgents();
    const saved = useSavedReplies();

    useImperativeHandle(ref, () => ({
      focus(next) {
        setMode(next);
        area.current?.focus();
      },
      hasText: () => text.trim().length > 0,
    }));

    const done = (message: string) => {
      setText("");
      setWarnings(null);
      setBlocked(null);
      showToast(message);
      void client.invalidateQueries({ queryKey: ["conversation", conversation.id] });
      void client.invalidateQueries({ queryKey: ["list"] });
    };

    const send = useMutation({
      meta: { quiet: true },
      mutationFn: (acknowledgeWarnings: boolean) =>
        mode === "note"
          ? post(`/api/conversations/${conversation.id}/notes`, { text })
          : post(`/api/conversations/${conversation.id}/replies`, {
              text,
              ...(acknowledgeWarnings ? { acknowledgeWarnings: true } : {}),
            }),
      onSuccess: () => done(mode === "note" ? "Note added." : "Reply queued for sending."),
      onError: (error) => {
        if (error instanceof ApiError && error.code === "guard_warnings") {
          setWarnings(findingsOf(error));
          setBlocked(null);
        } else if (error instanceof ApiError && error.code === "guard_blocked") {
          setBlocked(findingsOf(error));
          setWarnings(null);
        } else if (error instanceof ApiError && error.status === 404) {
          showToast(`This server cannot send ${mode === "note" ? "notes" : "replies"} yet.`, "error");
        } else {
          showToast((error as Error).message, "error");
        }
      },
    });

    const submit = () => {
      if (!text.trim() || send.isPending) return;
      send.mutate(false);
    };

    const insertSaved = async (id: string) => {
      try {
        const r = await api<{ text: string }>(
          `/api/saved-replies/${id}/render?conversationId=${encodeURIComponent(conversation.id)}`,
        );
        setText((t) => (t.trim() ? `${t}\n\n${r.text}` : r.text));
        area.current?.focus();
      } catch (error) {
        showToast((error as Error).message, "error");
      }
    };

    const mention = mode === "note" ? mentionAt(text, caret) : null;
    const suggestions =
      mention && agents.data
        ? agents.data
            .filter((a) => a.id !== me.id && a.name.toLowerCase().includes(mention.query.toLowerCase()))
            .slice(0, 5)
        : [];
    const insertMention = (agent: { name: string }) => {
      if (!mention) return;
      // The server resolves "@Full Name" (or a unique first name) to the teammate.
      const handle = agent.name;
      const next = `${text.slice(0, mention.start)}@${handle} ${text.slice(caret)}`;
      setText(next);
      const pos = mention.start + handle.length + 2;
      requestAnimationFrame(() => {
        area.current?.focus();
        area.current?.setSelectionRange(pos, pos);
        setCaret(pos);
      });
    };

    const label = mode === "note" ? "Note" : "Reply";
    const shown = blocked ?? warnings ?? findings;
    return (
      <form
        className={`composer ${mode}`}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="composer-tabs" role="tablist" aria-label="Compose">
          {(["reply", "note"] as const).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              className={`tab ${mode === m ? "active" : ""}`}
              onClick={() => {
                setMode(m);
                area.current?.focus();
              }}
            >
              {m === "reply" ? "Reply" : "Private note"}
            </button>
          ))}
          {mode === "reply" && (saved.data?.length ?? 0) > 0 && (
            <select
              className="saved"
              aria-label="Saved replies"
              value=""
              onChange={(e) => {
                if (e.target.value) void insertSaved(e.target.value);
              }}
            >
              <option value="">Saved replies…</option>
              {saved.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name ?? s.title ?? s.shortcut ?? s.id}
                </option>
              ))}
            </select>
          )}
        </div>
        <label htmlFor="composer-text" className="visually-hidden">
          {label}
        </label>
        <textarea
          id="composer-text"
          ref={area}
          rows={4}
          value={text}
          placeholder={
            mode === "note"
              ? "Only your teammates see notes. Type @ to mention someone."
              : `Reply as ${me.name} on ${conversation.channel.name}…`
          }
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setWarnings(null);
            setBlocked(null);
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
        />
        {suggestions.length > 0 && (
          <ul className="mentions" aria-label="Mention a teammate">
            {suggestions.map((a) => (
              <li key={a.id}>
                <button type="button" className="link" onClick={() => insertMention(a)}>
                  @{a.name}
                </button>
              </li>
            ))}
          </ul>
        )}
        {mode === "reply" && shown.length > 0 && (
          <div className={`findings ${blocked ? "blocked" : ""}`} role="status" aria-live="polite">
            <p className="findings-title">
              {blocked
                ? "The guard blocks this reply:"
                : warnings
                  ? "The guard has concerns about this reply:"
                  : "Before you send:"}
            </p>
            <ul>
              {shown.map((f) => (
                <li key={`${f.rule}-${f.excerpt ?? ""}`} className={`finding finding-${f.severity}`}>
                  <span className={`chip chip-${f.severity === "block" ? "bad" : "warn"}`}>
                    {f.severity === "block" ? "blocks" : "warning"}
                  </span>{" "}
                  {f.message}
                  {f.excerpt && <q className="excerpt">{f.excerpt}</q>}
                </li>
              ))}
            </ul>
          </div>
        )}
        <div className="composer-actions">
          <span className="muted">
            {mode === "reply"
              ? me.signature
                ? `Signed “${me.signature}”`
                : `Signed — ${me.name}`
              : "Visible to agents only"}
          </span>
          {warnings && (
            <button
              type="button"
              className="button warn"
              disabled={send.isPending}
              onClick={() => send.mutate(true)}
            >
              Send anyway
            </button>
          )}
          <button
            type="submit"
            className="button primary"
            disabled={!text.trim() || send.isPending || !!blocked}
          >
            {mode === "note" ? "Add note" : "Send"}
          </button>
        </div>
      </form>
    );
  },
);
