/**
 * Small factories that insert rows directly with drizzle, for tests that need data without running the
 * ingest pipeline. Every builder takes overrides; unique fields get fresh values by default.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../../src/store/db.ts";
import {
  agents,
  channels,
  conversationLabels,
  conversations,
  identities,
  labels,
  messages,
  people,
} from "../../src/store/schema.ts";

let sequence = 0;
const next = () => ++sequence;

export async function buildChannel(db: Db, overrides: Partial<typeof channels.$inferInsert> = {}) {
  const n = next();
  const [row] = await db
    .insert(channels)
    .values({ key: `channel-${n}`, kind: "import", platform: "import", name: `Channel ${n}`, ...overrides })
    .returning();
  return row!;
}

export async function buildPerson(db: Db, overrides: Partial<typeof people.$inferInsert> = {}) {
  const [row] = await db
    .insert(people)
    .values({ displayName: `Person ${next()}`, ...overrides })
    .returning();
  return row!;
}

export async function buildIdentity(
  db: Db,
  overrides: Partial<typeof identities.$inferInsert> & { personId: string },
) {
  const n = next();
  const [row] = await db
    .insert(identities)
    .values({ platform: "x", externalId: `ext-${n}`, handle: `handle${n}`, ...overrides })
    .returning();
  return row!;
}

export async function buildAgent(db: Db, overrides: Partial<typeof agents.$inferInsert> = {}) {
  const n = next();
  const [row] = await db
    .insert(agents)
    .values({ name: `Agent ${n}`, email: `agent${n}@example.com`, ...overrides })
    .returning();
  return row!;
}

export async function buildConversation(
  db: Db,
  overrides: Partial<typeof conversations.$inferInsert> & { channelId: string },
) {
  const [row] = await db
    .insert(conversations)
    .values({ threadKey: `thread-${next()}`, lastMessageAt: new Date(), ...overrides })
    .returning();
  return row!;
}

export async function buildMessage(
  db: Db,
  overrides: Partial<typeof messages.$inferInsert> & { conversationId: string; channelId: string },
) {
  const [row] = await db
    .insert(messages)
    .values({
      externalId: `msg-${next()}-${randomUUID()}`,
      direction: "in",
      text: "Hello there",
      createdAt: new Date(),
      ...overrides,
    })
    .returning();
  return row!;
}

/** Attaches a label (created when missing) to a conversation. */
export async function labelConversation(db: Db, conversationId: string, name: string) {
  const [label] = await db
    .insert(labels)
    .values({ name })
    .onConflictDoUpdate({ target: labels.name, set: { name } })
    .returning();
  await db.insert(conversationLabels).values({ conversationId, labelId: label!.id });
  return label!;
}
