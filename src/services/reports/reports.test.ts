import { beforeAll, expect, it } from "vitest";
import { describeEachEngine } from "../../../test/helpers/engines.ts";
import { buildChannel, buildConversation, buildPerson } from "../../../test/helpers/factories.ts";
import { fairnessReport, judge } from "./fairness.report.ts";
import { happinessReport } from "./happiness.report.ts";
import { parseReportBound } from "./report.scope.ts";

/**
 * A small workspace whose figures are worked out by hand below. Monday 2026-01-05 is in ISO week
 * 2026-W02; conversation n starts n−1 days later, so 1–7 are in W02 and 8–12 in W03.
 */
const T = Date.UTC(2026, 0, 5, 10, 0, 0);

/**
 * Percentiles come from the rollup's response-time histogram (docs/reports.md): within 5% of the exact
 * percentile_cont, then rounded to whole seconds. `near(120)` accepts what that bound allows.
 */
const near = (exact: number) => ({
  asymmetricMatch: (actual: unknown) =>
    typeof actual === "number" && Math.abs(actual - exact) <= 0.05 * exact + 0.5,
  toString: () => `near(${exact})`,
  toAsymmetricMatcher: () => `near(${exact})`,
});
const nearRatio = (exact: number) => ({
  // The ratio of two medians each within 5%: within 1.05 / 0.95 of the exact ratio.
  asymmetricMatch: (actual: unknown) =>
    typeof actual === "number" &&
    actual <= (exact * 1.05) / 0.95 + 0.01 &&
    actual >= (exact * 0.95) / 1.05 - 0.01,
  toString: () => `nearRatio(${exact})`,
  toAsymmetricMatcher: () => `nearRatio(${exact})`,
});
const day = (n: number) => new Date(T + (n - 1) * 86_400_000);

interface Row {
  person: number;
  channel: "email" | "x";
  audience: number | null;
  /** Seconds to the first human reply; null = unanswered. */
  response: number | null;
  first: number | null;
  last: number | null;
  status?: "open" | "waiting" | "resolved" | "spam";
  noInbound?: boolean;
}

const ROWS: Row[] = [
  { person: 1, channel: "email", audience: 0, response: 60, first: -0.5, last: 0.2 },
  { person: 2, channel: "email", audience: 99, response: 120, first: -0.05, last: -0.05 },
  { person: 2, channel: "email", audience: 99, response: 180, first: -0.05, last: 0 },
  { person: 3, channel: "x", audience: 100, response: 300, first: 0.3, last: 0.5 },
  { person: 4, channel: "x", audience: 999, response: null, first: -0.8, last: -0.6, status: "open" },
  { person: 5, channel: "x", audience: 1000, response: 200, first: 0, last: 0 },
  { person: 6, channel: "x", audience: 9999, response: 400, first: null, last: null },
  { person: 7, channel: "x", audience: 10_000, response: 600, first: -0.2, last: -0.04 },
  { person: 8, channel: "x", audience: 99_999, response: 5, first: -0.9, last: -0.9, status: "spam" },
  { person: 9, channel: "x", audience: 100_000, response: 240, first: 0.1, last: 0.1 },
  { person: 10, channel: "x", audience: null, response: null, first: -0.3, last: -0.3, status: "open" },
  { person: 11, channel: "x", audience: 50, response: null, first: null, last: null, noInbound: true },
];

it("reads report bounds: whole UTC days, or instants with an offset", () => {
  expect(parseReportBound("2026-01-31", "from")?.toISOString()).toBe("2026-01-31T00:00:00.000Z");
  expect(parseReportBound("2026-01-31", "to")?.toISOString()).toBe("2026-02-01T00:00:00.000Z");
  expect(parseReportBound("2026-01-31T12:00:00+02:00", "to")?.toISOString()).toBe("2026-01-31T10:00:00.000Z");
  expect(parseReportBound("2026-02-30", "from")).toBeNull();
  expect(parseReportBound("yesterday", "from")).toBeNull();
  expect(parseReportBound("2026-01-31T12:00:00", "from")).toBeNull();
});

it("judges fairness by the ratio of medians, with a threshold of 1.25×", () => {
  const bucket = (key: "0-99" | "100000+", p50: number) => ({
    key,
    label: key,
    min: null,
    max: null,
    people: 1,
    conversations: 1,
    answered: 1,
    answeredShare: 1,
    firstResponseSeconds: { p50, p90: p50 },
  });
  expect(judge([bucket("0-99", 100), bucket("100000+", 125)])).toMatchObject({ ratio: 1.25, fair: true });
  expect(judge([bucket("0-99", 100), bucket("100000+", 126)])).toMatchObject({ ratio: 1.26, fair: false });
  expect(judge([bucket("0-99", 100)])).toMatchObject({ ratio: null, fair: null });
});

