/** Parts of Settings → Webhooks that the add form and each webhook share: the secret shown once, events. */
import type { EventType } from "../../api/webhooks";
import { showToast } from "../../lib/toast";

/** A date and time as the reader's locale writes it, or a dash. */
export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/** The secret, shown once with a copy button. */
export function SecretNotice({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <div className="webhook-secret" role="status">
      <p>
        <strong>Signing secret</strong> — copy it now: it will not be shown again.
      </p>
      <input
        className="webhook-secret-value"
        aria-label="Signing secret"
        readOnly
        value={secret}
        onFocus={(e) => e.target.select()}
      />{" "}
      <button
        type="button"
        className="button"
        onClick={() => {
          void navigator.clipboard?.writeText(secret).then(
            () => showToast("Secret copied."),
            () => showToast("Copy it by hand: the clipboard is not available.", "error"),
          );
        }}
      >
        Copy
      </button>{" "}
      <button type="button" className="link-button" onClick={onDone}>
        I have saved it
      </button>
    </div>
  );
}

/** A checkbox per event type, with its description. */
export function EventPicker({
  events,
  value,
  onChange,
  label,
}: {
  events: EventType[];
  value: string[];
  onChange: (next: string[]) => void;
  label: string;
}) {
  return (
    <fieldset className="webhook-events">
      <legend>{label}</legend>
      {events.map((e) => (
        <label key={e.type} className="checkbox" title={e.description}>
          <input
            type="checkbox"
            checked={value.includes(e.type)}
            onChange={(ev) =>
              onChange(ev.target.checked ? [...value, e.type] : value.filter((v) => v !== e.type))
            }
          />{" "}
          <code>{e.type}</code> <span className="muted small">{e.description}</span>
        </label>
      ))}
    </fieldset>
  );
}
