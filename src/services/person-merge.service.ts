/** Merging two records of one person, undoing a merge, and suggesting merges. */
import { AppError, notFound } from "../core/errors.ts";
import type { Database } from "../store/db.ts";
import {
  type MergeRecord,
  type MergeSuggestion,
  personMergeRepository,
} from "../store/person-merge.repository.ts";
import type { Actor } from "./lifecycle.service.ts";

export class PersonMergeService {
  constructor(private readonly database: Database) {}

  /** Moves `mergeId`'s identities and conversations to `keepId`; returns what moved (for undo). */
  async merge(keepId: string, mergeId: string, actor: Actor): Promise<MergeRecord> {
    if (keepId === mergeId)
      throw new AppError("bad_request", "body.personId: a person cannot be merged with themselves");
    return this.database.db.transaction(async (tx) => {
      const repo = personMergeRepository(tx);
      const pair = await repo.lockPair(keepId, mergeId);
      const keep = pair.find((p) => p.id === keepId);
      const merge = pair.find((p) => p.id === mergeId);
      if (!keep) throw notFound("The person");
      if (!merge) throw new AppError("bad_request", `body.personId: no person ${mergeId}`);
      if (keep.merged_into_id || merge.merged_into_id) {
        throw new AppError("conflict", "One of these people was already merged into someone else.");
      }
      const moved = await repo.move(keepId, mergeId);
      const record = { keptPersonId: keepId, mergedPersonId: mergeId, ...moved };
      const id = await repo.record(actor, record);
      return { id, ...record, undone: false };
    });
  }

  /** Moves back exactly what the merge moved. */
  async undo(mergeId: string, actor: Actor): Promise<MergeRecord> {
    if (!/^\d+$/.test(mergeId))
      throw new AppError("bad_request", "params.mergeId: must be a merge id (a number)");
    return this.database.db.transaction(async (tx) => {
      const repo = personMergeRepository(tx);
      const record = await repo.find(mergeId);
      if (!record) throw notFound("The merge");
      if (record.undone) throw new AppError("conflict", "This merge was already undone.");
      await repo.moveBack(record);
      await repo.recordUndo(actor, record);
      return { ...record, undone: true };
    });
  }

  suggestions(personId: string | null, limit = 50): Promise<MergeSuggestion[]> {
    return personMergeRepository(this.database.db).suggestions(personId, limit);
  }
}
