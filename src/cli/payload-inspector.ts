/**
 * The payload inspector behind `rapport parse`: reads a file of raw payloads and runs each through the
 * normalizer the ingest pipeline would use, with no database. Works for every registered format —
 * the importers' (canonical, twcs, csv) and each connector's — without knowing any platform: JSON and
 * JSONL files are read generically, and other files by the format's own reader (a connector's
 * `readFile`, e.g. .eml for email, or an importer's, e.g. the TWCS CSV).
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Connector } from "../channels/connector.ts";
import { type ConnectorRegistry, createConnectorRegistry } from "../channels/registry.ts";
import { AppError } from "../core/errors.ts";
import type { ChannelDefaults, InboundChange, InboundMessage } from "../core/inbound.ts";
import { storable } from "../core/sanitize.ts";
import { importSources } from "../services/import/import.runner.ts";
import type { IngestItem } from "../services/ingest.types.ts";
import { NormalizerRegistry } from "../services/normalizers.ts";

export type Inspection =
  | { at: string; ok: true; message: InboundMessage; channel?: ChannelDefaults }
  /** An edit or deletion of a message (applied to it once it is stored). */
  | { at: string; ok: true; change: InboundChange; channel?: ChannelDefaults }
  /** Knowingly not a message (a like, a follow…): kept raw and marked ignored. */
  | { at: string; ok: true; ignored: string }
  | { at: string; ok: false; reason: string };

export interface FormatInfo {
  name: string;
  description: string;
  /** Files it reads besides JSON and JSONL. */
  reads: string | null;
}

/** Formats every importer knows; connectors' formats are described by their connector. */
const BUILT_IN: Record<string, string> = {
  canonical: "canonical messages (docs/formats.md): what POST /api/ingest and webhook channels accept",
  "json-text": "canonical messages stored as text (JSONL lines that may not be JSON)",
  twcs: "Customer Support on Twitter rows, as stored ({ cells, threadRoot, brand })",
  csv: "CSV import rows, as stored ({ row, mapping, defaults })",
};
const READS: Record<string, string> = { twcs: "the TWCS CSV itself (tweet_id, author_id, inbound, …)" };

interface Registries {
  connectors: ConnectorRegistry;
  normalizers: NormalizerRegistry;
}

/** The registries the server uses, without a database. */
export function standardRegistries(): Registries {
  const connectors = createConnectorRegistry();
  const normalizers = connectors.registerFormats(new NormalizerRegistry());
  return { connectors, normalizers };
}

const formatOf = (c: Connector) => c.format ?? c.kind;

export function listFormats({ connectors, normalizers }: Registries = standardRegistries()): FormatInfo[] {
  return normalizers.formats().map((name) => {
    const connector = connectors.all().find((c) => formatOf(c) === name);
    return {
      name,
      description: BUILT_IN[name] ?? `payloads of the ${connector?.kind ?? name} channel, as stored`,
      reads: connector?.readFile?.description ?? (importSources[name] ? (READS[name] ?? null) : null),
    };
  });
}

/** A platform (channel kind) or format name → the format and the connector that owns it, if any. */
function resolve(name: string, { connectors, normalizers }: Registries) {
  const byKind = connectors.get(name);
  const format = byKind?.parse ? formatOf(byKind) : name;
  if (!normalizers.has(format)) {
    throw new AppError(
      "bad_request",
      `Unknown format "${name}"; use one of: ${normalizers.formats().join(", ")} (see rapport parse --help).`,
    );
  }
  return { format, connector: connectors.all().find((c) => formatOf(c) === format) };
}

type Entry = { at: string; format: string; payload: unknown } | { at: string; error: string };

const notJson = (error: unknown) => `not valid JSON: ${(error as Error).message}`;

/** A JSON document (an object, or an array of payloads), or JSONL; null when the file is neither. */
function readJson(text: string, format: string): Entry[] | null {
  const start = text.trimStart()[0];
  if (start !== "{" && start !== "[") return null;
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value.map((payload, i) => ({ at: `item ${i}`, format, payload }));
    return [{ at: "object", format, payload: value }];
  } catch (error) {
    const lines = text.split(/\r?\n/);
    try {
      JSON.parse(lines.find((l) => l.trim() !== "") ?? "");
    } catch {
      // Its first line is not JSON either: one broken JSON document, not JSONL.
      return [{ at: "file", error: notJson(error) }];
    }
    return lines.flatMap((line, i): Entry[] => {
      if (line.trim() === "") return [];
      try {
        return [{ at: `line ${i + 1}`, format, payload: JSON.parse(line) as unknown }];
      } catch (lineError) {
        return [{ at: `line ${i + 1}`, error: notJson(lineError) }];
      }
    });
  }
}

/**
 * Reads `file` as payloads of `name` (a channel kind or a format) and says, for each, the canonical
 * message Rapport would ingest or why it would become a dead letter.
 */
export async function inspectFile(
  file: string,
  name: string,
  options: { channel?: string } = {},
  registries: Registries = standardRegistries(),
): Promise<{ format: string; results: Inspection[] }> {
  const { format, connector } = resolve(name, registries);
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(file);
  } catch {
    throw new AppError("not_found", `No such file: ${file}`);
  }
  const content = readFileSync(file);
  const text = content.toString("utf8").replace(/^\uFEFF/, "");
  let entries = readJson(text, format);
  if (!entries) {
    const source = importSources[format];
    if (connector?.readFile) {
      const payloads = connector.readFile.read(content, {
        channel: options.channel ?? format,
        modifiedAt: stats.mtime,
      });
      entries = payloads.map((payload, i) => ({
        at: payloads.length > 1 ? `${path.basename(file)} #${i + 1}` : path.basename(file),
        format,
        payload,
      }));
    } else if (source) {
      const items: IngestItem[] = [];
      await source.run(
        file,
        { total: () => {}, push: async (item) => void items.push(item) },
        options.channel ? { channel: options.channel } : {},
      );
      entries = items
        .filter((item) => item.format !== "skip")
        .map((item) => ({
          at: typeof item.detail?.line === "number" ? `line ${item.detail.line}` : "row",
          format: item.format,
          payload: item.payload,
        }));
    } else {
      const readers = listFormats(registries).filter((f) => f.reads);
      throw new AppError(
        "bad_request",
        `${file} is not JSON or JSONL, and the ${format} format reads no other files (${readers.map((f) => `${f.name}: ${f.reads}`).join("; ")}).`,
      );
    }
  }
  const results: Inspection[] = [];
  for (const entry of entries) {
    if ("error" in entry) {
      results.push({ at: entry.at, ok: false, reason: entry.error });
      continue;
    }
    let payload = entry.payload;
    // As the webhook endpoint does for its channel: fill in a channel the payload does not name.
    if (options.channel && isObject(payload) && payload.channel === undefined)
      payload = { ...payload, channel: options.channel };
    const result = await registries.normalizers.normalize(entry.format, storable(payload ?? null));
    results.push({ at: entry.at, ...result });
  }
  return { format, results };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);
