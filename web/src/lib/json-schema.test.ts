import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  allKeys,
  type Field,
  fieldsOf,
  humanize,
  initialValues,
  type JsonSchema,
  placeIssues,
  toPayload,
} from "./json-schema";

// What the server sends: zod 4's JSON Schema of a connector's schemas (as in GET /api/channel-kinds).
const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as JsonSchema;

const config = z.object({
  address: z.email().meta({ title: "Support address", placeholder: "care@example.com" }),
  server: z
    .object({
      host: z.string().min(1).describe("The host name"),
      port: z.number().int().min(1).max(65535),
      secure: z.boolean(),
      folder: z.string().default("INBOX"),
    })
    .meta({ title: "Server" }),
  mode: z.enum(["poll", "push"]).optional(),
  tags: z.array(z.string()).optional(),
  note: z.string().nullable().optional(),
  extra: z.record(z.string(), z.number()).optional(),
});
const secrets = z.object({ password: z.string().min(1), token: z.string().optional() });

const byKey = (fields: Field[]) =>
  Object.fromEntries(
    fields.flatMap(function walk(f): Array<[string, Field]> {
      return [[f.key, f], ...(f.fields ?? []).flatMap(walk)];
    }),
  );

describe("set-up forms from JSON Schema", () => {
  const fields = fieldsOf(schemaOf(config), "config");
  const f = byKey(fields);

  it("draws a field of the right kind for each property, with labels, hints and required markers", () => {
    expect(allKeys(fields)).toEqual([
      "config.address",
      "config.server",
      "config.server.host",
      "config.server.port",
      "config.server.secure",
      "config.server.folder",
      "config.mode",
      "config.tags",
      "config.note",
      "config.extra",
    ]);
    expect(f["config.address"]).toMatchObject({
      kind: "text",
      inputType: "email",
      label: "Support address",
      placeholder: "care@example.com",
      required: true,
    });
    expect(f["config.server"]).toMatchObject({ kind: "object", label: "Server", required: true });
    expect(f["config.server.host"]).toMatchObject({
      kind: "text",
      label: "Host",
      description: "The host name",
    });
    expect(f["config.server.port"]).toMatchObject({ kind: "integer", min: 1, max: 65535, required: true });
    expect(f["config.server.secure"]).toMatchObject({ kind: "boolean" });
    // A default makes a field optional: the server fills it in.
    expect(f["config.server.folder"]).toMatchObject({ required: false, default: "INBOX" });
    expect(f["config.mode"]).toMatchObject({ kind: "enum", options: ["poll", "push"], required: false });
    expect(f["config.tags"]).toMatchObject({ kind: "list", required: false });
    expect(f["config.note"]).toMatchObject({ kind: "text", required: false });
    expect(f["config.extra"]).toMatchObject({ kind: "json" });
    expect(fieldsOf(schemaOf(secrets), "secrets", { secret: true })).toMatchObject([
      { key: "secrets.password", kind: "password", required: true },
      { key: "secrets.token", kind: "password", required: false },
    ]);
  });

  it("starts from defaults, or from a stored config (never from secrets)", () => {
    expect(initialValues(fields)).toMatchObject({
      "config.address": "",
      "config.server.folder": "INBOX",
      "config.server.secure": false,
      "config.tags": "",
    });
    const stored = {
      address: "care@northwind.example",
      server: { host: "imap.example", port: 993, secure: true, folder: "Support" },
      tags: ["a", "b"],
      extra: { x: 1 },
    };
    expect(initialValues(fields, stored)).toMatchObject({
      "config.address": "care@northwind.example",
      "config.server.port": "993",
      "config.server.secure": true,
      "config.server.folder": "Support",
      "config.tags": "a\nb",
      "config.extra": '{\n  "x": 1\n}',
    });
    expect(
      initialValues(fieldsOf(schemaOf(secrets), "secrets", { secret: true }), { password: "x" }),
    ).toEqual({
      "secrets.password": "",
      "secrets.token": "",
    });
  });

  it("sends what the schema accepts, leaving out empty optional values", () => {
    const values = {
      ...initialValues(fields),
      "config.address": "care@northwind.example",
      "config.server.host": "imap.example",
      "config.server.port": " 993 ",
      "config.server.secure": true,
      "config.tags": "vip\n\n  urgent \n",
      "config.extra": '{"x": 2}',
    };
    const { value, errors } = toPayload(fields, values);
    expect(errors).toEqual({});
    expect(value).toEqual({
      address: "care@northwind.example",
      server: { host: "imap.example", port: 993, secure: true, folder: "INBOX" },
      tags: ["vip", "urgent"],
      extra: { x: 2 },
    });
    expect(config.safeParse(value).success).toBe(true);
  });

  it("sends what was typed when it is wrong, so the server names the problem", () => {
    const { value, errors } = toPayload(fields, {
      ...initialValues(fields),
      "config.server.port": "nine",
      "config.extra": "{oops",
    });
    expect(value).toMatchObject({ address: "", server: { host: "", port: "nine" } });
    expect(errors).toEqual({ "config.extra": "is not valid JSON" });
    const parsed = config.safeParse(value);
    expect(parsed.success).toBe(false);
  });

  it("sends only the secrets that were typed", () => {
    const secretFields = fieldsOf(schemaOf(secrets), "secrets", { secret: true });
    expect(toPayload(secretFields, { "secrets.password": "", "secrets.token": "t0k" }).value).toEqual({
      token: "t0k",
    });
  });

  it("puts the server's issues beside their fields, and the rest above the form", () => {
    const placed = placeIssues(
      [
        { field: "config.server.port", message: "Too small" },
        { field: "body.name", message: "must not be empty" },
        { field: "config.server.port", message: "Not an integer" },
        { field: "config", message: "Unrecognized key" },
      ],
      ["name", ...allKeys(fields)],
    );
    expect(placed).toEqual({
      byField: { "config.server.port": "Too small; Not an integer", name: "must not be empty" },
      other: ["config: Unrecognized key"],
    });
  });

  it("humanizes property names", () => {
    expect(humanize("imapPassword")).toBe("Imap password");
    expect(humanize("poll_seconds")).toBe("Poll seconds");
    expect(humanize("allowSelfSigned")).toBe("Allow self signed");
  });
});
