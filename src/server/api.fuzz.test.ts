/**
 * Every operation of the HTTP API, read from its own OpenAPI document, under generated requests: well-formed
 * ones that reach the handlers and the database, and mutated ones (wrong types, year 0000, 2^63, huge and
 * odd strings). No request may get a 5xx, and every 4xx must say what was wrong in the one error format.
 * A fixed seed in CI; FUZZ_RUNS (requests per operation) and FUZZ_SEED explore further by hand.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { type Hints, operationsOf, requestOf } from "../../test/helpers/openapi.arbitrary.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { AuthService } from "../services/auth.service.ts";
import { createServices } from "../services/container.ts";
import { seedDemoWorkspace } from "../services/demo.service.ts";
import { SecretBox } from "../services/secrets.ts";
import { buildApp } from "./app.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
/** An event stream never ends, so a request to it cannot be awaited. */
const SKIP = new Set(["GET /api/events"]);

describeEachEngine("the HTTP API under generated and malformed requests", (ctx) => {
  it("property: no operation answers 5xx, and every 4xx names the problem in the error format", async () => {
    const database = ctx.database;
    const services = createServices(database);
    const secrets = new SecretBox(randomBytes(32));
    const app = await buildApp({
      database,
      services,
      secrets,
      rateLimitStore: "memory",
      loginRateLimit: { max: 1_000_000, timeWindow: 60_000 },
      webhookRateLimit: { max: 1_000_000, timeWindow: 60_000 },
    });
    await app.ready();
    await seedDemoWorkspace(
      { database, auth: new AuthService(database.db), ingest: services.ingest, secrets },
      { conversations: 24 },
    );
    const admin = await agentWithToken(database, "fuzz-admin@example.com", { role: "admin" });
    const agent = await agentWithToken(database, "fuzz-agent@example.com");
    const create = async (url: string, payload: unknown) => {
      const response = await app.inject({
        method: "POST",
        url,
        headers: admin.headers,
        payload: payload as object,
      });
      expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(300);
      return response.json();
    };
    // What the demo has none of, made through the API so that their ids exist.
    await create("/api/saved-replies", { title: "Delay", text: "Sorry for the delay, {{name}}." });
    await create("/api/webhook-subscriptions", {
      name: "fuzz",
      url: "http://127.0.0.1:9/hook",
      events: ["message.created"],
    });
    const hours = await create("/api/sla/business-hours", {
      name: "Office",
      timezone: "Europe/Berlin",
      schedule: { mon: [["09:00", "17:00"]] },
    });
    await create("/api/sla/policies", { name: "Fast", firstResponseMinutes: 30, businessHoursId: hours.id });
    const [a, b] = await ids("SELECT id FROM people ORDER BY id LIMIT 2");
    await create(`/api/people/${a}/merge`, { personId: b });

    async function ids(query: string): Promise<string[]> {
      return (await database.rows<{ id: unknown }>(sql.raw(query))).map((r) => String(r.id));
    }
    const pools = {
      conversations: await ids("SELECT id FROM conversations LIMIT 30"),
      people: await ids("SELECT id FROM people LIMIT 30"),
      messages: await ids("SELECT id FROM messages ORDER BY id LIMIT 30"),
      channels: await ids("SELECT id FROM channels"),
      channelKeys: await ids("SELECT key AS id FROM channels"),
      // Not the two fuzzing agents: a generated PATCH could otherwise lock them out.
      agents: await ids(`SELECT id FROM agents WHERE id NOT IN ('${admin.agent.id}', '${agent.agent.id}')`),
      teams: await ids("SELECT id FROM teams"),
      labels: await ids("SELECT name AS id FROM labels"),
      "saved-replies": await ids("SELECT id FROM saved_replies"),
      "webhook-subscriptions": await ids("SELECT id FROM webhooks"),
      deliveries: await ids("SELECT id FROM webhook_deliveries LIMIT 10"),
      policies: await ids("SELECT id FROM sla_policies"),
      "business-hours": await ids("SELECT id FROM business_hours"),
      merges: await ids("SELECT id FROM audit_events WHERE action = 'person.merged'"),
    };
    expect(pools.merges).toHaveLength(1);
    const pathIds = (path: string, param: string): string[] => {
      if (param === "key" || param === "channelKey") return pools.channelKeys;
      if (param === "name") return pools.labels;
      if (param === "mergeId") return pools.merges;
      if (param === "deliveryId") return pools.deliveries;
      if (param === "n") return ["0", "1"];
      if (param === "field") return ["sentiment", "intent", "urgency", "spam", "language"];
      const resource = path.split("/")[path.startsWith("/api/sla/") ? 3 : 2]!;
      return (pools as Record<string, string[]>)[resource === "sla" ? "policies" : resource] ?? [];
    };
    const day = fc
      .date({ min: new Date("2025-01-01"), max: new Date("2027-12-31"), noInvalidDate: true })
      .map((d) => d.toISOString());
    const one = (list: string[]) => (list.length ? fc.constantFrom(...list) : fc.uuid());
    const byName: Record<string, fc.Arbitrary<unknown>> = {
      from: fc.oneof(
        day,
        day.map((d) => d.slice(0, 10)),
      ),
      to: fc.oneof(
        day,
        day.map((d) => d.slice(0, 10)),
      ),
      since: day,
      channel: one(pools.channelKeys),
      channelId: one(pools.channels),
      personId: one(pools.people),
      teamId: one(pools.teams),
      agentId: one(pools.agents),
      assignee: fc.oneof(one(pools.agents), fc.constantFrom("me", "none")),
      label: one(pools.labels),
      businessHoursId: one(pools["business-hours"]),
      q: fc.constantFrom("refund", "bag", "late train", "😀", "ü"),
      timezone: fc.constantFrom("Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata"),
      url: fc.constant("http://127.0.0.1:9/hook"),
      schedule: fc.constant({ mon: [["09:00", "17:00"]], sat: [["10:00", "12:30"]] }),
    };
    const hints: Hints = (name) => byName[name];

    const who = { admin: admin.headers, agent: agent.headers, nobody: {} };
    let answered = 0;
    let reachedHandlers = 0;
    for (const op of operationsOf(app.swagger())) {
      const name = `${op.method} ${op.path}`;
      if (SKIP.has(name)) continue;
      await fc.assert(
        fc.asyncProperty(
          requestOf(op, pathIds, hints),
          fc.constantFrom("admin", "admin", "agent", "nobody" as const),
          async (request, as) => {
            const response = await app.inject({
              method: request.method as "GET",
              url: request.url,
              headers: who[as as keyof typeof who],
              ...(request.body !== undefined ? { payload: JSON.stringify(request.body) } : {}),
              ...(request.body !== undefined
                ? { headers: { ...who[as as keyof typeof who], "content-type": "application/json" } }
                : {}),
            });
            const said = `${name} as ${as}: ${request.url.slice(0, 200)} ${JSON.stringify(request.body)?.slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
            expect(response.statusCode, said).toBeLessThan(500);
            answered++;
            if (response.statusCode < 300) reachedHandlers++;
            if (response.statusCode >= 400) {
              const error = (response.json() as { error?: { code?: unknown; message?: unknown } }).error;
              expect(typeof error?.code, said).toBe("string");
              expect(typeof error?.message === "string" && error.message.length > 0, said).toBe(true);
            }
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
    }
    // The generated requests were not all refused at the door.
    expect(answered).toBeGreaterThan(300);
    expect(reachedHandlers / answered).toBeGreaterThan(0.15);
    await app.close();
  });
});
