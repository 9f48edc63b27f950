/** A conversation's labels: remove one with ×, add one (existing labels are suggested). */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, post } from "../api/client";

export function LabelsEditor({ conversationId, labels }: { conversationId: string; labels: string[] }) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const known = useQuery({
    queryKey: ["labels"],
    queryFn: () => api<{ items: Array<{ name: string }> }>("/api/labels"),
    select: (data) => data.items.map((l) => l.name),
    staleTime: 60_000,
  });
  const refresh = () => {
    for (const key of [["conversation", conversationId], ["list"], ["labels"]])
      void client.invalidateQueries({ queryKey: key });
  };
  const add = useMutation({
    mutationFn: (label: string) => post(`/api/conversations/${conversationId}/labels`, { name: label }),
    onSuccess: () => {
      setName("");
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (label: string) =>
      api(`/api/conversations/${conversationId}/labels/${encodeURIComponent(label)}`, { method: "DELETE" }),
    onSuccess: refresh,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) add.mutate(name.trim());
  };
  const listId = `labels-${conversationId}`;
  return (
    <span className="labels-editor">
      {labels.map((l) => (
        <span key={l} className="chip chip-label">
          {l}
          <button
            type="button"
            className="chip-remove"
            aria-label={`Remove label ${l}`}
            onClick={() => remove.mutate(l)}
          >
            ×
          </button>
        </span>
      ))}
      <form onSubmit={submit} className="label-add">
        <input
          aria-label="Add a label"
          placeholder="+ label"
          list={listId}
          value={name}
          maxLength={50}
          onChange={(e) => setName(e.target.value)}
        />
        <datalist id={listId}>
          {(known.data ?? [])
            .filter((l) => !labels.includes(l))
            .map((l) => (
              <option key={l} value={l} />
            ))}
        </datalist>
      </form>
    </span>
  );
}
