/** The happiness and fairness reports: charts readable at a glance, the numbers in tables, CSV export. */
import { useMemo, useState } from "react";
import type uPlot from "uplot";
import { type ReportRange, useChannels, useReport } from "../api/queries";
import type { FairnessReport, HappinessReport } from "../api/types";
import { bars, Chart, PALETTE } from "../components/chart";
import { formatPercent, formatSeconds, toCsv } from "../lib/format";
import { AnalysisCheck } from "./analysis-report";

function download(name: string, csv: string) {
  const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function RangeForm({ range, onChange }: { range: ReportRange; onChange: (r: ReportRange) => void }) {
  const channels = useChannels();
  return (
    <div className="range">
      <label>
        <span>From</span>
        <input
          type="date"
          value={range.from}
          onChange={(e) => onChange({ ...range, from: e.target.value })}
        />
      </label>
      <label>
        <span>To</span>
        <input type="date" value={range.to} onChange={(e) => onChange({ ...range, to: e.target.value })} />
      </label>
      <label>
        <span>Channel</span>
        <select value={range.channel} onChange={(e) => onChange({ ...range, channel: e.target.value })}>
          <option value="">All channels</option>
          {channels.data?.map((c) => (
            <option key={c.id} value={c.key}>
              {c.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Grouped bars over named categories (channels, audience buckets). */
function categorical(
  names: string[],
  unit: string,
  series: Array<[string, string]>,
  max?: number,
): Omit<uPlot.Options, "width" | "height"> {
  const n = series.length;
  return {
    scales: {
      x: { time: false, range: (_u, min, mx) => [min - 0.5, mx + 0.5] },
      y: { range: (_u, _min, mx) => [0, max ?? Math.max(1, mx * 1.1)] },
    },
    axes: [
      {
        stroke: "#555",
        splits: () => names.map((_n, i) => i),
        values: (_u, v) => v.map((i) => names[i] ?? ""),
      },
      { stroke: "#555", label: unit, values: (_u, v) => v.map((x) => `${x}`) },
    ],
    series: [
      { label: "", value: (_u, i) => names[i] ?? "" },
      ...series.map(([label, colour], k) => ({
        label,
        fill: colour,
        stroke: colour,
        paths: bars(k, n),
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v === null ? "—" : v.toFixed(1)),
      })),
    ],
  };
}

const EMPTY: ReportRange = { from: "", to: "", channel: "" };
const hours = (s: number | null) => (s === null ? null : s / 3600);
const percent = (share: number | null) => (share === null ? null : share * 100);

function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="stat">
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
      {hint && <div className="muted small">{hint}</div>}
    </div>
  );
}

export function HappinessPage() {
  const [range, setRange] = useState(EMPTY);
  const report = useReport<HappinessReport>("happiness", range);
  const weeks = report.data?.byWeek ?? [];
  const data = useMemo<uPlot.AlignedData>(
    () => [
      weeks.map((w) => new Date(w.start).getTime() / 1000),
      weeks.map((w) => percent(w.answeredShare)),
      weeks.map((w) => percent(w.sentiment.recoveredShare)),
    ],
    [weeks],
  );
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () => ({
      scales: { y: { range: [0, 100] } },
      axes: [{ stroke: "#555" }, { stroke: "#555", values: (_u, v) => v.map((x) => `${x}%`) }],
      series: [
        { label: "Week" },
        {
          label: "People answered by a person",
          stroke: PALETTE[0],
          width: 2,
          value: (_u, v) => (v === null ? "—" : `${v.toFixed(0)}%`),
        },
        {
          label: "Unhappy people who ended happier",
          stroke: PALETTE[2],
          width: 2,
          value: (_u, v) => (v === null ? "—" : `${v.toFixed(0)}%`),
        },
      ],
    }),
    [],
  );
  const channels = report.data?.byChannel ?? [];
  const channelData = useMemo<uPlot.AlignedData>(
    () => [
      channels.map((_c, i) => i),
      channels.map((c) => percent(c.answeredShare)),
      channels.map((c) => percent(c.sentiment.recoveredShare)),
    ],
    [channels],
  );
  const channelOptions = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () =>
      categorical(
        channels.map((c) => c.channel.key),
        "%",
        [
          ["Answered by a person (%)", PALETTE[0]!],
          ["Unhappy who ended happier (%)", PALETTE[2]!],
        ],
        100,
      ),
    [channels],
  );
  const exportCsv = () => {
    const r = report.data!;
    const row = (scope: string, f: HappinessReport["overall"]) => [
      scope,
      f.people,
      f.peopleAnswered,
      f.answeredShare,
      f.conversations,
      f.answeredConversations,
      f.firstResponseSeconds.p50,
      f.firstResponseSeconds.p90,
      f.sentiment.start,
      f.sentiment.end,
      f.sentiment.shift,
      f.sentiment.startedNegative,
      f.sentiment.recovered,
    ];
    download(
      "rapport-happiness.csv",
      toCsv(
        [
          "scope",
          "people",
          "people_answered",
          "answered_share",
          "conversations",
          "answered_conversations",
          "first_response_p50_s",
          "first_response_p90_s",
          "sentiment_start",
          "sentiment_end",
          "sentiment_shift",
          "started_negative",
          "recovered",
        ],
        [
          row("overall", r.overall),
          ...r.byChannel.map((c) => row(`channel:${c.channel.key}`, c)),
          ...r.byWeek.map((w) => row(`week:${w.week}`, w)),
        ],
      ),
    );
  };
  const o = report.data?.overall;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Happiness</h1>
        <button type="button" className="button" onClick={exportCsv} disabled={!report.data}>
          Export CSV
        </button>
      </div>
      <p className="muted">
        Did people get an answer from a person, how fast, and did they leave happier than they came?
      </p>
      <RangeForm range={range} onChange={setRange} />
      {report.isError && (
        <p className="error" role="alert">
          {report.error.message}
        </p>
      )}
      {o && (
        <>
          <div className="stats">
            <Stat
              label="people answered by a person"
              value={formatPercent(o.answeredShare)}
              hint={`${o.peopleAnswered} of ${o.people}`}
            />
            <Stat
              label="first response, median"
              value={formatSeconds(o.firstResponseSeconds.p50)}
              hint={`90th percentile ${formatSeconds(o.firstResponseSeconds.p90)}`}
            />
            <Stat
              label="sentiment shift"
              value={
                o.sentiment.shift === null
                  ? "—"
                  : (o.sentiment.shift > 0 ? "+" : "") + o.sentiment.shift.toFixed(2)
              }
              hint="last minus first message, −2…+2"
            />
            <Stat
              label="unhappy people who ended happier"
              value={formatPercent(o.sentiment.recoveredShare)}
              hint={`${o.sentiment.recovered} of ${o.sentiment.startedNegative}`}
            />
          </div>
          {weeks.length > 1 && (
            <>
              <h2>By week</h2>
              <Chart
                options={options}
                data={data}
                label="Share of people answered and of unhappy people who recovered, by week"
              />
            </>
          )}
          <h2>By channel</h2>
          {channels.length > 0 && (
            <Chart
              options={channelOptions}
              data={channelData}
              label="Share of people answered by a person and of unhappy people who ended happier, by channel"
            />
          )}
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Channel</th>
                <th scope="col">People</th>
                <th scope="col">Answered</th>
                <th scope="col">First response (median)</th>
                <th scope="col">Sentiment shift</th>
                <th scope="col">Recovered</th>
              </tr>
            </thead>
            <tbody>
              {report.data!.byChannel.map((c) => (
                <tr key={c.channel.key}>
                  <th scope="row">{c.channel.name}</th>
                  <td>{c.people}</td>
                  <td>{formatPercent(c.answeredShare)}</td>
                  <td>{formatSeconds(c.firstResponseSeconds.p50)}</td>
                  <td>{c.sentiment.shift === null ? "—" : c.sentiment.shift.toFixed(2)}</td>
                  <td>{formatPercent(c.sentiment.recoveredShare)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <AnalysisCheck from={range.from} />
    </div>
  );
}

export function FairnessPage() {
  const [range, setRange] = useState(EMPTY);
  const report = useReport<FairnessReport>("fairness", range);
  const buckets = report.data?.buckets ?? [];
  const data = useMemo<uPlot.AlignedData>(
    () => [
      buckets.map((_b, i) => i),
      buckets.map((b) => hours(b.firstResponseSeconds.p50)),
      buckets.map((b) => hours(b.firstResponseSeconds.p90)),
    ],
    [buckets],
  );
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () =>
      categorical(
        buckets.map((b) => b.label),
        "hours",
        [
          ["Median first response (h)", PALETTE[0]!],
          ["90th percentile (h)", "#9bb3ec"],
        ],
      ),
    [buckets],
  );
  const exportCsv = () =>
    download(
      "rapport-fairness.csv",
      toCsv(
        [
          "bucket",
          "label",
          "people",
          "conversations",
          "answered",
          "answered_share",
          "first_response_p50_s",
          "first_response_p90_s",
        ],
        buckets.map((b) => [
          b.key,
          b.label,
          b.people,
          b.conversations,
          b.answered,
          b.answeredShare,
          b.firstResponseSeconds.p50,
          b.firstResponseSeconds.p90,
        ]),
      ),
    );
  const r = report.data;
  return (
    <div className="page">
      <div className="page-head">
        <h1>Fairness</h1>
        <button type="button" className="button" onClick={exportCsv} disabled={!r}>
          Export CSV
        </button>
      </div>
      <p className="muted">
        Time to the first human response by audience size. On a fair queue, follower count changes nothing.
      </p>
      <RangeForm range={range} onChange={setRange} />
      {report.isError && (
        <p className="error" role="alert">
          {report.error.message}
        </p>
      )}
      {r && (
        <>
          <p className={`verdict ${r.fair === false ? "unfair" : r.fair ? "fair" : ""}`} role="status">
            {r.verdict}
          </p>
          <Chart options={options} data={data} label="First response time by audience-size bucket" />
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Audience</th>
                <th scope="col">People</th>
                <th scope="col">Conversations</th>
                <th scope="col">Answered</th>
                <th scope="col">First response (median)</th>
                <th scope="col">90th percentile</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.key}>
                  <th scope="row">{b.label}</th>
                  <td>{b.people}</td>
                  <td>{b.conversations}</td>
                  <td>{formatPercent(b.answeredShare)}</td>
                  <td>{formatSeconds(b.firstResponseSeconds.p50)}</td>
                  <td>{formatSeconds(b.firstResponseSeconds.p90)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
