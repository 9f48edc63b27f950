/**
 * fast-check arbitraries for HTTP requests read from the server's own OpenAPI document: for every
 * operation, path parameters drawn from the ids that exist (or any string), query parameters and JSON
 * bodies drawn from their JSON schemas. A request is either well-formed (every value fits its schema, so
 * it reaches the handler and the database) or mutated (any value may be replaced by an edge case: wrong
 * types, year 0000, 2^63, 70,000 characters, path traversal…).
 */
import fc from "fast-check";

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
};

export interface Operation {
  method: string;
  /** OpenAPI form: /api/people/{id}. */
  path: string;
  pathParams: Array<{ name: string; schema: JsonSchema }>;
  query: Array<{ name: string; schema: JsonSchema }>;
  body: JsonSchema | null;
}

export interface FuzzRequest {
  method: string;
  url: string;
  body: unknown;
}

type OpenApi = {
  paths: Record<string, Record<string, { parameters?: unknown[]; requestBody?: unknown }>>;
};

export function operationsOf(spec: unknown): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries((spec as OpenApi).paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ?? []) as Array<{ in: string; name: string; schema: JsonSchema }>;
      const body = (op.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined)
        ?.content?.["application/json"]?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map(({ name, schema }) => ({ name, schema })),
        query: params.filter((p) => p.in === "query").map(({ name, schema }) => ({ name, schema })),
        body: body ?? null,
      });
    }
  }
  return out;
}

export const edgeStrings = [
  "",
  " ",
  "0",
  "-1",
  "NaN",
  "null",
  "9".repeat(40),
  "9223372036854775808",
  "a".repeat(100_001),
  "00000000-0000-0000-0000-000000000000",
  "0000-01-01",
  "0000-01-01T00:00:00Z",
  "9999-12-31",
  "9999-12-31T23:59:59Z",
  "+275760-09-13T00:00:00.000Z",
  "2026-02-30",
  "../../etc/passwd",
  "%",
  "_",
  "\\",
  "'; DROP TABLE people; --",
  "<script>alert(1)</script>",
  "𝒜🙂",
  "\ufeff\u200b",
  "http://127.0.0.1:9/",
  "javascript:alert(1)",
];
const edgeNumbers = [0, -1, 1.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, 2 ** 63];

/** Values of the wrong shape anywhere: the mutated half of the requests. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...edgeStrings),
  fc.string(),
  fc.constantFrom(...edgeNumbers),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Values by property or parameter name where the schema alone says too little ("from" is a string). */
export type Hints = (name: string) => fc.Arbitrary<unknown> | undefined;

export function arbitraryFor(
  schema: JsonSchema | undefined,
  options: { mutate: boolean; hints: Hints; name?: string },
  depth = 0,
): fc.Arbitrary<unknown> {
  const good = wellFormed(schema, options, depth);
  return options.mutate ? fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: junk }) : good;
}

function wellFormed(
  schema: JsonSchema | undefined,
  options: { mutate: boolean; hints: Hints; name?: string },
  depth: number,
): fc.Arbitrary<unknown> {
  const hinted = options.name ? options.hints(options.name) : undefined;
  if (hinted) return hinted;
  if (!schema || depth > 6) return junk;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((s) => arbitraryFor(s, { ...options, name: "" }, depth + 1)));
  if (schema.allOf) return arbitraryFor(Object.assign({}, ...schema.allOf), options, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  switch (type) {
    case "string": {
      if (schema.format === "uuid") return fc.uuid();
      if (schema.format === "date-time") return isoDate().map((d) => d.toISOString());
      if (schema.format === "date") return isoDate().map((d) => d.toISOString().slice(0, 10));
      if (schema.format === "uri") return fc.webUrl();
      if (schema.format === "email") return fc.emailAddress();
      const min = schema.minLength ?? 0;
      const max = Math.min(schema.maxLength ?? 40, 40);
      if (schema.pattern) {
        return fc
          .stringMatching(new RegExp(schema.pattern))
          .filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY));
      }
      return fc.string({ minLength: min, maxLength: Math.max(min, max) });
    }
    case "integer":
    case "number": {
      const lo = schema.minimum ?? (schema.exclusiveMinimum ?? -1e6) + 1;
      const hi = schema.maximum ?? (schema.exclusiveMaximum ?? 1e6) - 1;
      return fc.integer({ min: Math.ceil(Math.max(lo, -1e9)), max: Math.floor(Math.min(hi, 1e9)) });
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(arbitraryFor(schema.items, { ...options, name: "" }, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case "object": {
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {}))
        shape[key] = arbitraryFor(sub, { ...options, name: key }, depth + 1);
      const required = (schema.required ?? []).filter((k) => k in shape);
      return fc.record(shape, { requiredKeys: required });
    }
    default:
      return junk;
  }
}

/** Dates mostly near now, sometimes far (year 1 to 9999). */
const isoDate = () =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.date({ min: new Date("2025-01-01"), max: new Date("2027-12-31"), noInvalidDate: true }),
    },
    {
      weight: 1,
      arbitrary: fc.date({ min: new Date("0001-01-01"), max: new Date("9999-12-31"), noInvalidDate: true }),
    },
  );

/**
 * A request for one operation: `ids(path, param)` gives the existing ids a path parameter may take
 * (a conversation's id under /api/conversations/{id}); a mutated request may use any string instead.
 */
export function requestOf(
  op: Operation,
  ids: (path: string, param: string) => string[],
  hints: Hints,
): fc.Arbitrary<FuzzRequest> {
  return fc.boolean().chain((mutate) => {
    const options = { mutate, hints };
    const pathValue = (param: string) => {
      const known = ids(op.path, param);
      const existing = known.length > 0 ? fc.constantFrom(...known) : fc.uuid();
      return mutate
        ? fc.oneof(
            { weight: 3, arbitrary: existing },
            { weight: 1, arbitrary: fc.constantFrom(...edgeStrings) },
          )
        : existing;
    };
    const path = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, pathValue(p.name)])));
    const query = fc.record(
      Object.fromEntries(op.query.map((p) => [p.name, arbitraryFor(p.schema, { ...options, name: p.name })])),
      { requiredKeys: [] },
    );
    const body = op.body ? arbitraryFor(op.body, options) : fc.constant(undefined);
    return fc.record({ path, query, body }).map(({ path: values, query: q, body: b }) => {
      let url = op.path;
      for (const [name, value] of Object.entries(values))
        url = url.replace(`{${name}}`, encodeURIComponent(String(value)).slice(0, 3000));
      const search = new URLSearchParams();
      for (const [name, value] of Object.entries(q)) {
        if (value === undefined) continue;
        for (const one of Array.isArray(value) ? value : [value])
          search.append(name, typeof one === "string" ? one : JSON.stringify(one));
      }
      return { method: op.method, url: search.size ? `${url}?${search}` : url, body: b };
    });
  });
}
