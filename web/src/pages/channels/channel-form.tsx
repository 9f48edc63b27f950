/**
 * The set-up form of any channel kind, drawn from its JSON Schemas: a name, the config, the secrets.
 * Creating sends everything; editing sends the name, the whole config, and only the secrets typed (the
 * others are kept). The server validates; its errors appear beside their fields and above the form.
 */
import { type FormEvent, useMemo, useRef, useState } from "react";
import type { ChannelKind, ChannelSettings } from "../../api/channels";
import { ApiError } from "../../api/client";
import { SchemaFields } from "../../components/schema-form";
import {
  allKeys,
  type Field,
  type FormValues,
  fieldsOf,
  initialValues,
  placeIssues,
  type ServerIssue,
  toPayload,
} from "../../lib/json-schema";

export interface ChannelFormPayload {
  name: string;
  config: Record<string, unknown>;
  secrets: Record<string, string>;
}

export function ChannelForm({
  kind,
  channel,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  kind: ChannelKind;
  /** Editing this channel (else creating one). */
  channel?: ChannelSettings;
  submitLabel: string;
  onSubmit: (payload: ChannelFormPayload) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const configFields = useMemo(() => fieldsOf(kind.config, "config"), [kind]);
  const secretFields = useMemo(() => {
    const fields = fieldsOf(kind.secrets, "secrets", { secret: true });
    // A secret that is set may be left empty when editing: it is kept.
    return channel
      ? fields.map(
          (f): Field => ({ ...f, required: f.required && !channel.secretsSet.includes(lastPart(f.key)) }),
        )
      : fields;
  }, [kind, channel]);
  const [name, setName] = useState(channel?.name ?? "");
  const [values, setValues] = useState<FormValues>(() => ({
    ...initialValues(configFields, channel?.config),
    ...initialValues(secretFields),
  }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [other, setOther] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const summary = useRef<HTMLDivElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const config = toPayload(configFields, values);
    const secrets = toPayload(secretFields, values);
    const local = { ...config.errors, ...secrets.errors };
    if (Object.keys(local).length > 0) {
      setErrors(local);
      setOther([]);
      return;
    }
    setBusy(true);
    try {
      await onSubmit({
        name: name.trim(),
        config: config.value,
        secrets: secrets.value as Record<string, string>,
      });
      setErrors({});
      setOther([]);
    } catch (error) {
      const issues = (error instanceof ApiError &&
        (error.details as { issues?: ServerIssue[] } | undefined)?.issues) || [
        { field: "", message: error instanceof Error ? error.message : String(error) },
      ];
      const placed = placeIssues(issues, ["name", ...allKeys(configFields), ...allKeys(secretFields)]);
      setErrors(placed.byField);
      setOther(placed.other.map((o) => o.replace(/^: /, "")));
      // Say so where focus goes: the summary, then each field says what is wrong.
      setTimeout(() => summary.current?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  const errorCount = Object.keys(errors).length + other.length;
  return (
    <form className="channel-form" onSubmit={submit} noValidate aria-label={`${kind.label} settings`}>
      <div ref={summary} tabIndex={-1} role={errorCount ? "alert" : undefined} className="form-errors-anchor">
        {errorCount > 0 && (
          <div className="form-errors">
            <p>
              {errorCount === 1 ? "One thing needs fixing" : `${errorCount} things need fixing`} before this
              can be saved.
            </p>
            {other.length > 0 && (
              <ul>
                {other.map((o) => (
                  <li key={o}>{o}</li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      <p className="hint">
        Fields marked <span aria-hidden="true">*</span>
        <span className="visually-hidden">with an asterisk</span> are required.
      </p>
      <div className="field">
        <label htmlFor="field-name">
          <span>
            Name<span aria-hidden="true"> *</span>
          </span>
        </label>
        <input
          id="field-name"
          aria-required
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={`field-name-hint${errors.name ? " field-name-error" : ""}`}
          value={name}
          placeholder="Northwind care"
          maxLength={200}
          onChange={(e) => setName(e.target.value)}
        />
        <span className="hint" id="field-name-hint">
          What agents see in the queue and the filters.
        </span>
        {errors.name && (
          <span className="field-error" id="field-name-error">
            {errors.name}
          </span>
        )}
      </div>
      <SchemaFields
        fields={configFields}
        values={values}
        errors={errors}
        onChange={(key, value) => setValues((v) => ({ ...v, [key]: value }))}
        disabled={busy}
      />
      {secretFields.length > 0 && (
        <fieldset className="schema-group secrets">
          <legend>Secrets</legend>
          <span className="hint">
            Encrypted at rest and never shown again.
            {channel ? " Leave a field empty to keep what is set." : ""}
          </span>
          <SchemaFields
            fields={secretFields}
            values={values}
            errors={errors}
            onChange={(key, value) => setValues((v) => ({ ...v, [key]: value }))}
            disabled={busy}
            {...(channel ? { secretsSet: channel.secretsSet } : {})}
          />
        </fieldset>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Saving…" : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

const lastPart = (key: string) => key.split(".").at(-1)!;
