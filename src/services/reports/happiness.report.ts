/**
 * The happiness report: are people answered by a named human, how fast, and do they leave happier
 * than they came? Overall, per channel and per ISO week (UTC) of the conversation's first message.
 *
 * "Named human": every agent counts for now — agents are people who sign in (email) or, for imported
 * history, the brand account that answered (external ref). Bots and automations are not agents.
 */
import type { Database } from "../../store/db.ts";
import { type HappinessRow, reportsRepository } from "../../store/reports.repository.ts";
import { type ReportOptions, type ReportRange, resolveScope, roundSeconds, share } from "./report.scope.ts";

export interface HappinessFigures {
  /** Distinct people with a conversation in scope. */
  people: number;
  /** People with at least one conversation answered by a human agent. */
  peopleAnswered: number;
  answeredShare: number | null;
  conversations: number;
  answeredConversations: number;
  firstResponseSeconds: { p50: number | null; p90: number | null };
  sentiment: {
    /** Mean score of the first inbound message, over conversations with a first and a latest score. */
    start: number | null;
    /** Mean score of the latest inbound message, over the same conversations. */
    end: number | null;
    /** end − start: positive means people leave happier than they came. */
    shift: number | null;
    /** Conversations whose first message was negative (score ≤ −0.05). */
    startedNegative: number;
    /** …of which the latest message is no longer negative (score > −0.05). */
    recovered: number;
    recoveredShare: number | null;
  };
}

export interface HappinessReport {
  range: ReportRange;
  overall: HappinessFigures;
  byChannel: Array<{ channel: { key: string; name: string } } & HappinessFigures>;
  /** Weeks with conversations, oldest first. `week` is ISO 8601 ("2026-W03"), `start` its Monday. */
  byWeek: Array<{ week: string; start: string } & HappinessFigures>;
}

const round = (value: number | null, digits = 4) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

function figures(row: HappinessRow | undefined): HappinessFigures {
  const r = row ?? {
    people: 0,
    peopleAnswered: 0,
    conversations: 0,
    answered: 0,
    p50: null,
    p90: null,
    sentimentStart: null,
    sentimentEnd: null,
    startedNegative: 0,
    recovered: 0,
  };
  const start = round(r.sentimentStart);
  const end = round(r.sentimentEnd);
  return {
    people: r.people,
    peopleAnswered: r.peopleAnswered,
    answeredShare: round(share(r.peopleAnswered, r.people)),
    conversations: r.conversations,
    answeredConversations: r.answered,
    firstResponseSeconds: { p50: roundSeconds(r.p50), p90: roundSeconds(r.p90) },
    sentiment: {
      start,
      end,
      shift:
        r.sentimentStart === null || r.sentimentEnd === null
          ? null
          : round(r.sentimentEnd - r.sentimentStart),
      startedNegative: r.startedNegative,
      recovered: r.recovered,
      recoveredShare: round(share(r.recovered, r.startedNegative)),
    },
  };
}

export async function happinessReport(database: Database, options: ReportOptions): Promise<HappinessReport> {
  const { scope, range } = await resolveScope(database, options);
  const rows = await reportsRepository(database).happiness(scope);
  const overall = rows.filter((r) => r.grouping === "all");
  const byChannel = rows.filter((r) => r.grouping === "channel");
  const byWeek = rows.filter((r) => r.grouping === "week");
  return {
    range,
    overall: figures(overall[0]),
    byChannel: byChannel.map((r) => ({
      channel: { key: r.channelKey ?? "?", name: r.channelName ?? "?" },
      ...figures(r),
    })),
    byWeek: byWeek.map((r) => ({ week: r.week ?? "?", start: r.weekStart ?? "?", ...figures(r) })),
  };
}
