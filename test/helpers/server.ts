/** Helpers for HTTP tests: an app over a test database with a fake ingest, and ready credentials. */
import type { FastifyInstance } from "fastify";
import { type AppDeps, buildApp } from "../../src/server/app.ts";
import { AuthService } from "../../src/services/auth.service.ts";
import type { IngestItem, IngestSummary } from "../../src/services/ingest.types.ts";
import { emptySummary } from "../../src/services/ingest.types.ts";
import type { Database } from "../../src/store/db.ts";

/** Records what it is given and answers with a summary from `respond` (default: all stored). */
export function fakeIngest(respond?: (items: IngestItem[]) => IngestSummary | Promise<IngestSummary>) {
  const calls: IngestItem[][] = [];
  return {
    calls,
    async ingest(items: IngestItem[]): Promise<IngestSummary> {
      calls.push(items);
      if (respond) return respond(items);
      const summary = emptySummary();
      summary.messages = items.length;
      return summary;
    },
  };
}

export async function testApp(
  database: Database,
  overrides: Partial<AppDeps> = {},
): Promise<FastifyInstance> {
  const app = await buildApp({ database, ingest: fakeIngest(), ...overrides });
  await app.ready();
  return app;
}

/**
 * Creates an agent (role `agent` unless given; named after the email's local part unless given) and an
 * API token acting as them; returns headers that authenticate as that agent.
 */
export async function agentWithToken(
  database: Database,
  email: string,
  options: { role?: "admin" | "agent"; name?: string } = {},
) {
  const auth = new AuthService(database.db);
  const agent = await auth.createAgent({
    email,
    name: options.name ?? email.split("@")[0]!,
    password: "correct horse battery",
    role: options.role ?? "agent",
  });
  const token = await auth.createToken({ name: `${email} test`, agentEmail: email });
  return { agent, token, headers: { authorization: `Bearer ${token.token}` } };
}
