/** The shapes of the ingest pipeline's input and output, shared by the API, the importers and connectors. */

/** One payload to ingest, exactly as received. */
export interface IngestItem {
  /** Where it came from: "api", "import:jsonl", "import:twcs", "webhook:mastodon", … */
  source: string;
  /** Which normalizer turns it into a canonical message: "canonical", "twcs", "csv", … */
  format: string;
  payload: unknown;
  /** Context kept with a dead letter, e.g. { line: 42 } for an import row. */
  detail?: Record<string, unknown>;
}

export type ItemOutcome =
  | { status: "stored"; messageId: string; conversationId: string }
  | { status: "duplicate"; messageId?: string }
  | { status: "dead_letter"; deadLetterId: number; reason: string }
  /** An edit or deletion, recorded; `messageId` is null while the message it changes has not arrived. */
  | { status: "changed"; change: "edit" | "delete"; messageId: string | null }
  /** Knowingly not a message (a like, a follow…): the raw event is kept, marked ignored, with why. */
  | { status: "ignored"; reason: string };

export interface IngestSummary {
  /** New messages stored. */
  messages: number;
  /** Payloads whose message was already stored (same channel + external id). */
  duplicates: number;
  /** New conversations created. */
  conversations: number;
  /** New people created. */
  people: number;
  deadLetters: number;
  /** Edits and deletions recorded (not counting ones already known). */
  changes: number;
  /** Payloads that are not messages (likes, follows…), kept raw and marked ignored. */
  ignored: number;
  /** One outcome per input item, in input order. */
  outcomes: ItemOutcome[];
}

export function emptySummary(): IngestSummary {
  return {
    messages: 0,
    duplicates: 0,
    conversations: 0,
    people: 0,
    deadLetters: 0,
    changes: 0,
    ignored: 0,
    outcomes: [],
  };
}
