/** What an admin must copy after setting a channel up (a widget snippet, a webhook URL), with copy buttons. */
import { useState } from "react";
import type { SetupNote } from "../../api/channels";
import { showToast } from "../../lib/toast";

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function SetupNotes({ notes }: { notes: SetupNote[] }) {
  if (notes.length === 0) return null;
  return (
    <section className="card" aria-labelledby="setup-notes-heading">
      <h2 id="setup-notes-heading">To finish the set-up</h2>
      <ul className="setup-notes">
        {notes.map((note, i) => (
          <Note key={`${note.label}\n${note.value}`} note={note} index={i} />
        ))}
      </ul>
    </section>
  );
}

function Note({ note, index }: { note: SetupNote; index: number }) {
  const [copied, setCopied] = useState(false);
  const id = `setup-note-${index}`;
  return (
    <li>
      <span id={`${id}-label`} className="note-title">
        {note.label}
      </span>
      {note.code ? (
        <div className="code-block">
          <pre id={id}>
            <code>{note.value}</code>
          </pre>
          <button
            type="button"
            className="button"
            aria-label={`${copied ? "Copied" : "Copy"} ${note.label}`}
            onClick={async () => {
              const ok = await copy(note.value);
              setCopied(ok);
              showToast(
                ok ? "Copied." : "Copying failed: select the text and copy it.",
                ok ? "info" : "error",
              );
            }}
          >
            {copied ? "Copied" : "Copy"}
          </button>
        </div>
      ) : (
        <p>{note.value}</p>
      )}
    </li>
  );
}
