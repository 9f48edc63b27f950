/**
 * "Is the analysis reading our messages right?" — the current analyzer on agents' corrections
 * (GET /api/analysis/corrections/report), under the happiness report whose sentiment figures rest on it.
 */
import { useQuery } from "@tanstack/react-query";
import { api, withQuery } from "../api/client";
import { formatPercent } from "../lib/format";

interface CorrectionsReport {
  analyzer: string;
  /** Older corrections were left out (the report reads the newest 10,000). */
  limited: boolean;
  fields: Array<{
    field: string;
    corrections: number;
    agreesNow: number;
    confusion: Array<{ machine: string; human: string; count: number }>;
  }>;
}

export function AnalysisCheck({ from }: { from: string }) {
  const since = from ? new Date(`${from}T00:00:00Z`).toISOString() : undefined;
  const report = useQuery({
    queryKey: ["corrections-report", since],
    queryFn: ({ signal }) =>
      api<CorrectionsReport>(withQuery("/api/analysis/corrections/report", since ? { since } : {}), {
        signal,
      }),
  });
  return (
    <section aria-label="The analysis, checked by agents">
      <h2>The analysis, checked by agents</h2>
      {report.isError && (
        <p className="error" role="alert">
          {report.error.message}
        </p>
      )}
      {report.data && report.data.fields.length === 0 && (
        <p className="muted">
          No corrections yet. When the analysis reads a message wrong, correct it from the message's chips (
          <kbd>c</kbd> in a conversation): the queue and these reports follow your label.
        </p>
      )}
      {report.data && report.data.fields.length > 0 && (
        <>
          <p className="muted">
            Labels agents changed, and how often the current analyzer ({report.data.analyzer}) now reads those
            messages as the agent did{report.data.limited ? " (the newest 10,000 corrections)" : ""}.
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Corrected</th>
                <th scope="col">Analyzer now agrees</th>
                <th scope="col">Most common change</th>
              </tr>
            </thead>
            <tbody>
              {report.data.fields.map((f) => {
                const top = f.confusion[0];
                return (
                  <tr key={f.field}>
                    <th scope="row">{f.field}</th>
                    <td>{f.corrections}</td>
                    <td>{formatPercent(f.agreesNow / f.corrections)}</td>
                    <td>{top ? `${top.machine} → ${top.human} (${top.count})` : "—"}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
