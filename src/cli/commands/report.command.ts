/**
 * `rapport report fairness|happiness [--from D] [--to D] [--channel K] [--json]` — the reports as
 * tables, or as the API's JSON. Each report is one entry in REPORTS: a name, a description, how to
 * compute it and how to print it.
 */
import type { Command } from "commander";
import { AppError } from "../../core/errors.ts";
import { formatDuration } from "../../core/queue.priority.ts";
import type { FairnessReport } from "../../services/reports/fairness.report.ts";
import type { HappinessFigures, HappinessReport } from "../../services/reports/happiness.report.ts";
import { parseReportBound } from "../../services/reports/report.bounds.ts";
import type { ReportOptions, ReportRange } from "../../services/reports/report.scope.ts";
import type { SlaCounts, SlaReport } from "../../services/reports/sla.report.ts";
import type { Database } from "../../store/db.ts";
import { printJson, withDatabase } from "../context.ts";
import { formatTable } from "../table.ts";

interface ReportCommand<T> {
  name: string;
  description: string;
  compute: (database: Database, options: ReportOptions) => Promise<T>;
  print: (report: T) => string;
}

const seconds = (value: number | null) =>
  value === null ? "–" : value < 60 ? `${Math.round(value)} s` : formatDuration(value * 1000);
const percent = (value: number | null) => (value === null ? "–" : `${(value * 100).toFixed(1)}%`);
const score = (value: number | null) =>
  value === null ? "–" : `${value >= 0 ? "+" : ""}${value.toFixed(2)}`;
const count = (value: number) => value.toLocaleString("en");

function rangeLine(range: ReportRange): string {
  const parts = [
    range.from || range.to
      ? `first message ${range.from ? `from ${range.from}` : ""}${range.from && range.to ? " " : ""}${range.to ? `before ${range.to}` : ""}`
      : "all time",
    range.channel ? `channel ${range.channel}` : "all channels",
    "spam excluded",
  ];
  return parts.join(" · ");
}

function printFairness(report: FairnessReport): string {
  const table = formatTable(
    ["followers", "people", "conversations", "answered", "first response p50", "p90"],
    report.buckets.map((b) => [
      b.label,
      count(b.people),
      count(b.conversations),
      percent(b.answeredShare),
      seconds(b.firstResponseSeconds.p50),
      seconds(b.firstResponseSeconds.p90),
    ]),
    ["left", "right", "right", "right", "right", "right"],
  );
  const ratio = report.ratio === null ? "" : `Slowest / fastest median: ${report.ratio}×\n`;
  return `Fairness: time to first human response by audience size\n${rangeLine(report.range)}\n\n${table}\n\n${ratio}Verdict: ${report.verdict}`;
}

const happinessColumns = ["people", "answered", "p50", "p90", "mood start", "end", "shift", "neg → ok"];
const happinessCells = (f: HappinessFigures) => [
  count(f.people),
  percent(f.answeredShare),
  seconds(f.firstResponseSeconds.p50),
  seconds(f.firstResponseSeconds.p90),
  score(f.sentiment.start),
  score(f.sentiment.end),
  score(f.sentiment.shift),
  percent(f.sentiment.recoveredShare),
];

function printHappiness(report: HappinessReport): string {
  const align = ["left", ...happinessColumns.map(() => "right" as const)] as const;
  const rows = [
    ["overall", ...happinessCells(report.overall)],
    ...report.byChannel.map((c) => [c.channel.key, ...happinessCells(c)]),
  ];
  const weeks = report.byWeek.map((w) => [`${w.week} (${w.start})`, ...happinessCells(w)]);
  return [
    "Happiness: people answered by a named human, response times and sentiment",
    rangeLine(report.range),
    "",
    formatTable(["", ...happinessColumns], rows, [...align]),
    "",
    weeks.length
      ? formatTable(["week", ...happinessColumns], weeks, [...align])
      : "No conversations in range.",
    "",
    "answered: share of people with a reply from a human; p50/p90: time to the first human reply;",
    "mood: mean sentiment (−1…+1) of the first and latest message; neg → ok: share of conversations",
    "that began negative and whose latest message is no longer negative.",
  ].join("\n");
}

