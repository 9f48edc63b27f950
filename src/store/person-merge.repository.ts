/**
 * Merging two records of one person (and undoing it). A merge moves the identities and conversations
 * of one person to the other and remembers exactly what moved (in the audit event), so undo can move
 * back precisely those.
 */
import { sql } from "drizzle-orm";
import type { Db } from "./db.ts";

const json = (value: unknown) => JSON.stringify(value);

export interface MergeRecord {
  id: string;
  keptPersonId: string;
  mergedPersonId: string;
  identityIds: string[];
  conversationIds: string[];
  undone: boolean;
}

export interface MergeSuggestion {
  reason: "same email" | "same handle" | "same name";
  value: string;
  personIds: string[];
}

export function personMergeRepository(db: Db) {
  const rows = async <T>(query: ReturnType<typeof sql>): Promise<T[]> =>
    ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  return {
    /** Both people, locked, if both exist and neither was merged away. */
    async lockPair(a: string, b: string): Promise<Array<{ id: string; merged_into_id: string | null }>> {
      return rows(sql`SELECT id, merged_into_id FROM people WHERE id IN (${a}, ${b}) ORDER BY id FOR UPDATE`);
    },

    async move(keep: string, merge: string): Promise<{ identityIds: string[]; conversationIds: string[] }> {
      const identities = await rows<{ id: string }>(
        sql`UPDATE identities SET person_id = ${keep}, updated_at = now() WHERE person_id = ${merge} RETURNING id`,
      );
      const conversations = await rows<{ id: string }>(
        sql`UPDATE conversations SET person_id = ${keep}, updated_at = now() WHERE person_id = ${merge} RETURNING id`,
      );
      await db.execute(
        sql`UPDATE people SET merged_into_id = ${keep}, updated_at = now() WHERE id = ${merge}`,
      );
      return { identityIds: identities.map((r) => r.id), conversationIds: conversations.map((r) => r.id) };
    },

    async moveBack(record: MergeRecord): Promise<void> {
      await db.execute(sql`
        UPDATE identities SET person_id = ${record.mergedPersonId}, updated_at = now()
        WHERE person_id = ${record.keptPersonId}
          AND id IN (SELECT value::uuid FROM json_array_elements_text(${json(record.identityIds)}::json))`);
      await db.execute(sql`
        UPDATE conversations SET person_id = ${record.mergedPersonId}, updated_at = now()
        WHERE person_id = ${record.keptPersonId}
          AND id IN (SELECT value::uuid FROM json_array_elements_text(${json(record.conversationIds)}::json))`);
      await db.execute(
        sql`UPDATE people SET merged_into_id = NULL, updated_at = now() WHERE id = ${record.mergedPersonId}`,
      );
    },

    async record(
      actor: { kind: string; id: string | null },
      merge: Omit<MergeRecord, "id" | "undone">,
    ): Promise<string> {
      const [row] = await rows<{ id: string }>(sql`
        INSERT INTO audit_events (actor_kind, actor_id, action, subject_type, subject_id, data)
        VALUES (${actor.kind}, ${actor.id}, 'person.merged', 'person', ${merge.keptPersonId}, ${json(merge)}::jsonb)
        RETURNING id::text`);
      return row!.id;
    },

    async find(mergeId: string): Promise<MergeRecord | undefined> {
      const [row] = await rows<{ id: string; data: Omit<MergeRecord, "id" | "undone">; undone: boolean }>(sql`
        SELECT e.id::text, e.data, EXISTS (
          SELECT 1 FROM audit_events u WHERE u.action = 'person.merge_undone' AND u.data->>'mergeId' = e.id::text
        ) AS undone
        FROM audit_events e WHERE e.action = 'person.merged' AND e.id = ${mergeId}::bigint FOR UPDATE OF e`);
      return row ? { id: row.id, ...row.data, undone: row.undone } : undefined;
    },

    async recordUndo(actor: { kind: string; id: string | null }, record: MergeRecord): Promise<void> {
      await db.execute(sql`
        INSERT INTO audit_events (actor_kind, actor_id, action, subject_type, subject_id, data)
        VALUES (${actor.kind}, ${actor.id}, 'person.merge_undone', 'person', ${record.mergedPersonId},
          ${json({ mergeId: record.id, keptPersonId: record.keptPersonId })}::jsonb)`);
    },

    /**
     * People who are probably one person: the same handle or email address on two records (across
     * platforms), or the same full name. Only people not merged away; optionally only pairs with one person.
     */
    async suggestions(personId: string | null, limit: number): Promise<MergeSuggestion[]> {
      const found = await rows<{
        reason: MergeSuggestion["reason"];
        value: string;
        person_ids: string[];
      }>(sql`
        WITH handles AS (
          SELECT i.person_id, lower(COALESCE(NULLIF(i.handle, ''), i.external_id)) AS value,
            (COALESCE(NULLIF(i.handle, ''), i.external_id) LIKE '%@%.%') AS is_email
          FROM identities i JOIN people p ON p.id = i.person_id
          WHERE p.merged_into_id IS NULL
            AND (length(i.handle) >= 3 OR i.external_id LIKE '%@%.%')),
        by_handle AS (
          SELECT CASE WHEN bool_or(is_email) THEN 'same email' ELSE 'same handle' END AS reason, value,
            array_agg(DISTINCT person_id::text) AS person_ids
          FROM handles GROUP BY value HAVING count(DISTINCT person_id) > 1),
        by_name AS (
          SELECT 'same name' AS reason, lower(display_name) AS value, array_agg(id::text ORDER BY created_at) AS person_ids
          FROM people WHERE merged_into_id IS NULL AND display_name LIKE '% %'
          GROUP BY lower(display_name) HAVING count(*) > 1)
        SELECT reason, value, person_ids FROM (
          SELECT * FROM by_handle UNION ALL SELECT * FROM by_name) s
        WHERE ${personId}::text IS NULL OR ${personId}::text = ANY(person_ids)
        ORDER BY reason, value LIMIT ${limit}`);
      return found.map((r) => ({ reason: r.reason, value: r.value, personIds: r.person_ids }));
    },
  };
}
