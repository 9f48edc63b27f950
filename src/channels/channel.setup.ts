/**
 * Setting channels up, generically: every connector with `setup` describes its config and secrets as
 * zod schemas, and this service creates, changes, pauses, resumes, tests and describes channels from
 * them — the API and the workspace never switch on a channel's kind. Secrets are sealed at rest, and
 * only the names of the ones that are set ever leave here. Changes are audited (secret names only).
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { AppError, notFound } from "../core/errors.ts";
import { NO_SECRET_KEY, type SecretBox } from "../services/secrets.ts";
import { auditRepository } from "../store/audit.repository.ts";
import { type ChannelRow, channelRepository } from "../store/channel.repository.ts";
import type { Database } from "../store/db.ts";
import { type ChannelHealth, healthOf } from "./channel.health.ts";
import type { Capabilities, ConnectionCheck, Connector, SetupNote } from "./connector.ts";
import type { ConnectorRegistry } from "./registry.ts";

export interface ChannelKind {
  kind: string;
  label: string;
  description: string | null;
  capabilities: Capabilities;
  /** Whether channels of this kind are polled (and so have a health). */
  polls: boolean;
  /** Whether it can be connected through the platform's sign-in (OAuth) instead of typed secrets. */
  oauth: boolean;
  /** Whether Rapport generates some of its secrets (a webhook signing secret), which can be rotated. */
  generatesSecrets: boolean;
  /** JSON Schema (draft 2020-12) of the config: titles, descriptions, placeholders, defaults. */
  config: Record<string, unknown>;
  /** JSON Schema of the secrets: every property is a secret. */
  secrets: Record<string, unknown>;
}

/** Who acts, for the audit trail. */
export interface Actor {
  kind: "agent" | "token";
  id: string | null;
}

export interface Issue {
  field: string;
  message: string;
}

