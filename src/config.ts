/**
 * Rapport's configuration, read from the environment once and validated into a typed object.
 * Nothing else reads process.env.
 */
import { z } from "zod";
import { AppError } from "./core/errors.ts";
import { describeZodError } from "./core/inbound.ts";

const envSchema = z.object({
  DATABASE_URL: z.string().optional(),
  RAPPORT_DATA: z.string().default("./rapport-data"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Set to "true" when served over HTTPS, so session cookies get the Secure flag. */
  RAPPORT_SECURE_COOKIES: z.enum(["true", "false"]).default("false"),
  /** Encrypts channel secrets at rest (≥ 32 characters). Without it, PGlite uses <data>/secret.key. */
  RAPPORT_SECRET_KEY: z.string().min(32, "RAPPORT_SECRET_KEY must have at least 32 characters").optional(),
  /** The address people and platforms reach this server at (widget snippets, webhook URLs). */
  RAPPORT_PUBLIC_URL: z.url({ message: "RAPPORT_PUBLIC_URL must be an http(s) URL" }).optional(),
  /** "true": files platforms keep may be downloaded from private and loopback addresses (a LAN instance). */
  RAPPORT_MEDIA_ALLOW_PRIVATE: z.enum(["true", "false"]).default("false"),
});

export interface Config {
  /** `postgres://…` or a PGlite data folder. */
  databaseUrl: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  secureCookies: boolean;
  /** The channel-secrets key (RAPPORT_SECRET_KEY), if set. */
  secretKey: string | undefined;
  /** The public base URL, without a trailing slash (RAPPORT_PUBLIC_URL, else http://HOST:PORT). */
  publicUrl: string;
  /** Where a generated secret key may live: the PGlite data folder (null on PostgreSQL). */
  dataDir: string | null;
  /** Download attachments from private and loopback addresses too (RAPPORT_MEDIA_ALLOW_PRIVATE). */
  mediaAllowPrivate: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new AppError("bad_request", `Invalid configuration: ${describeZodError(parsed.error)}`);
  }
  const e = parsed.data;
  const postgres = Boolean(e.DATABASE_URL && e.DATABASE_URL.length > 0);
  return {
    databaseUrl: postgres ? e.DATABASE_URL! : e.RAPPORT_DATA,
    secretKey: e.RAPPORT_SECRET_KEY,
    dataDir: postgres || e.RAPPORT_DATA.startsWith("memory://") ? null : e.RAPPORT_DATA,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    secureCookies: e.RAPPORT_SECURE_COOKIES === "true",
    mediaAllowPrivate: e.RAPPORT_MEDIA_ALLOW_PRIVATE === "true",
    publicUrl: (
      e.RAPPORT_PUBLIC_URL ?? `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${e.PORT}`
    ).replace(/\/+$/, ""),
  };
}
