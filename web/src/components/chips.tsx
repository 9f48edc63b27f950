/** Small labelled chips for analysis, status, SLA and delivery. Text only, never markup. */
import type { Need, Sentiment, SlaState, Status } from "../api/types";
import { slaLabel } from "../lib/format";

export function Chip({
  tone = "neutral",
  children,
  title,
}: {
  tone?: string;
  children: string;
  title?: string;
}) {
  return (
    <span className={`chip chip-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function SentimentChip({
  value,
  corrected = false,
  title,
}: {
  value: Sentiment | null;
  /** An agent corrected the analyzer's label: marked with a pencil. */
  corrected?: boolean;
  title?: string | undefined;
}) {
  if (!value) return null;
  const tone = value === "negative" ? "bad" : value === "positive" ? "good" : "neutral";
  return (
    <Chip tone={tone} {...(title ? { title } : {})}>
      {corrected ? `${value} ✎` : value}
    </Chip>
  );
}

export function StatusChip({ status }: { status: Status }) {
  const tone = status === "open" ? "accent" : status === "spam" ? "bad" : "neutral";
  return <Chip tone={tone}>{status}</Chip>;
}

export function SlaChip({ state, dueAt }: { state: SlaState | null; dueAt: string | null }) {
  if (!state) return null;
  const tone =
    state === "breached" ? "bad" : state === "near" ? "warn" : state === "met" ? "good" : "neutral";
  return <Chip tone={tone}>{slaLabel(state, dueAt)}</Chip>;
}

/** The reasons a conversation needs us, as chips. */
export function NeedChips({ need }: { need: Need }) {
  return (
    <>
      {need.complaint && <Chip tone="bad">complaint</Chip>}
      {need.urgent.map((u) => (
        <Chip key={u} tone="warn">
          {u}
        </Chip>
      ))}
      {need.question && <Chip>question</Chip>}
      {need.followUp && <Chip tone="warn">follow-up</Chip>}
      {need.repeated && <Chip tone="warn">repeated</Chip>}
      {need.likelySpam && <Chip>likely spam</Chip>}
    </>
  );
}

export function DeliveryChip({ status }: { status: "pending" | "sent" | "failed" | null }) {
  if (!status) return null;
  const tone = status === "failed" ? "bad" : status === "sent" ? "good" : "warn";
  return <Chip tone={tone}>{status}</Chip>;
}
