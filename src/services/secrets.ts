/**
 * Channel secrets at rest: AES-256-GCM with a random 96-bit IV per value, stored as
 * `v1:<iv>:<tag>:<ciphertext>` (base64). The key is RAPPORT_SECRET_KEY (a passphrase of at least 32
 * characters, hashed with SHA-256 into the key), or, on PGlite without it, a random key generated once
 * into `<data folder>/secret.key` (mode 0600). On PostgreSQL the key must come from the environment,
 * so every server process shares it. See docs/channels/email.md.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { AppError } from "../core/errors.ts";

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("A secret key has 32 bytes.");
  }

  seal(secrets: Record<string, string>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(secrets), "utf8"), cipher.final()]);
    return ["v1", iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === "string" ? p : p.toString("base64")))
      .join(":");
  }

  open(sealed: string | null | undefined): Record<string, string> {
    if (!sealed) return {};
    const [version, iv, tag, body] = sealed.split(":");
    if (version !== "v1" || !iv || !tag || body === undefined)
      throw new Error("Unreadable secrets (unknown format).");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64"));
      decipher.setAuthTag(Buffer.from(tag, "base64"));
      const plain = Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]);
      return JSON.parse(plain.toString("utf8")) as Record<string, string>;
    } catch {
      throw new Error(
        "The channel's secrets cannot be decrypted with this key (was RAPPORT_SECRET_KEY changed?). Enter them again.",
      );
    }
  }
}

/** The box for this installation, or null when no key is available (secrets cannot be stored then). */
export function openSecretBox(options: { secretKey?: string; dataDir?: string }): SecretBox | null {
  if (options.secretKey) {
    if (options.secretKey.length < 32)
      throw new AppError("bad_request", "RAPPORT_SECRET_KEY must have at least 32 characters.");
    return new SecretBox(createHash("sha256").update(options.secretKey).digest());
  }
  if (!options.dataDir) return null;
  const file = path.join(options.dataDir, "secret.key");
  if (!existsSync(file)) {
    mkdirSync(options.dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  }
  return new SecretBox(Buffer.from(readFileSync(file, "utf8").trim(), "base64"));
}

export const NO_SECRET_KEY =
  "Channel secrets need an encryption key: set RAPPORT_SECRET_KEY (at least 32 characters) for PostgreSQL.";
