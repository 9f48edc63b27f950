/** Zod shapes shared by several routes: they validate input and document the API in OpenAPI. */
import { z } from "zod";
import { isStorableInstant } from "../core/instants.ts";
import type { KeysetPosition } from "../store/sql.helpers.ts";

/** For a PATCH body whose fields are all optional: at least one must be given. */
export const somethingToChange = (body: Record<string, unknown>) =>
  Object.values(body).some((v) => v !== undefined);

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ description: "Every error response has this shape." });

export const agentSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  name: z.string(),
  role: z.enum(["admin", "agent"]),
  signature: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  availability: z.enum(["online", "away", "offline"]),
  createdAt: z.string(),
});

export const channelRefSchema = z.object({
  id: z.uuid(),
  key: z.string(),
  kind: z.string(),
  name: z.string(),
});

export const idParamsSchema = z.object({ id: z.uuid({ message: "must be a UUID" }) });

export const limitSchema = z.coerce
  .number({ message: "must be a number" })
  .int("must be a whole number")
  .min(1, "must be between 1 and 100")
  .max(100, "must be between 1 and 100")
  .default(25);

/** An opaque page cursor: base64url of a keyset position. Decoded into the position. */
export const cursorSchema = z.string().transform((value, ctx): KeysetPosition => {
  const position = decodeCursor(value);
  if (!position) {
    ctx.addIssue({ code: "custom", message: "is not a cursor returned by this API" });
    return z.NEVER;
  }
  return position;
});

export function encodeCursor(position: KeysetPosition | null): string | null {
  if (!position) return null;
  return Buffer.from(JSON.stringify([position.at, position.id])).toString("base64url");
}

function decodeCursor(value: string): KeysetPosition | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    const ok = z.tuple([z.iso.datetime().refine(isStorableInstant).nullable(), z.uuid()]).safeParse(parsed);
    return ok.success ? { at: ok.data[0], id: ok.data[1] } : null;
  } catch {
    return null;
  }
}