describeEachEngine("fairness and happiness reports", (ctx) => {
  beforeAll(async () => {
    const db = ctx.database.db;
    const channels = {
      email: await buildChannel(db, { key: "support-email", kind: "email", name: "Support email" }),
      x: await buildChannel(db, { key: "x-main", kind: "x", name: "X" }),
    };
    const people = new Map<number, string>();
    for (const [i, row] of ROWS.entries()) {
      if (!people.has(row.person)) people.set(row.person, (await buildPerson(db)).id);
      const start = day(i + 1);
      await buildConversation(db, {
        channelId: channels[row.channel].id,
        personId: people.get(row.person)!,
        status: row.status ?? "resolved",
        audienceSize: row.audience,
        firstInboundAt: row.noInbound ? null : start,
        firstHumanResponseAt: row.response === null ? null : new Date(start.getTime() + row.response * 1000),
        firstSentiment: row.first,
        lastSentiment: row.last,
      });
    }
  });

  it("buckets audiences at 99/100, 999/1,000, 9,999/10,000 and 99,999/100,000, without spam", async () => {
    const report = await fairnessReport(ctx.database, {});
    const figures = report.buckets.map((b) => [
      b.key,
      b.people,
      b.conversations,
      b.answered,
      b.answeredShare,
      b.firstResponseSeconds.p50,
      b.firstResponseSeconds.p90,
    ]);
    expect(figures).toEqual([
      // 60, 120, 180 s: p90 = 120 + 0.8 × 60.
      ["0-99", 2, 3, 3, 1, near(120), near(168)],
      ["100-999", 2, 2, 1, 0.5, near(300), near(300)],
      // 200, 400 s: p90 = 200 + 0.9 × 200.
      ["1000-9999", 2, 2, 2, 1, near(300), near(380)],
      // The spam conversation at 99,999 is left out.
      ["10000-99999", 1, 1, 1, 1, near(600), near(600)],
      ["100000+", 1, 1, 1, 1, near(240), near(240)],
      ["unknown", 1, 1, 0, 0, null, null],
    ]);
    expect(report.buckets[2]).toMatchObject({ label: "1k–9,999", min: 1000, max: 9999 });
    expect(report.buckets[4]).toMatchObject({ label: "100k+", min: 100_000, max: null });
    expect(report).toMatchObject({
      ratio: nearRatio(5),
      slowest: "10000-99999",
      fastest: "0-99",
      fair: false,
    });
    expect(report.verdict).toBe(
      `unfair: people with 10k–99,999 followers wait ${report.ratio}× as long for a first human response as people with 0–99 followers (threshold 1.25×)`,
    );
    expect(report.range).toEqual({ from: null, to: null, channel: null });
  });

  it("narrows to a period and a channel", async () => {
    const lateOnes = await fairnessReport(ctx.database, { from: day(8) });
    expect(lateOnes.buckets.map((b) => b.conversations)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(lateOnes).toMatchObject({ ratio: nearRatio(2.5), slowest: "10000-99999", fastest: "100000+" });
    const email = await fairnessReport(ctx.database, { channel: "support-email", to: day(3) });
    expect(email.buckets[0]).toMatchObject({ conversations: 2, people: 2 });
    expect(email).toMatchObject({ ratio: null, fair: null, range: { channel: "support-email" } });
    expect(email.verdict).toMatch(/^not enough data/);
    await expect(fairnessReport(ctx.database, { channel: "nope" })).rejects.toThrow(
      'No channel has the key "nope"',
    );
    await expect(fairnessReport(ctx.database, { from: day(3), to: day(2) })).rejects.toThrow("earlier");
  });

  it("reports happiness overall, by channel and by ISO week", async () => {
    const report = await happinessReport(ctx.database, {});
    expect(report.overall).toEqual({
      people: 9,
      peopleAnswered: 7,
      answeredShare: 0.7778,
      conversations: 10,
      answeredConversations: 8,
      // 60 120 180 200 240 300 400 600: p50 = (200 + 240) / 2, p90 = 400 + 0.3 × 200.
      firstResponseSeconds: { p50: near(220), p90: near(460) },
      // Nine scored conversations: starts sum to −1.5, ends to −0.19.
      sentiment: {
        start: -0.1667,
        end: -0.0211,
        shift: 0.1456,
        // 1, 2, 3 (−0.05 counts as negative), 5, 8, 11; recovered: 1, 3 (to 0) and 8 (to −0.04).
        startedNegative: 6,
        recovered: 3,
        recoveredShare: 0.5,
      },
    });
    expect(report.byChannel.map((c) => c.channel.key)).toEqual(["support-email", "x-main"]);
    expect(report.byChannel[0]).toMatchObject({
      channel: { name: "Support email" },
      people: 2,
      peopleAnswered: 2,
      answeredShare: 1,
      firstResponseSeconds: { p50: near(120), p90: near(168) },
      sentiment: {
        start: -0.2,
        end: 0.05,
        shift: 0.25,
        startedNegative: 3,
        recovered: 2,
        recoveredShare: 0.6667,
      },
    });
    expect(report.byChannel[1]).toMatchObject({
      people: 7,
      peopleAnswered: 5,
      answeredShare: 0.7143,
      firstResponseSeconds: { p50: near(300), p90: near(520) },
      sentiment: { start: -0.15, end: -0.0567, shift: 0.0933, startedNegative: 3, recovered: 1 },
    });
    expect(
      report.byWeek.map((w) => [w.week, w.start, w.people, w.peopleAnswered, w.firstResponseSeconds]),
    ).toEqual([
      ["2026-W02", "2026-01-05", 6, 5, { p50: near(190), p90: near(350) }],
      ["2026-W03", "2026-01-12", 3, 2, { p50: near(420), p90: near(564) }],
    ]);
  });

  it("answers an empty period with zeros, not errors", async () => {
    const report = await happinessReport(ctx.database, { from: new Date("2030-01-01T00:00:00Z") });
    expect(report.overall).toMatchObject({
      people: 0,
      answeredShare: null,
      firstResponseSeconds: { p50: null },
    });
    expect(report.byChannel).toEqual([]);
    expect(report.byWeek).toEqual([]);
  });
});
