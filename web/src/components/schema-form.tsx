/**
 * Draws form fields from lib/json-schema's field list: text, password (every secret), number, checkbox,
 * select, nested groups, lists (one per line) and JSON for anything else. Each control has a label, its
 * description as a hint, a required marker, and the server's error beside it (aria-invalid, described).
 */
import type { Field, FormValues } from "../lib/json-schema";

export interface SchemaFieldsProps {
  fields: Field[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (key: string, value: string | boolean) => void;
  /** Editing a channel: the secrets that are already set (left empty, they are kept). */
  secretsSet?: string[];
  disabled?: boolean;
}

const idOf = (key: string) => `field-${key.replaceAll(".", "-")}`;

export function SchemaFields(props: SchemaFieldsProps) {
  return (
    <>
      {props.fields.map((field) => (
        <SchemaField key={field.key} field={field} {...props} />
      ))}
    </>
  );
}

function Hints({ field, error }: { field: Field; error: string | undefined }) {
  const id = idOf(field.key);
  return (
    <>
      {field.description && (
        <span className="hint" id={`${id}-hint`}>
          {field.description}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      )}
    </>
  );
}

function Label({ field }: { field: Field }) {
  return (
    <span>
      {field.label}
      {field.required && (
        <span className="required" aria-hidden="true">
          {" "}
          *
        </span>
      )}
    </span>
  );
}

function SchemaField({ field, ...props }: SchemaFieldsProps & { field: Field }) {
  const { values, errors, onChange, disabled } = props;
  const id = idOf(field.key);
  const error = errors[field.key];
  const describedBy =
    [field.description ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") ||
    undefined;
  const common = {
    id,
    name: field.key,
    disabled,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    "aria-required": field.required || undefined,
  };
  const value = values[field.key];
  const text = typeof value === "string" ? value : "";

  if (field.kind === "object") {
    return (
      <fieldset className="schema-group" aria-describedby={describedBy}>
        <legend>
          <Label field={field} />
        </legend>
        <Hints field={field} error={error} />
        <SchemaFields {...props} fields={field.fields ?? []} />
      </fieldset>
    );
  }
  if (field.kind === "boolean") {
    return (
      <div className="field field-check">
        <label className="checkbox" htmlFor={id}>
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(e) => onChange(field.key, e.target.checked)}
          />{" "}
          {field.label}
        </label>
        <Hints field={field} error={error} />
      </div>
    );
  }

  let control: React.ReactNode;
  if (field.kind === "enum") {
    control = (
      <select {...common} value={text} onChange={(e) => onChange(field.key, e.target.value)}>
        {!field.required && <option value="">—</option>}
        {field.required && text === "" && <option value="">Choose…</option>}
        {(field.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === "list" || field.kind === "json") {
    control = (
      <textarea
        {...common}
        className={field.kind === "json" ? "mono" : undefined}
        rows={field.kind === "json" ? 5 : 3}
        placeholder={field.kind === "list" ? "One per line" : (field.placeholder ?? "{}")}
        value={text}
        onChange={(e) => onChange(field.key, e.target.value)}
      />
    );
  } else {
    const secretName = field.key.split(".").at(-1)!;
    const isSet = field.kind === "password" && props.secretsSet?.includes(secretName);
    control = (
      <input
        {...common}
        type={
          field.kind === "password"
            ? "password"
            : field.kind === "number" || field.kind === "integer"
              ? "number"
              : (field.inputType ?? "text")
        }
        inputMode={field.kind === "integer" ? "numeric" : undefined}
        step={field.kind === "integer" ? 1 : field.kind === "number" ? "any" : undefined}
        min={field.min}
        max={field.max}
        maxLength={field.maxLength}
        autoComplete={field.kind === "password" ? "new-password" : "off"}
        placeholder={isSet ? "Set — leave empty to keep it" : field.placeholder}
        value={text}
        onChange={(e) => onChange(field.key, e.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>
        <Label field={field} />
      </label>
      {control}
      <Hints field={field} error={error} />
    </div>
  );
}
