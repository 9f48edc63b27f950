/** `rapport user create`: adds an agent who can sign in. Prints the agent, never the password. */
import type { Command } from "commander";
import { AppError } from "../../core/errors.ts";
import { printJson, withDatabase } from "../context.ts";

/** Reads the first line of stdin (for `--password -`, so the password stays out of shell history). */
export async function readSecretFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  const line = Buffer.concat(chunks).toString("utf8").split(/\r?\n/)[0] ?? "";
  if (!line) throw new AppError("bad_request", "No password on stdin.");
  return line;
}

export function registerUserCommand(program: Command): void {
  const user = program.command("user").description("Manage the agents who sign in to Rapport");
  user
    .command("create")
    .description("Create an agent who can sign in")
    .requiredOption("--email <email>", "sign-in email")
    .requiredOption("--name <name>", "display name, shown on replies")
    .requiredOption("--password <password>", 'password (at least 8 characters); "-" reads it from stdin')
    .option("--admin", "give the agent the admin role", false)
    .action(async (options: { email: string; name: string; password: string; admin: boolean }) => {
      const password = options.password === "-" ? await readSecretFromStdin() : options.password;
      const { AuthService } = await import("../../services/auth.service.ts");
      const agent = await withDatabase((database) =>
        new AuthService(database.db).createAgent({
          email: options.email,
          name: options.name,
          password,
          role: options.admin ? "admin" : "agent",
        }),
      );
      printJson(agent);
    });
}
