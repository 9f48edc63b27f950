/**
 * The Bluesky simulator's record store (`com.atproto.repo.*`) and the AppView's notifications: posts
 * with mention and link facets, record validation, a Jetstream event for every write and delete, and
 * mention and reply notifications for the accounts addressed.
 */
import { type JetstreamEvent, parseAtUri } from "./bluesky.inbound.ts";
import { cidOf, type Session, type SimAccounts, XrpcFailure } from "./bluesky.simulator.state.ts";

export const POST = "app.bsky.feed.post";

export interface StoredRecord {
  uri: string;
  cid: string;
  value: Record<string, unknown>;
  indexedAt: string;
}

export class SimRecords {
  private readonly records = new Map<string, StoredRecord>();
  private readonly notifications = new Map<string, Array<Record<string, unknown>>>();

  constructor(
    private readonly accounts: SimAccounts,
    private readonly emit: (event: JetstreamEvent) => void,
  ) {}

  get(uri: string): StoredRecord | undefined {
    return this.records.get(uri);
  }

  /** `author` (a DID) posts `text`, with facets for `@handles` and links, answering `replyTo` if given. */
  post(
    author: string,
    text: string,
    options: { replyTo?: string; createdAt?: string; embed?: Record<string, unknown> },
  ) {
    const record: Record<string, unknown> = {
      $type: POST,
      text,
      createdAt: options.createdAt ?? new Date().toISOString(),
      langs: ["en"],
    };
    if (options.embed) record.embed = options.embed;
    const facets = this.facetsOf(text);
    if (facets.length) record.facets = facets;
    if (options.replyTo) {
      const parent = this.records.get(options.replyTo);
      if (!parent) throw new Error(`no post ${options.replyTo}`);
      const root = (parent.value.reply as { root?: unknown } | undefined)?.root ?? {
        uri: parent.uri,
        cid: parent.cid,
      };
      record.reply = { root, parent: { uri: parent.uri, cid: parent.cid } };
    }
    return this.write(author, POST, record);
  }

  /** Deletes a record (a Jetstream delete event follows). */
  delete(uri: string): void {
    const parts = parseAtUri(uri);
    if (!parts || !this.records.delete(uri)) throw new Error(`no post ${uri}`);
    this.emit({
      did: parts.did,
      time_us: this.accounts.clock.now(),
      kind: "commit",
      commit: {
        rev: this.accounts.clock.rev(),
        operation: "delete",
        collection: parts.collection,
        rkey: parts.rkey,
      },
    });
  }

  // ── XRPC ────────────────────────────────────────────────────────────────────────────────────────
  getRecord(q: URLSearchParams) {
    const uri = `at://${q.get("repo")}/${q.get("collection")}/${q.get("rkey")}`;
    const found = this.records.get(uri);
    if (!found) throw new XrpcFailure(400, "RecordNotFound", `Could not locate record: ${uri}`);
    return { uri: found.uri, cid: found.cid, value: found.value };
  }

  createRecord(session: Session, body: Record<string, unknown>) {
    const input = body as {
      repo?: string;
      collection?: string;
      rkey?: string;
      record?: Record<string, unknown>;
    };
    if (input.repo !== session.did && input.repo !== this.accounts.get(session.did)?.handle)
      throw new XrpcFailure(400, "InvalidRequest", "Repo does not match the session");
    const record = input.record ?? {};
    if (input.collection === POST) validatePost(record);
    const written = this.write(session.did, input.collection ?? "", record, input.rkey);
    return {
      ...written,
      commit: { cid: cidOf(written), rev: this.accounts.clock.rev() },
      validationStatus: "valid",
    };
  }

  deleteRecord(session: Session, body: Record<string, unknown>) {
    const input = body as { collection?: string; rkey?: string };
    this.delete(`at://${session.did}/${input.collection}/${input.rkey}`);
    return {};
  }

