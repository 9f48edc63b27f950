/** One person across platforms: identities, every conversation, sentiment over time. */
import { useQueries } from "@tanstack/react-query";
import { lazy, Suspense, useMemo } from "react";
import type uPlot from "uplot";
import { Link } from "wouter";
import { api } from "../api/client";
import { usePerson } from "../api/queries";
import type { ConversationDetail } from "../api/types";
import { PALETTE } from "../components/palette";

// uPlot loads with the first chart, not with the inbox (the person panel shows one beside a conversation).
const Chart = lazy(() => import("../components/chart").then((m) => ({ default: m.Chart })));

import { StatusChip } from "../components/chips";
import { formatDateTime, relativeTime } from "../lib/format";
import { MergeSuggestions } from "./person-merge";
import { PersonNotes } from "./person-notes";

/** Only links a browser can follow safely (a profile URL comes from a platform, i.e. from outside). */
function safeUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function PersonPage({ id }: { id: string }) {
  return (
    <div className="page person-page">
      <PersonPanel id={id} currentConversationId={null} compact={false} />
    </div>
  );
}

export function PersonPanel({
  id,
  currentConversationId,
  compact,
}: {
  id: string | null;
  currentConversationId: string | null;
  compact: boolean;
}) {
  const person = usePerson(id);
  if (!id) return <p className="muted pad">No person is linked to this conversation.</p>;
  if (person.isPending) return <p className="muted pad">Loading the person…</p>;
  if (person.isError)
    return (
      <p className="error pad" role="alert">
        {person.error.message}
      </p>
    );
  const p = person.data;
  const Heading = compact ? "h2" : "h1";
  return (
    <div className="person">
      <Heading>
        {compact ? (
          <Link href={`/people/${p.id}`}>{p.displayName ?? "Unknown person"}</Link>
        ) : (
          (p.displayName ?? "Unknown person")
        )}
      </Heading>
      <PersonNotes personId={p.id} notes={p.notes} tags={p.tags} />
      <h3>Identities</h3>
      <ul className="identities">
        {p.identities.map((i) => {
          const href = safeUrl(i.profileUrl);
          const handle = i.handle ?? i.displayName ?? i.externalId;
          return (
            <li key={i.id}>
              <span className="platform">{i.platform}</span>{" "}
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer nofollow">
                  {handle}
                </a>
              ) : (
                <span>{handle}</span>
              )}
              {i.followerCount !== null && (
                <span className="muted" title="Shown for context; never used for priority">
                  {" "}
                  · {i.followerCount.toLocaleString()} followers
                </span>
              )}
            </li>
          );
        })}
      </ul>
      <MergeSuggestions personId={p.id} />
      <h3>Sentiment over time</h3>
      <SentimentChart conversationIds={p.conversations.slice(0, 8).map((c) => c.id)} compact={compact} />
      <h3>Conversations ({p.conversations.length})</h3>
      <ul className="history">
        {p.conversations.map((c) => (
          <li key={c.id} className={c.id === currentConversationId ? "current" : ""}>
            <Link href={`/c/${c.id}`} aria-current={c.id === currentConversationId ? "true" : undefined}>
              {c.channel.name}
              {c.subject ? ` — ${c.subject}` : ""}
            </Link>{" "}
            <StatusChip status={c.status} />
            <span className="muted">
              {" "}
              {c.messageCount === 1 ? "1 message" : `${c.messageCount} messages`} ·{" "}
              {relativeTime(c.lastMessageAt)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

type Point = { t: number; v: number };

/** Inbound messages' sentiment scores across the loaded conversations, oldest first. */
function sentimentPoints(results: Array<{ data?: ConversationDetail; isPending: boolean }>): {
  ready: boolean;
  points: Point[];
} {
  if (results.some((r) => r.isPending)) return { ready: false, points: [] };
  const points = results
    .flatMap((r) => r.data?.messages ?? [])
    .filter((m) => m.direction === "in" && m.visibility !== "note" && m.sentimentScore !== null)
    .map((m) => ({ t: new Date(m.createdAt).getTime() / 1000, v: m.sentimentScore! }))
    .sort((a, b) => a.t - b.t);
  return { ready: true, points };
}

/** Inbound sentiment scores (−1…1) of the person's recent conversations, oldest first. */
function SentimentChart({ conversationIds, compact }: { conversationIds: string[]; compact: boolean }) {
  const { ready, points } = useQueries({
    queries: conversationIds.map((id) => ({
      queryKey: ["conversation", id],
      queryFn: () => api<ConversationDetail>(`/api/conversations/${id}`),
      staleTime: 60_000,
    })),
    combine: sentimentPoints,
  });
  const data = useMemo<uPlot.AlignedData>(() => [points.map((p) => p.t), points.map((p) => p.v)], [points]);
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () => ({
      legend: { show: false },
      scales: { y: { range: [-1, 1] } },
      axes: [
        { stroke: "#555" },
        {
          stroke: "#555",
          size: 36,
          splits: () => [-1, 0, 1],
          values: (_u, vals) => vals.map((v) => v.toFixed(0)),
        },
      ],
      series: [
        {},
        {
          label: "Sentiment",
          stroke: PALETTE[0],
          width: 2,
          points: { show: true, size: 6, fill: PALETTE[0] },
        },
      ],
    }),
    [],
  );
  if (!ready) return <p className="muted">Loading…</p>;
  if (points.length < 2)
    return (
      <p className="muted">
        {points.length === 1
          ? `One message so far (${points[0]!.v.toFixed(2)}, ${formatDateTime(new Date(points[0]!.t * 1000).toISOString())}).`
          : "No scored messages yet."}
      </p>
    );
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Chart
        options={options}
        data={data}
        height={compact ? 120 : 200}
        label={`Sentiment of ${points.length} inbound messages, from ${points[0]!.v.toFixed(2)} to ${points.at(-1)!.v.toFixed(2)}`}
      />
    </Suspense>
  );
}
