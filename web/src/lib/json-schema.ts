/**
 * Set-up forms from JSON Schema (what the server derives from each connector's zod schemas): the fields
 * to draw, their starting values, the JSON to send back, and where the server's validation errors go.
 * No channel kind is known here. Pure and tested.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  title?: string;
  description?: string;
  placeholder?: string;
  default?: unknown;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
}

export type FieldKind =
  | "text"
  | "password"
  | "number"
  | "integer"
  | "boolean"
  | "enum"
  | "object"
  | "list"
  | "json";

export interface Field {
  /** Where the value lives and where errors are reported: "config.imap.port", "secrets.smtpPassword". */
  key: string;
  kind: FieldKind;
  label: string;
  description?: string;
  placeholder?: string;
  required: boolean;
  /** text: the input's type (email, url or text). */
  inputType?: "email" | "url" | "text";
  options?: string[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  default?: unknown;
  /** object: its fields. */
  fields?: Field[];
}

/** A form's values by field key: text as typed, booleans, lists of lines. */
export type FormValues = Record<string, string | boolean>;

/** "imapPassword" → "Imap password", "poll_seconds" → "Poll seconds". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The schema without a `null` alternative (nullable fields are treated as optional). */
function unwrap(schema: JsonSchema): JsonSchema {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const real = alternatives.filter((s) => s.type !== "null");
    if (real.length === 1) return { ...real[0], ...withoutAlternatives(schema) };
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== "null");
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  return schema;
}

function withoutAlternatives(schema: JsonSchema): JsonSchema {
  const { anyOf: _a, oneOf: _o, ...rest } = schema;
  return rest;
}

function kindOf(schema: JsonSchema, secret: boolean): FieldKind {
  if (schema.enum?.every((v) => typeof v === "string")) return "enum";
  switch (schema.type) {
    case "string":
      return secret ? "password" : "text";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "object":
      return schema.properties ? "object" : "json";
    case "array":
      return unwrap(schema.items ?? {}).type === "string" ? "list" : "json";
    default:
      return "json";
  }
}

/** The fields of an object schema, under `prefix` ("config" or "secrets"); every secret is a password. */
export function fieldsOf(schema: JsonSchema, prefix: string, options: { secret?: boolean } = {}): Field[] {
  const root = unwrap(schema);
  const required = new Set(root.required ?? []);
  return Object.entries(root.properties ?? {}).map(([name, raw]) => {
    const s = unwrap(raw);
    const key = `${prefix}.${name}`;
    const kind = kindOf(s, options.secret === true);
    const nullable = raw !== s && (raw.anyOf !== undefined || Array.isArray(raw.type));
    const field: Field = {
      key,
      kind,
      label: s.title ?? humanize(name),
      // A field with a default may be left empty: the server fills it in.
      required: required.has(name) && !nullable && s.default === undefined,
    };
    if (s.description) field.description = s.description;
    if (s.placeholder !== undefined) field.placeholder = String(s.placeholder);
    if (s.default !== undefined) field.default = s.default;
    if (kind === "text")
      field.inputType = s.format === "email" ? "email" : s.format === "uri" ? "url" : "text";
    if (kind === "enum") field.options = s.enum as string[];
    const min = s.minimum ?? s.exclusiveMinimum;
    const max = s.maximum ?? s.exclusiveMaximum;
    if (min !== undefined && Number.isSafeInteger(min)) field.min = min;
    if (max !== undefined && Number.isSafeInteger(max)) field.max = max;
    if (s.minLength !== undefined) field.minLength = s.minLength;
    if (s.maxLength !== undefined) field.maxLength = s.maxLength;
    if (kind === "object") field.fields = fieldsOf(s, key, options);
    return field;
  });
}

function valueAt(data: unknown, key: string): unknown {
  let current = data;
  for (const part of key.split(".").slice(1)) {
    if (!current || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function asFormValue(field: Field, value: unknown): string | boolean {
  if (field.kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (field.kind === "list") return Array.isArray(value) ? value.map(String).join("\n") : "";
  if (field.kind === "json") return JSON.stringify(value, null, 2);
  return String(value);
}

/** Starting values: from `data` (a stored config) when given, else each field's default. */
export function initialValues(fields: Field[], data?: unknown): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    if (field.kind === "object") {
      Object.assign(values, initialValues(field.fields ?? [], data));
      continue;
    }
    // Secrets never come back: their fields start empty.
    if (field.kind === "password") values[field.key] = "";
    else
      values[field.key] = asFormValue(field, data === undefined ? field.default : valueAt(data, field.key));
  }
  return values;
}

export interface PayloadResult {
  value: Record<string, unknown>;
  /** Errors found before asking the server (only what the browser cannot send at all). */
  errors: Record<string, string>;
}

/**
 * The JSON to send for these fields: empty optional values are left out, numbers are numbers (anything
 * else is sent as typed, so the server names the problem), lists drop empty lines.
 */
export function toPayload(fields: Field[], values: FormValues): PayloadResult {
  const errors: Record<string, string> = {};
  const build = (list: Field[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const field of list) {
      const name = field.key.split(".").at(-1)!;
      const raw = values[field.key];
      if (field.kind === "object") {
        const inner = build(field.fields ?? []);
        if (field.required || Object.keys(inner).length > 0) out[name] = inner;
        continue;
      }
      if (field.kind === "boolean") {
        out[name] = raw === true;
        continue;
      }
      const text = typeof raw === "string" ? raw : "";
      if (text.trim() === "") {
        if (field.required && field.kind !== "password") out[name] = field.kind === "list" ? [] : text;
        continue;
      }
      if (field.kind === "number" || field.kind === "integer") {
        const n = Number(text.trim());
        out[name] = Number.isFinite(n) ? n : text;
      } else if (field.kind === "list") {
        out[name] = text
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean);
      } else if (field.kind === "json") {
        try {
          out[name] = JSON.parse(text);
        } catch {
          errors[field.key] = "is not valid JSON";
        }
      } else {
        out[name] = text;
      }
    }
    return out;
  };
  return { value: build(fields), errors };
}

/** Every field key, depth first (to find where an error belongs). */
export function allKeys(fields: Field[]): string[] {
  return fields.flatMap((f) => [f.key, ...allKeys(f.fields ?? [])]);
}

export interface ServerIssue {
  field: string;
  message: string;
}

/**
 * Sorts the server's validation issues into those beside a field (by key; "body.name" is "name") and the
 * rest, shown above the form.
 */
export function placeIssues(
  issues: ServerIssue[],
  keys: string[],
): { byField: Record<string, string>; other: string[] } {
  const known = new Set(keys);
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const issue of issues) {
    const key = issue.field.replace(/^body\./, "");
    if (known.has(key)) byField[key] = byField[key] ? `${byField[key]}; ${issue.message}` : issue.message;
    else other.push(`${key}: ${issue.message}`);
  }
  return { byField, other };
}