  listNotifications(session: Session, q: URLSearchParams) {
    const reasons = q.getAll("reasons");
    const limit = Math.min(100, Number(q.get("limit") ?? 50));
    const all = (this.notifications.get(session.did) ?? []).filter(
      (n) => reasons.length === 0 || reasons.includes(n.reason as string),
    );
    const start = Number(q.get("cursor") ?? 0);
    const page = all.slice(start, start + limit);
    return {
      notifications: page,
      ...(start + limit < all.length ? { cursor: String(start + limit) } : {}),
    };
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────
  private facetsOf(text: string): unknown[] {
    const facets: unknown[] = [];
    const bytes = (s: string) => Buffer.byteLength(s, "utf8");
    for (const m of text.matchAll(/(^|\s)(@([a-z0-9.-]+[a-z0-9]))/gi)) {
      const target = this.accounts.all().find((a) => a.handle === m[3]!.toLowerCase());
      if (!target) continue;
      const start = bytes(text.slice(0, m.index + m[1]!.length));
      facets.push({
        index: { byteStart: start, byteEnd: start + bytes(m[2]!) },
        features: [{ $type: "app.bsky.richtext.facet#mention", did: target.did }],
      });
    }
    for (const m of text.matchAll(/https?:\/\/[^\s]+[^\s.,!?)]/g)) {
      const start = bytes(text.slice(0, m.index));
      facets.push({
        index: { byteStart: start, byteEnd: start + bytes(m[0]) },
        features: [{ $type: "app.bsky.richtext.facet#link", uri: m[0] }],
      });
    }
    return facets;
  }

  private write(did: string, collection: string, value: Record<string, unknown>, rkey?: string) {
    const key = rkey ?? this.accounts.clock.rev();
    const uri = `at://${did}/${collection}/${key}`;
    if (this.records.has(uri)) throw new XrpcFailure(400, "InvalidRequest", `Record already exists: ${uri}`);
    const cid = cidOf({ uri, value });
    this.records.set(uri, { uri, cid, value, indexedAt: new Date().toISOString() });
    this.emit({
      did,
      time_us: this.accounts.clock.now(),
      kind: "commit",
      commit: {
        rev: this.accounts.clock.rev(),
        operation: "create",
        collection,
        rkey: key,
        record: value,
        cid,
      },
    });
    if (collection === POST) this.notify(did, uri, cid, value);
    return { uri, cid };
  }

  /** Notifies mentioned accounts (mention) and the authors of the parent post (reply). */
  private notify(authorDid: string, uri: string, cid: string, record: Record<string, unknown>): void {
    const author = this.accounts.get(authorDid);
    if (!author) return;
    const reasons = new Map<string, string>();
    const parent = (record.reply as { parent?: { uri: string } } | undefined)?.parent?.uri;
    const parentDid = parent ? parseAtUri(parent)?.did : undefined;
    if (parentDid && parentDid !== authorDid) reasons.set(parentDid, "reply");
    for (const f of (record.facets as Array<{ features: Array<{ $type: string; did?: string }> }>) ?? []) {
      for (const feature of f.features) {
        if (
          feature.$type.endsWith("#mention") &&
          feature.did &&
          feature.did !== authorDid &&
          !reasons.has(feature.did)
        )
          reasons.set(feature.did, "mention");
      }
    }
    for (const [did, reason] of reasons) {
      const list = this.notifications.get(did) ?? [];
      list.unshift({
        uri,
        cid,
        author: { did: author.did, handle: author.handle, displayName: author.displayName, labels: [] },
        reason,
        ...(reason === "reply" ? { reasonSubject: parent } : {}),
        record,
        isRead: false,
        indexedAt: new Date().toISOString(),
        labels: [],
      });
      this.notifications.set(did, list);
    }
  }
}

/** The lexicon checks the PDS makes on a post that the connector could get wrong. */
function validatePost(record: Record<string, unknown>): void {
  const text = record.text;
  if (typeof text !== "string")
    throw new XrpcFailure(
      400,
      "InvalidRequest",
      "Invalid app.bsky.feed.post record: Record/text must be a string",
    );
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].length;
  if (graphemes > 300)
    throw new XrpcFailure(
      400,
      "InvalidRequest",
      "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
    );
  const reply = record.reply as { parent?: { uri: string }; root?: { uri: string } } | undefined;
  if (reply && (!reply.parent || !reply.root))
    throw new XrpcFailure(
      400,
      "InvalidRequest",
      'Invalid app.bsky.feed.post record: Record/reply must have the properties "root" and "parent"',
    );
}