function printSla(report: SlaReport): string {
  const cols = ["met", "breached", "met rate", "running", "near breach", "paused"];
  const cells = (c: SlaCounts) => [
    count(c.met),
    count(c.breached),
    percent(c.metRate),
    count(c.running),
    count(c.near),
    count(c.paused),
  ];
  const align = ["left", ...cols.map(() => "right" as const)] as const;
  const range =
    [report.from ? `clocks started from ${report.from}` : "", report.to ? `before ${report.to}` : ""]
      .filter(Boolean)
      .join(" ") || "all time";
  return [
    "SLA: response and resolution targets met and breached",
    `${range} · ${report.channel ? `channel ${report.channel.key}` : "all channels"}`,
    "",
    formatTable(
      ["", ...cols],
      [
        ["all", ...cells(report.totals)],
        ...report.byKind.map((k) => [k.kind.replace("_", " "), ...cells(k)]),
      ],
      [...align],
    ),
    "",
    formatTable(
      ["policy", ...cols],
      report.byPolicy.map((p) => [p.name, ...cells(p)]),
      [...align],
    ),
    "",
    formatTable(
      ["channel", ...cols],
      report.byChannel.map((c) => [c.key ?? c.channelId, ...cells(c)]),
      [...align],
    ),
  ].join("\n");
}

/** Binds a report's computation to its printer, so REPORTS can hold reports of different shapes. */
function defineReport<T>(report: ReportCommand<T>) {
  return {
    name: report.name,
    description: report.description,
    async run(database: Database, options: ReportOptions, json: boolean): Promise<void> {
      const result = await report.compute(database, options);
      if (json) printJson(result);
      else console.log(report.print(result));
    },
  };
}

/** Every `rapport report <name>`; adding a report is one entry here. */
const REPORTS = [
  defineReport({
    name: "fairness",
    description: "Time to first human response by audience-size bucket: does follower count change the wait?",
    compute: async (database, options) =>
      (await import("../../services/reports/fairness.report.ts")).fairnessReport(database, options),
    print: printFairness,
  }),
  defineReport({
    name: "happiness",
    description:
      "People answered by a human, response times and sentiment shift — overall, by channel, by week.",
    compute: async (database, options) =>
      (await import("../../services/reports/happiness.report.ts")).happinessReport(database, options),
    print: printHappiness,
  }),
  defineReport({
    name: "sla",
    description: "SLA clocks met, breached, running and near breach — by kind, policy and channel.",
    compute: async (database, options) =>
      (await import("../../services/reports/sla.report.ts")).slaReport(database, options),
    print: printSla,
  }),
];

function bound(edge: "from" | "to") {
  return (value: string): Date => {
    const parsed = parseReportBound(value, edge);
    if (!parsed) {
      throw new AppError(
        "bad_request",
        `--${edge} must be an ISO date (2026-01-31) or date-time with an offset (2026-01-31T12:00:00Z); got "${value}".`,
      );
    }
    return parsed;
  };
}

export function registerReport(program: Command): void {
  const command = program.command("report").description("Reports computed from stored conversations.");
  for (const report of REPORTS) {
    command
      .command(report.name)
      .description(report.description)
      .option("--from <date>", "first message on or after this date (UTC) or instant", bound("from"))
      .option(
        "--to <date>",
        "first message up to this date (the whole UTC day) or before this instant",
        bound("to"),
      )
      .option("--channel <key>", "only this channel")
      .option("--json", "print JSON (the API's format)")
      .action(async (opts: ReportOptions & { json?: boolean }) => {
        const { json, ...options } = opts;
        await withDatabase((database) => report.run(database, options, json ?? false));
      });
  }
}
