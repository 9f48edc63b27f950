/**
 * The demo workspace: on a fresh install started with `--demo`, creates an admin (password printed
 * once), the named agents of the fictional brand, its channels, and ~200 generated conversations
 * that flow through the real ingest pipeline. Does nothing once any agent can sign in.
 */
import { randomBytes } from "node:crypto";
import { generateDemoWorkspace } from "../demo/demo.generator.ts";
import { AGENTS, BRAND } from "../demo/demo.people.ts";
import { agentRepository } from "../store/agent.repository.ts";
import { channelRepository } from "../store/channel.repository.ts";
import type { Database } from "../store/db.ts";
import { teamRepository } from "../store/team.repository.ts";
import type { AuthService } from "./auth.service.ts";
import type { IngestService } from "./ingest.service.ts";
import type { SecretBox } from "./secrets.ts";

export const DEMO_ADMIN_EMAIL = "admin@example.com";
/** The demo's website chat channel (demo/demo.generator.ts): try it at /widget-demo. */
export const DEMO_WEBCHAT_KEY = "webchat";

export interface DemoSeed {
  adminEmail: string;
  /** Shown once; only its argon2id hash is stored. */
  adminPassword: string;
  conversations: number;
  messages: number;
}

export async function seedDemoWorkspace(
  deps: {
    database: Database;
    auth: AuthService;
    ingest: Pick<IngestService, "ingest">;
    /** Seals the demo chat channel's visitor key; without it the demo has no website chat. */
    secrets?: SecretBox | null;
  },
  options: { now?: Date; conversations?: number } = {},
): Promise<DemoSeed | null> {
  const agents = agentRepository(deps.database.db);
  if ((await agents.countWithEmail()) > 0) return null;

  const adminPassword = randomBytes(12).toString("base64url");
  await deps.auth.createAgent({
    email: DEMO_ADMIN_EMAIL,
    name: "Alex Admin",
    password: adminPassword,
    role: "admin",
  });
  const agentIds: string[] = [];
  for (const agent of AGENTS) {
    const email = `${agent.id.replace("agent:", "")}@example.com`;
    // Demo agents get a random password nobody knows; an admin can reset it to let them sign in.
    const created = await deps.auth.createAgent({
      email,
      name: agent.displayName,
      password: randomBytes(18).toString("base64url"),
    });
    await agents.setExternalRef(created.id, agent.id);
    agentIds.push(created.id);
  }
  // One care team answers every channel, least-loaded first; half the agents are on shift.
  const teams = teamRepository(deps.database.db);
  const teamId = await teams.create({
    name: "Care team",
    assignmentMode: "least_loaded",
    offlineGraceMinutes: 15,
  });
  await teams.setMembers(teamId, agentIds);
  for (const id of agentIds.slice(0, 3)) await agents.setAvailability(id, "online");

  const workspace = generateDemoWorkspace({
    now: options.now ?? new Date(),
    ...(options.conversations ? { conversations: options.conversations } : {}),
  });
  await channelRepository(deps.database.db).ensure(
    workspace.channels.map((c) => ({ key: c.key, kind: c.kind, platform: c.kind, name: c.name, teamId })),
  );
  if (deps.secrets) {
    // The demo's website chat is live: only this server's own pages (/widget-demo) may embed it.
    await channelRepository(deps.database.db).configure(DEMO_WEBCHAT_KEY, {
      name: BRAND.name,
      config: { allowedOrigins: [], greeting: "Hi! Ask us about tickets, delays and refunds." },
      secrets: deps.secrets.seal({ visitorKey: randomBytes(32).toString("base64url") }),
    });
  }
  const summary = await deps.ingest.ingest(
    workspace.messages.map((payload) => ({ source: "demo", format: "canonical", payload })),
  );
  return {
    adminEmail: DEMO_ADMIN_EMAIL,
    adminPassword,
    conversations: summary.conversations,
    messages: summary.messages,
  };
}
