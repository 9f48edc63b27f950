/** `rapport token create|revoke`: API tokens for scripts and integrations (Authorization: Bearer …). */
import type { Command } from "commander";
import { AppError } from "../../core/errors.ts";
import { printJson, withDatabase } from "../context.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerTokenCommand(program: Command): void {
  const token = program.command("token").description("Manage API tokens");
  token
    .command("create")
    .description("Create an API token; it is printed once and stored only as a hash")
    .requiredOption("--name <name>", "what the token is for, e.g. ci or zapier")
    .option("--agent <email>", "act as this agent (default: a workspace token acting as no agent)")
    .option("--json", "print JSON", false)
    .action(async (options: { name: string; agent?: string; json: boolean }) => {
      const { AuthService } = await import("../../services/auth.service.ts");
      const created = await withDatabase((database) =>
        new AuthService(database.db).createToken({ name: options.name, agentEmail: options.agent }),
      );
      const note = "Store this token now: it cannot be shown again.";
      if (options.json) {
        printJson({ ...created, note });
        return;
      }
      const actingAs = created.agent ? `acting as ${created.agent.email}` : "acting as the workspace";
      process.stdout.write(
        `Created API token "${created.name}" (id ${created.id}), ${actingAs}.\n\n  ${created.token}\n\n${note}\nUse it as: Authorization: Bearer <token>\n`,
      );
    });
  token
    .command("revoke")
    .description("Revoke an API token by id; it stops working at once")
    .argument("<id>", "the token id printed by token create")
    .action(async (id: string) => {
      if (!UUID.test(id)) throw new AppError("bad_request", `"${id}" is not a token id (a UUID).`);
      const { AuthService } = await import("../../services/auth.service.ts");
      await withDatabase((database) => new AuthService(database.db).revokeToken(id));
      process.stdout.write(`Revoked API token ${id}.\n`);
    });
}
