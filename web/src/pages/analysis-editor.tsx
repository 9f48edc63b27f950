/**
 * A message's analysis as chips, and the form in which an agent corrects it (PUT
 * /api/messages/:id/analysis). A corrected chip says who corrected it and what the analyzer said.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { api } from "../api/client";
import type { Correction, CorrectionField, Message, Sentiment } from "../api/types";
import { Chip, SentimentChip } from "../components/chips";
import { showToast } from "../lib/toast";

const INTENTS = ["question", "complaint", "suggestion", "praise", "other"] as const;

function said(machine: unknown): string {
  if (machine === null || machine === undefined) return "nothing";
  if (Array.isArray(machine)) return machine.length ? machine.join(", ") : "nothing";
  if (typeof machine === "object") return String((machine as { label?: string | null }).label ?? "nothing");
  return String(machine);
}

function titleOf(c: Correction | undefined): string | undefined {
  if (!c) return undefined;
  return `Corrected by ${c.agent?.name ?? "an integration"}; the analyzer said ${said(c.machine)}`;
}

/** The analyzer's reasons, for a chip's hover text. */
function because(reasons: string[] | undefined): string | undefined {
  return reasons && reasons.length > 0 ? `Why: ${reasons.join("; ")}` : undefined;
}

/**
 * The analysis chips of an inbound message. Corrected ones carry a pencil and say who corrected them on
 * hover; the urgent and spam chips say why the analyzer thought so.
 */
export function AnalysisChips({ m }: { m: Message }) {
  const by = new Map(m.corrections.map((c) => [c.field, c]));
  const mark = (field: CorrectionField, text: string) => (by.has(field) ? `${text} ✎` : text);
  return (
    <>
      <SentimentChip
        value={m.sentimentLabel}
        corrected={by.has("sentiment")}
        title={titleOf(by.get("sentiment"))}
      />
      {m.intent?.map((i) => (
        <Chip key={i} title={titleOf(by.get("intent"))}>
          {mark("intent", i)}
        </Chip>
      ))}
      {m.urgency === "high" && (
        <Chip tone="warn" title={titleOf(by.get("urgency")) ?? because(m.analysis?.urgency?.reasons)}>
          {mark("urgency", "urgent")}
        </Chip>
      )}
      {by.has("urgency") && m.urgency !== "high" && (
        <Chip title={titleOf(by.get("urgency"))}>{mark("urgency", `${m.urgency} urgency`)}</Chip>
      )}
      {m.spamLabel === "spam" && (
        <Chip tone="bad" title={titleOf(by.get("spam")) ?? because(m.analysis?.spam?.reasons)}>
          {mark("spam", "spam")}
        </Chip>
      )}
      {by.has("spam") && m.spamLabel === "ham" && (
        <Chip title={titleOf(by.get("spam"))}>{mark("spam", "not spam")}</Chip>
      )}
      {m.language && (m.language !== "en" || by.has("language")) && (
        <Chip title={titleOf(by.get("language"))}>{mark("language", m.language)}</Chip>
      )}
    </>
  );
}

type Draft = {
  sentiment: Sentiment;
  intent: string[];
  urgency: "low" | "normal" | "high";
  spam: "spam" | "ham";
  language: string;
};

function draftOf(m: Message): Draft {
  return {
    sentiment: m.sentimentLabel ?? "neutral",
    intent: m.intent ?? ["other"],
    urgency: m.urgency ?? "normal",
    spam: m.spamLabel ?? "ham",
    language: m.language ?? "",
  };
}

/** A labelled select of fixed values (shown under their own names unless `names` says otherwise). */
function Choice<T extends string>({
  label,
  value,
  options,
  names = {},
  onChange,
  autoFocus = false,
}: {
  label: string;
  value: T;
  options: readonly T[];
  names?: Partial<Record<T, string>>;
  onChange: (value: T) => void;
  autoFocus?: boolean;
}) {
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (autoFocus) select.current?.focus();
  }, [autoFocus]);
  return (
    <label>
      {label}
      <select ref={select} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {names[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The correction form: only the fields the agent changed are sent. */
export function AnalysisEditor({ m, onClose }: { m: Message; onClose: () => void }) {
  const client = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(m));
  const [error, setError] = useState<string | null>(null);
  const done = (message: string) => {
    void client.invalidateQueries({ queryKey: ["conversation"] });
    void client.invalidateQueries({ queryKey: ["list"] });
    showToast(message);
    onClose();
  };
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api(`/api/messages/${m.id}/analysis`, { method: "PUT", body }),
    onSuccess: () => done("Analysis corrected."),
    onError: (e: Error) => setError(e.message),
  });
  const revert = useMutation({
    mutationFn: (field: CorrectionField) =>
      api(`/api/messages/${m.id}/analysis/${field}`, { method: "DELETE" }),
    onSuccess: () => done("Back to the analyzer's label."),
    onError: (e: Error) => setError(e.message),
  });
  const before = draftOf(m);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const body: Record<string, unknown> = {};
    if (draft.sentiment !== before.sentiment) body.sentiment = draft.sentiment;
    if ([...draft.intent].sort().join() !== [...before.intent].sort().join()) body.intent = draft.intent;
    if (draft.urgency !== before.urgency) body.urgency = draft.urgency;
    if (draft.spam !== before.spam) body.spam = draft.spam;
    if (draft.language.trim() !== before.language) body.language = draft.language.trim().toLowerCase();
    if (Object.keys(body).length === 0) return onClose();
    save.mutate(body);
  };
  const toggleIntent = (intent: string, on: boolean) =>
    setDraft((d) => ({
      ...d,
      intent: on
        ? [...d.intent.filter((i) => i !== "other" || intent === "other"), intent]
        : d.intent.filter((i) => i !== intent),
    }));
  return (
    <form className="analysis-editor" aria-label="Correct the analysis" onSubmit={submit}>
      <Choice
        label="Sentiment"
        value={draft.sentiment}
        options={["positive", "neutral", "negative"]}
        onChange={(sentiment) => setDraft({ ...draft, sentiment })}
        autoFocus
      />
      <fieldset>
        <legend>Intent</legend>
        {INTENTS.map((i) => (
          <label key={i} className="inline">
            <input
              type="checkbox"
              checked={draft.intent.includes(i)}
              onChange={(e) => toggleIntent(i, e.target.checked)}
            />
            {i}
          </label>
        ))}
      </fieldset>
      <Choice
        label="Urgency"
        value={draft.urgency}
        options={["low", "normal", "high"]}
        onChange={(urgency) => setDraft({ ...draft, urgency })}
      />
      <Choice
        label="Spam"
        value={draft.spam}
        options={["ham", "spam"]}
        names={{ ham: "not spam" }}
        onChange={(spam) => setDraft({ ...draft, spam })}
      />
      <label>
        Language
        <input
          value={draft.language}
          size={3}
          maxLength={2}
          pattern="[a-zA-Z]{2}"
          title="A two-letter ISO 639-1 code, such as en or fr"
          onChange={(e) => setDraft({ ...draft, language: e.target.value })}
        />
      </label>
      {m.corrections.length > 0 && (
        <p className="muted">
          {m.corrections.map((c) => (
            <button
              key={c.field}
              type="button"
              className="button subtle"
              onClick={() => revert.mutate(c.field)}
              disabled={revert.isPending}
            >
              Use the analyzer's {c.field} ({said(c.machine)})
            </button>
          ))}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button
          type="submit"
          className="button primary"
          disabled={save.isPending || draft.intent.length === 0}
        >
          Save
        </button>
        <button type="button" className="button subtle" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
