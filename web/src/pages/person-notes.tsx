/** A person's notes and tags, editable in place. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../api/client";
import { showToast } from "../lib/toast";

export function PersonNotes({
  personId,
  notes,
  tags,
}: {
  personId: string;
  notes: string | null;
  tags: string[];
}) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ notes: notes ?? "", tags: tags.join(", ") });
  const save = useMutation({
    mutationFn: () =>
      api(`/api/people/${personId}`, {
        method: "PATCH",
        body: {
          notes: form.notes.trim() || null,
          tags: form.tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean),
        },
      }),
    onSuccess: () => {
      setEditing(false);
      void client.invalidateQueries({ queryKey: ["person", personId] });
      showToast("Notes saved.");
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  if (!editing) {
    return (
      <div className="person-notes-block">
        {tags.length > 0 && (
          <p className="chips">
            {tags.map((t) => (
              <span key={t} className="chip chip-label">
                {t}
              </span>
            ))}
          </p>
        )}
        {notes ? <p className="person-notes">{notes}</p> : <p className="muted">No notes yet.</p>}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            setForm({ notes: notes ?? "", tags: tags.join(", ") });
            setEditing(true);
          }}
        >
          Edit notes and tags
        </button>
      </div>
    );
  }
  return (
    <form className="stack-form" onSubmit={submit}>
      <label className="field">
        <span>Notes</span>
        <textarea value={form.notes} onChange={(e) => setForm({ ...form, notes: e.target.value })} />
      </label>
      <label className="field">
        <span>Tags (comma-separated)</span>
        <input value={form.tags} onChange={(e) => setForm({ ...form, tags: e.target.value })} />
      </label>
      <span>
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save notes
        </button>{" "}
        <button type="button" className="button" onClick={() => setEditing(false)}>
          Cancel
        </button>
      </span>
    </form>
  );
}
