/**
 * Threading: puts each message of a batch into a conversation (see threadMessages).
 */
import { uuidv7 } from "../core/uuid.ts";
import type { Db } from "../store/db.ts";
import type { IngestRepository } from "../store/ingest.repository.ts";
import { type ConvRef, dmKey, identityKey, key, type Normalized } from "./ingest.model.ts";

/**
 * Puts each message into a conversation. The conversation of a thread is keyed by its root's external
 * id: an explicit thread id, else the parent's conversation, else (parent not seen yet) the parent's id,
 * so a reply that arrives before its parent waits in the conversation the parent will join. When a
 * message turns out to be the missing link of such a waiting conversation, the two are merged.
 */
export async function threadMessages(
  repo: IngestRepository,
  tx: Db,
  todo: Normalized[],
  personOf: Map<string, string>,
) {
  const parentKeys = todo
    .filter((n) => !n.message.threadExternalId && n.message.inReplyToExternalId)
    .map((n) => ({ channel_id: n.channel.id, external_id: n.message.inReplyToExternalId! }));
  const parents = new Map(
    (await repo.existingMessages(tx, parentKeys)).map((p) => [
      key(p.channel_id, p.external_id),
      p.conversation_id,
    ]),
  );
  const candidateKeys = new Map<string, { channel_id: string; thread_key: string }>();
  const addCandidate = (channelId: string, threadKey: string) =>
    candidateKeys.set(key(channelId, threadKey), { channel_id: channelId, thread_key: threadKey });
  for (const n of todo) {
    const m = n.message;
    addCandidate(n.channel.id, m.externalId);
    if (m.threadExternalId) addCandidate(n.channel.id, m.threadExternalId);
    if (m.inReplyToExternalId) addCandidate(n.channel.id, m.inReplyToExternalId);
    if (m.visibility === "private") addCandidate(n.channel.id, dmKey(n));
  }
  const byKey = new Map<string, ConvRef>();
  const dbConversations = await repo.conversationsByThread(tx, [...candidateKeys.values()]);
  const parentConvIds = [...new Set(parents.values())].filter(
    (id) => !dbConversations.some((c) => c.id === id),
  );
  const byId = new Map<string, ConvRef>();
  for (const c of [...dbConversations, ...(await repo.conversationsByIds(tx, parentConvIds))]) {
    const ref: ConvRef = {
      id: c.id,
      channelId: c.channel_id,
      threadKey: c.thread_key,
      personId: c.person_id,
      isNew: false,
      visibility: "public",
      createdAt: "",
    };
    byId.set(c.id, ref);
    byKey.set(key(c.channel_id, c.thread_key), ref);
  }

  const assigned = new Map<Normalized, ConvRef>();
  const messageConv = new Map<string, ConvRef>();
  const merges = new Map<string, string>();
  const personUpdates = new Map<string, string>();
  const newConversations: ConvRef[] = [];
  const redirect = new Map<string, ConvRef>();
  const follow = (ref: ConvRef): ConvRef => {
    let current = ref;
    for (let next = redirect.get(current.id); next; next = redirect.get(current.id)) current = next;
    return current;
  };

  for (const n of todo) {
    const m = n.message;
    let conv: ConvRef | undefined;
    let threadKey: string;
    if (m.threadExternalId) threadKey = m.threadExternalId;
    else if (m.inReplyToExternalId) {
      const parentKey = key(n.channel.id, m.inReplyToExternalId);
      conv = messageConv.get(parentKey) ?? byId.get(parents.get(parentKey) ?? "");
      threadKey = m.inReplyToExternalId;
    } else if (m.visibility === "private" && m.direction === "in") threadKey = dmKey(n);
    else threadKey = m.externalId;

    conv = conv ? follow(conv) : undefined;
    if (!conv) {
      const existing = byKey.get(key(n.channel.id, threadKey));
      conv = existing ? follow(existing) : undefined;
    }
    if (!conv) {
      conv = {
        id: uuidv7(),
        channelId: n.channel.id,
        threadKey,
        personId: null,
        isNew: true,
        visibility: m.visibility,
        createdAt: m.createdAt,
        subject: m.subject ?? null,
      };
      newConversations.push(conv);
      byKey.set(key(n.channel.id, threadKey), conv);
      byId.set(conv.id, conv);
    }

    // A conversation waiting for this very message (its replies came first) joins this one.
    const waiting = byKey.get(key(n.channel.id, m.externalId));
    if (waiting && follow(waiting).id !== conv.id) {
      const from = follow(waiting);
      redirect.set(from.id, conv);
      if (from.isNew) newConversations.splice(newConversations.indexOf(from), 1);
      else merges.set(from.id, conv.id);
      if (!conv.personId && from.personId) conv.personId = from.personId;
    }

    if (m.direction === "in" && !conv.personId) {
      conv.personId = personOf.get(identityKey(n)) ?? null;
      if (!conv.isNew && conv.personId) personUpdates.set(conv.id, conv.personId);
    }
    assigned.set(n, conv);
    messageConv.set(key(n.channel.id, m.externalId), conv);
  }

  const conversationOf = {
    get: (n: Normalized) => follow(assigned.get(n)!).id,
    resolve: (id: string) => follow(byId.get(id)!).id,
    remap: (fromId: string, to: ConvRef) => {
      const from = byId.get(fromId);
      if (from) redirect.set(from.id, to);
    },
  };
  return {
    conversationOf,
    newConversations,
    merges,
    personUpdates: [...personUpdates].map(([id, person_id]) => ({ id, person_id })),
  };
}

/** New conversations that another writer created first (same channel + thread): use theirs. */
export async function adoptRacedConversations(
  repo: IngestRepository,
  tx: Db,
  created: ConvRef[],
  inserted: Set<string>,
  conversationOf: { remap(fromId: string, to: ConvRef): void },
): Promise<void> {
  const lost = created.filter((c) => !inserted.has(c.id));
  if (lost.length === 0) return;
  const theirs = await repo.conversationsByThread(
    tx,
    lost.map((c) => ({ channel_id: c.channelId, thread_key: c.threadKey })),
  );
  for (const c of lost) {
    const winner = theirs.find((t) => t.channel_id === c.channelId && t.thread_key === c.threadKey);
    if (!winner) throw new Error(`conversation ${c.threadKey} vanished during ingest`);
    conversationOf.remap(c.id, { ...c, id: winner.id, isNew: false });
  }
}