function issuesOf(prefix: string, error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

/** A 400 naming each field that is wrong, like the API's own validation errors. */
export function validationError(issues: Issue[]): AppError {
  return new AppError("validation_failed", issues.map((i) => `${i.field}: ${i.message}`).join("; "), {
    issues,
  });
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  try {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
    return rest;
  } catch {
    // A schema JSON Schema cannot describe: the form falls back to editing JSON.
    return {};
  }
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60) || "channel";

type Setup = NonNullable<Connector["setup"]>;

export class ChannelSetupService {
  private readonly channels;
  private readonly audit;
  private readonly kindCache = new Map<string, ChannelKind>();

  constructor(
    private readonly deps: { database: Database; connectors: ConnectorRegistry; secrets: SecretBox | null },
  ) {
    this.channels = channelRepository(deps.database.db);
    this.audit = auditRepository(deps.database.db);
  }

  /** Every kind that can be set up, with its forms as JSON Schema. */
  kinds(): ChannelKind[] {
    return this.deps.connectors
      .all()
      .filter((c) => c.setup)
      .sort((a, b) => a.kind.localeCompare(b.kind))
      .map((c) => this.kindOf(c));
  }

  private kindOf(connector: Connector): ChannelKind {
    const cached = this.kindCache.get(connector.kind);
    if (cached) return cached;
    const setup = connector.setup!;
    const kind: ChannelKind = {
      kind: connector.kind,
      label: setup.label ?? connector.kind,
      description: setup.description ?? null,
      capabilities: { ...connector.capabilities },
      polls: Boolean(connector.poll),
      oauth: Boolean(setup.oauth),
      generatesSecrets: Boolean(setup.generateSecrets),
      config: jsonSchemaOf(setup.config),
      secrets: jsonSchemaOf(setup.secrets),
    };
    this.kindCache.set(connector.kind, kind);
    return kind;
  }

  private setupOf(kind: string): Setup {
    const setup = this.deps.connectors.get(kind)?.setup;
    if (!setup) {
      const kinds = this.kinds()
        .map((k) => k.kind)
        .join(", ");
      throw new AppError(
        "bad_request",
        `Channels of kind "${kind}" cannot be set up here (kinds: ${kinds}).`,
      );
    }
    return setup;
  }

  /** Every channel, by name. */
  list(): Promise<ChannelRow[]> {
    return this.channels.list();
  }

  async get(id: string): Promise<ChannelRow> {
    const row = await this.channels.get(id);
    if (!row) throw notFound("The channel");
    return row;
  }

  health(row: ChannelRow): ChannelHealth {
    return healthOf(row, Boolean(this.deps.connectors.get(row.kind)?.poll));
  }

  /** The names of the secrets that are set (never their values), or why they cannot be read. */
  secretsSet(row: ChannelRow): { names: string[]; error: string | null } {
    if (!row.secrets) return { names: [], error: null };
    if (!this.deps.secrets) return { names: [], error: NO_SECRET_KEY };
    try {
      return { names: Object.keys(this.deps.secrets.open(row.secrets)).sort(), error: null };
    } catch (error) {
      return { names: [], error: (error as Error).message };
    }
  }

  notes(row: ChannelRow, publicUrl: string): SetupNote[] {
    const setup = this.deps.connectors.get(row.kind)?.setup;
    if (!setup?.notes) return [];
    const { secrets: _, ...channel } = row;
    return setup.notes({ ...channel, config: row.config }, { publicUrl: publicUrl.replace(/\/+$/, "") });
  }

  /**
   * Sets a channel up. Secrets the connector generates (a webhook signing secret) are added unless the
   * admin brought their own, and returned so the answer can show them this once.
   */
  async create(
    input: { kind: string; name: string; key?: string; config?: unknown; secrets: Record<string, string> },
    actor: Actor,
  ): Promise<{ channel: ChannelRow; generatedSecrets: Record<string, string> }> {
    const setup = this.setupOf(input.kind);
    const generatedSecrets = Object.fromEntries(
      Object.entries(setup.generateSecrets?.() ?? {}).filter(([name]) => !(name in input.secrets)),
    );
    const config = setup.config.safeParse(input.config);
    const secrets = setup.secrets.safeParse({ ...generatedSecrets, ...input.secrets });
    const issues = [
      ...(config.success ? [] : issuesOf("config", config.error)),
      ...(secrets.success ? [] : issuesOf("secrets", secrets.error)),
    ];
    if (issues.length > 0 || !config.success || !secrets.success) throw validationError(issues);
    if (!this.deps.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
    const key = input.key ?? `${input.kind}-${slug(input.name)}`;
    const created = await this.channels.create({
      key,
      kind: input.kind,
      platform: setup.platform?.(config.data, key) ?? input.kind,
      name: input.name,
      config: config.data,
      secrets: this.deps.secrets.seal(secrets.data),
    });
    if (!created)
      throw new AppError("conflict", `A channel with the key "${key}" already exists; choose another key.`);
    await this.record(actor, "channel.created", created, { kind: created.kind, key });
    return { channel: created, generatedSecrets };
  }

  /** Replaces the secrets the connector generated (e.g. a webhook signing secret); returns the new ones. */
  async rotateGenerated(id: string, actor: Actor): Promise<Record<string, string>> {
    const row = await this.get(id);
    const generate = this.deps.connectors.get(row.kind)?.setup?.generateSecrets;
    if (!generate)
      throw new AppError("bad_request", `Channels of kind "${row.kind}" have no generated secret to rotate.`);
    if (!this.deps.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
    const generated = generate();
    let current: Record<string, string> = {};
    try {
      current = this.deps.secrets.open(row.secrets);
    } catch {
      // Unreadable (the key changed): the generated secrets replace them.
    }
    await this.channels.setSecrets(row.id, this.deps.secrets.seal({ ...current, ...generated }));
    await this.record(actor, "channel.secret_rotated", row, { secrets: Object.keys(generated) });
    return generated;
  }

  /**
   * Renames a channel, replaces its config (validated whole) and replaces individual secrets (the others
   * are kept; `null` removes an optional one). The result is validated against the connector's schemas.
   */
  async update(
    id: string,
    patch: { name?: string; config?: unknown; secrets?: Record<string, string | null> },
    actor: Actor,
  ): Promise<ChannelRow> {
    const row = await this.get(id);
    const change: { name?: string; config?: unknown; secrets?: string } = {};
    if (patch.name !== undefined) change.name = patch.name;
    if (patch.config !== undefined || patch.secrets !== undefined) {
      const setup = this.setupOf(row.kind);
      const issues: Issue[] = [];
      if (patch.config !== undefined) {
        const config = setup.config.safeParse(patch.config);
        if (config.success) change.config = config.data;
        else issues.push(...issuesOf("config", config.error));
      }
      if (patch.secrets !== undefined) {
        if (!this.deps.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
        let current: Record<string, string> = {};
        try {
          current = this.deps.secrets.open(row.secrets);
        } catch {
          // Unreadable (the key changed): the new secrets must then be complete, which validation checks.
        }
        const merged: Record<string, string> = { ...current };
        for (const [name, value] of Object.entries(patch.secrets)) {
          if (value === null) delete merged[name];
          else merged[name] = value;
        }
        const secrets = setup.secrets.safeParse(merged);
        if (secrets.success) change.secrets = this.deps.secrets.seal(secrets.data);
        else issues.push(...issuesOf("secrets", secrets.error));
      }
      if (issues.length > 0) throw validationError(issues);
    }
    if (Object.keys(change).length === 0) return row;
    const updated = await this.channels.update(id, change);
    if (!updated) throw notFound("The channel");
    await this.record(actor, "channel.updated", updated, {
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.config !== undefined ? { config: true } : {}),
      ...(patch.secrets ? { secrets: Object.keys(patch.secrets).sort() } : {}),
    });
    return updated;
  }

  async setPaused(id: string, paused: boolean, actor: Actor): Promise<ChannelRow> {
    await this.get(id);
    const row = await this.channels.setPaused(id, paused);
    if (!row) throw notFound("The channel");
    await this.record(actor, paused ? "channel.paused" : "channel.resumed", row, {});
    return row;
  }

  /**
   * Deletes a channel that has no conversation (one set up by mistake). A channel with conversations is
   * never deleted — they would be lost — and answers 409: pause it instead.
   */
  async delete(id: string, actor: Actor): Promise<void> {
    const row = await this.get(id);
    const deleted = await this.deps.database.rows<{ id: string }>(sql`
      DELETE FROM channels c WHERE c.id = ${id}
        AND NOT EXISTS (SELECT 1 FROM conversations WHERE channel_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM messages WHERE channel_id = c.id)
      RETURNING c.id`);
    if (deleted.length === 0) {
      throw new AppError(
        "conflict",
        `${row.name} has conversations, and deleting it would lose them: pause it instead (it is then no longer polled, and everything stays readable).`,
      );
    }
    await this.record(actor, "channel.deleted", row, { key: row.key, kind: row.kind });
  }

  /** Tries the connection with the stored settings: each service's result and the step that failed. */
  async test(id: string): Promise<{ ok: boolean; checks: ConnectionCheck[] }> {
    const row = await this.get(id);
    const connector = this.deps.connectors.get(row.kind);
    if (!connector?.setup)
      throw new AppError("bad_request", `Channels of kind "${row.kind}" have no connection to test.`);
    // A channel created by an import or the demo has no valid settings yet: say what is missing.
    const config = connector.setup.config.safeParse(row.config);
    if (!config.success) throw validationError(issuesOf("config", config.error));
    if (!this.deps.secrets && row.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
    let secrets: Record<string, string>;
    try {
      secrets = this.deps.secrets?.open(row.secrets) ?? {};
    } catch (error) {
      throw new AppError("bad_request", (error as Error).message);
    }
    const checks = await connector.setup.test({
      key: row.key,
      kind: row.kind,
      name: row.name,
      config: row.config,
      secrets,
    });
    return { ok: checks.length > 0 && checks.every((c) => c.ok), checks };
  }

  private record(actor: Actor, action: string, row: ChannelRow, data: Record<string, unknown>) {
    return this.audit.record({
      actorKind: actor.kind,
      actorId: actor.id,
      action,
      subjectType: "channel",
      subjectId: row.id,
      data,
    });
  }
}
