/** "Possibly the same person": suggested merges for one person, merging, and undoing a merge. */
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "wouter";
import { api, post } from "../api/client";
import type { MergeSuggestion, PersonDetail, PersonMerge } from "../api/types";
import { showToast } from "../lib/toast";

export function MergeSuggestions({ personId }: { personId: string }) {
  const client = useQueryClient();
  const [lastMerge, setLastMerge] = useState<{ merge: PersonMerge; name: string } | null>(null);
  const suggestions = useQuery({
    queryKey: ["merge-suggestions", personId],
    queryFn: ({ signal }) =>
      api<{ items: MergeSuggestion[] }>(`/api/people/merge-suggestions?person=${personId}`, { signal }),
    select: (data) => data.items,
  });
  const others = [
    ...new Set((suggestions.data ?? []).flatMap((s) => s.personIds).filter((id) => id !== personId)),
  ];
  const people = useQueries({
    queries: others.map((id) => ({
      queryKey: ["person", id],
      queryFn: () => api<PersonDetail>(`/api/people/${id}`),
    })),
  });
  const refresh = () => {
    for (const key of [["person"], ["merge-suggestions"], ["list"], ["conversation"]]) {
      void client.invalidateQueries({ queryKey: key });
    }
  };
  const merge = useMutation({
    mutationFn: (other: { id: string; name: string }) =>
      post<PersonMerge>(`/api/people/${personId}/merge`, { personId: other.id }).then((merge) => ({
        merge,
        name: other.name,
      })),
    onSuccess: (result) => {
      setLastMerge(result);
      refresh();
      showToast(`Merged ${result.name} into this person.`);
    },
  });
  const undo = useMutation({
    mutationFn: (mergeId: string) => post<PersonMerge>(`/api/people/merges/${mergeId}/undo`),
    onSuccess: () => {
      setLastMerge(null);
      refresh();
      showToast("Merge undone.");
    },
  });

  const reasonsFor = (id: string) =>
    (suggestions.data ?? []).filter((s) => s.personIds.includes(id)).map((s) => `${s.reason}: ${s.value}`);

  if (!lastMerge && others.length === 0) return null;
  return (
    <section className="merge-suggestions" aria-label="Possibly the same person">
      <h3>Possibly the same person</h3>
      {lastMerge && (
        <p className="merged-note">
          Merged {lastMerge.name} ({lastMerge.merge.identityIds.length} identities,{" "}
          {lastMerge.merge.conversationIds.length} conversations).{" "}
          <button
            type="button"
            className="link-button"
            onClick={() => undo.mutate(lastMerge.merge.id)}
            disabled={undo.isPending}
          >
            Undo merge
          </button>
        </p>
      )}
      <ul>
        {others.map((id, i) => {
          const other = people[i]?.data;
          const name = other?.displayName ?? "Unknown person";
          return (
            <li key={id}>
              <Link href={`/people/${id}`}>{name}</Link>{" "}
              {other && (
                <span className="muted">
                  {other.identities.map((x) => `${x.platform} ${x.handle ?? x.externalId}`).join(", ")} ·{" "}
                </span>
              )}
              <span className="muted">{reasonsFor(id).join("; ")}</span>{" "}
              <button type="button" onClick={() => merge.mutate({ id, name })} disabled={merge.isPending}>
                Merge into this person
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
