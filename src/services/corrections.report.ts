/**
 * How the analyzer fares on agents' corrections: the workspace's own labelled examples. Each example's
 * text is analysed again by the given analyzer (alone, without its conversation), and its value of the
 * corrected field is compared with the agent's. Used by `rapport corrections report` after a model or
 * rule change, on the database or on an exported file.
 */
import type { Analyzer } from "../analysis/analyzer.ts";
import {
  type AnalysisColumns,
  agrees,
  CORRECTABLE_FIELDS,
  type CorrectableField,
  type HumanValue,
  labelOf,
  type MachineValue,
  machineValue,
} from "../analysis/corrections.ts";
import { analysisColumns } from "../store/analysis.repository.ts";

export interface CorrectionExample {
  field: CorrectableField;
  machine: MachineValue;
  human: HumanValue;
  text: string;
}

export interface FieldReport {
  field: CorrectableField;
  corrections: number;
  /** Examples where the given analyzer now gives the agent's value. */
  agreesNow: number;
  /** What the analyzer said then → what the agent said, most frequent first. */
  confusion: Array<{ machine: string; human: string; count: number }>;
}

const show = (value: MachineValue | HumanValue): string => {
  const label = labelOf(value);
  if (Array.isArray(label)) return label.length > 0 ? label.join("+") : "none";
  return label ?? "none";
};

export function correctionsReport(examples: Iterable<CorrectionExample>, analyzer: Analyzer): FieldReport[] {
  const byField = new Map<CorrectableField, { n: number; agree: number; pairs: Map<string, number> }>();
  for (const example of examples) {
    const entry = byField.get(example.field) ?? { n: 0, agree: 0, pairs: new Map<string, number>() };
    byField.set(example.field, entry);
    entry.n++;
    const now: AnalysisColumns = analysisColumns(
      analyzer.analyze(example.text, { direction: "in" }),
      analyzer.version,
    );
    if (agrees(example.field, example.human, machineValue(now, example.field))) entry.agree++;
    const pair = `${show(example.machine)}\u0000${show(example.human)}`;
    entry.pairs.set(pair, (entry.pairs.get(pair) ?? 0) + 1);
  }
  return CORRECTABLE_FIELDS.filter((f) => byField.has(f)).map((field) => {
    const entry = byField.get(field)!;
    return {
      field,
      corrections: entry.n,
      agreesNow: entry.agree,
      confusion: [...entry.pairs]
        .map(([pair, count]) => {
          const [machine, human] = pair.split("\u0000") as [string, string];
          return { machine, human, count };
        })
        .sort(
          (a, b) => b.count - a.count || a.machine.localeCompare(b.machine) || a.human.localeCompare(b.human),
        ),
    };
  });
}
