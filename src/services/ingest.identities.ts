/** Ingest step 3: people and identities for inbound authors, agents for outbound authors. */
import { uuidv7 } from "../core/uuid.ts";
import type { Db } from "../store/db.ts";
import type { IngestRepository } from "../store/ingest.repository.ts";
import { agentRef, identityKey, type Normalized } from "./ingest.model.ts";

/**
 * Finds or creates the identity (and person) of each inbound author, refreshing changed profile fields;
 * adopts identities another writer created meanwhile.
 */
export async function resolveIdentities(repo: IngestRepository, tx: Db, todo: Normalized[]) {
  const latest = new Map<string, Normalized>();
  for (const n of todo) if (n.message.direction === "in") latest.set(identityKey(n), n);
  const wanted = [...latest.values()];
  const found = await repo.identities(
    tx,
    wanted.map((n) => ({ platform: n.channel.platform, external_id: n.message.author.externalId })),
  );
  const identityOf = new Map<string, string>();
  const personOf = new Map<string, string>();
  for (const row of found) {
    identityOf.set(`${row.platform}\u0000${row.external_id}`, row.id);
    personOf.set(`${row.platform}\u0000${row.external_id}`, row.person_id);
  }
  const author = (n: Normalized) => n.message.author;
  const fields = (n: Normalized) => ({
    handle: author(n).handle ?? null,
    display_name: author(n).displayName ?? null,
    follower_count: author(n).followerCount ?? null,
    profile_url: author(n).profileUrl ?? null,
  });
  await repo.refreshIdentities(
    tx,
    wanted
      .filter((n) => identityOf.has(identityKey(n)))
      .map((n) => ({ id: identityOf.get(identityKey(n))!, ...fields(n) })),
  );
  const toCreate = wanted
    .filter((n) => !identityOf.has(identityKey(n)))
    .map((n) => ({
      id: uuidv7(),
      person_id: uuidv7(),
      platform: n.channel.platform,
      external_id: author(n).externalId,
      ...fields(n),
    }));
  const created = await repo.insertIdentities(tx, toCreate);
  for (const row of created) {
    identityOf.set(`${row.platform}\u0000${row.external_id}`, row.id);
    personOf.set(`${row.platform}\u0000${row.external_id}`, row.person_id);
  }
  if (created.length < toCreate.length) {
    // Another writer created some of these identities meanwhile: use theirs.
    const raced = toCreate.filter((r) => !identityOf.has(`${r.platform}\u0000${r.external_id}`));
    for (const row of await repo.identities(tx, raced)) {
      identityOf.set(`${row.platform}\u0000${row.external_id}`, row.id);
      personOf.set(`${row.platform}\u0000${row.external_id}`, row.person_id);
    }
  }
  return { identityOf, personOf, newPeople: created.length };
}

/** Agents for our own accounts (outbound authors): scoped external ref → agent id. */
export async function resolveAgents(
  repo: IngestRepository,
  tx: Db,
  todo: Normalized[],
): Promise<Map<string, string>> {
  const wanted = new Map<string, { external_ref: string; external_id: string; name: string }>();
  for (const n of todo) {
    if (n.message.direction !== "out") continue;
    const a = n.message.author;
    wanted.set(agentRef(n), {
      external_ref: agentRef(n),
      external_id: a.externalId,
      name: a.displayName ?? a.handle ?? a.externalId,
    });
  }
  return repo.ensureAgents(tx, [...wanted.values()]);
}
