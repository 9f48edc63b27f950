/**
 * The contract every connector passes (STYLE.md habit 8). A connector's test calls
 * `describeConnectorContract(name, fixture)` with real payloads and a way to see what reached the
 * platform. It runs through the real pipeline (ingest, outbox, worker) on an in-memory PGlite: the
 * contract is about the connector, and the pipeline itself is tested on both engines elsewhere.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAgent } from "../../test/helpers/factories.ts";
import { createWorker } from "../jobs/index.ts";
import { createServices, type Services } from "../services/container.ts";
import type { IngestItem, ItemOutcome } from "../services/ingest.types.ts";
import type { SecretBox } from "../services/secrets.ts";
import { type Database, openDatabase } from "../store/db.ts";
import type { Connector } from "./connector.ts";
import { ConnectorRegistry } from "./registry.ts";

export interface ContractPayload {
  name: string;
  payload: unknown;
}

export interface ConnectorContractFixture {
  /** A fresh connector (the suite registers its parser and sends through it). */
  connector(): Connector;
  /** Prepares the platform side (servers, channels); called once before the suite. */
  setup?(database: Database): Promise<void>;
  teardown?(): Promise<void>;
  /** Real payloads; each is one message and must parse. */
  valid: ContractPayload[] | (() => ContractPayload[]);
  /** Payloads that must become dead letters with a reason: malformed, truncated and oversized. */
  malformed: ContractPayload[] | (() => ContractPayload[]);
  /** Webhook signature check, for connectors with `verifyWebhook`. */
  webhook?: { secret: string; headers: Record<string, string>; rawBody: Buffer };
  /** Resolves once the platform received a message containing `text` (fails the test otherwise). */
  delivered(text: string): Promise<void>;
  /** Decrypts the channels' secrets for sending (connectors that need passwords). */
  secrets?: SecretBox;
  /** A connector whose sends fail, and the platform's words the stored error must contain. */
  failure: { connector?(): Connector; text?: string; error: RegExp };
}

const list = (value: ContractPayload[] | (() => ContractPayload[])) =>
  typeof value === "function" ? value() : value;

export function describeConnectorContract(name: string, fixture: ConnectorContractFixture): void {
  describe(`connector contract: ${name}`, () => {
    let database: Database;
    let services: Services;
    let connector: Connector;
    const format = () => connector.format ?? connector.kind;
    const items = (payloads: ContractPayload[]): IngestItem[] =>
      payloads.map((p) => ({ source: `contract:${name}`, format: format(), payload: p.payload }));

    beforeAll(async () => {
      database = await openDatabase({ url: "memory://" });
      services = createServices(database);
      connector = fixture.connector();
      new ConnectorRegistry([connector]).registerFormats(services.normalizers);
      await fixture.setup?.(database);
    });
    afterAll(async () => {
      await fixture.teardown?.();
      await database?.close();
    });

    it("declares its kind and capabilities", () => {
      expect(connector.kind).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const key of ["publicReplies", "privateMessages", "attachments", "edits", "deletes"] as const)
        expect(typeof connector.capabilities[key]).toBe("boolean");
      expect(connector.parse).toBeTypeOf("function");
    });

    it("parses every real payload into a canonical message", async () => {
      const valid = list(fixture.valid);
      expect(valid.length).toBeGreaterThan(0);
      for (const { name: payloadName, payload } of valid) {
        const result = await connector.parse!(payload);
        expect(result.ok ? "ok" : `${payloadName}: ${result.reason}`).toBe("ok");
      }
    });

    it("stores each message once, however often it arrives", async () => {
      const valid = list(fixture.valid);
      const first = await services.ingest.ingest(items(valid));
      expect(first.deadLetters).toBe(0);
      const again = await services.ingest.ingest(items([...valid, ...valid]));
      expect(again.messages).toBe(0);
      expect(again.duplicates).toBe(valid.length * 2);
    });

    it("dead-letters malformed, truncated and oversized payloads with a reason, keeping them raw", async () => {
      const malformed = list(fixture.malformed);
      expect(malformed.length).toBeGreaterThanOrEqual(3);
      const summary = await services.ingest.ingest(items(malformed));
      expect(summary.messages).toBe(0);
      summary.outcomes.forEach((outcome: ItemOutcome, i) => {
        expect(outcome.status, malformed[i]!.name).toBe("dead_letter");
        if (outcome.status === "dead_letter") expect(outcome.reason.length).toBeGreaterThan(5);
      });
      const [row] = await database.rows<{ n: number }>(sql`
        SELECT count(*)::int AS n FROM dead_letters d JOIN raw_events r ON r.id = d.raw_event_id
        WHERE r.source = ${`contract:${name}`} AND r.status = 'dead'`);
      expect(row!.n).toBe(malformed.length);
    });

    it("verifies webhook signatures over the raw body", () => {
      if (!connector.verifyWebhook || !fixture.webhook) return;
      const { secret, headers, rawBody } = fixture.webhook;
      expect(connector.verifyWebhook(headers, rawBody, secret)).toBe(true);
      expect(connector.verifyWebhook(headers, Buffer.concat([rawBody, Buffer.from(" ")]), secret)).toBe(
        false,
      );
      expect(connector.verifyWebhook(headers, rawBody, `${secret}x`)).toBe(false);
      expect(connector.verifyWebhook({}, rawBody, secret)).toBe(false);
    });

    // Replies answer the conversation of the first valid payload.
    const replyTo = async (text: string, using: Connector) => {
      const first = await connector.parse!(list(fixture.valid)[0]!.payload);
      const externalId = first.ok && "message" in first ? first.message.externalId : "";
      const [conversation] = await database.rows<{ id: string }>(sql`
        SELECT conversation_id AS id FROM messages WHERE external_id = ${externalId}`);
      expect(conversation, "a conversation from the valid payloads").toBeDefined();
      const agent = await buildAgent(database.db, { name: "Maria Lopez" });
      const { messageId } = await services.replies.reply(
        conversation!.id,
        { id: agent.id, name: agent.name, signature: null },
        text,
        { acknowledgeWarnings: true },
      );
      const worker = createWorker(
        {
          database,
          events: services.events,
          connectors: new ConnectorRegistry([using]),
          secrets: fixture.secrets ?? null,
        },
        { concurrency: 1 },
      );
      await worker.drain();
      const [message] = await database.rows<{
        delivery_status: string;
        delivery_error: string | null;
        external_id: string;
      }>(sql`SELECT delivery_status, delivery_error, external_id FROM messages WHERE id = ${messageId}`);
      return message!;
    };

    it("sends a reply that reaches the platform", async () => {
      const text = `Thanks for writing, we are on it (contract ${Date.now()}).`;
      const sent = await replyTo(text, connector);
      expect(sent).toMatchObject({ delivery_status: "sent", delivery_error: null });
      expect(sent.external_id).not.toMatch(/^rapport:/);
      await fixture.delivered(text);
    });

    it("stores a send failure on the message with the platform's error", async () => {
      const using = fixture.failure.connector?.() ?? connector;
      const failed = await replyTo(fixture.failure.text ?? "This one will not go through.", using);
      expect(failed.delivery_status).toBe("failed");
      expect(failed.delivery_error).toMatch(fixture.failure.error);
    });
  });
}
