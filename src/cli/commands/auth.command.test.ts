import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { AuthService } from "../../services/auth.service.ts";
import { openDatabase } from "../../store/db.ts";
import { agents } from "../../store/schema.ts";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/rapport.js");
const dir = mkdtempSync(path.join(tmpdir(), "rapport-cli-"));
const env = { ...process.env, RAPPORT_DATA: path.join(dir, "data"), DATABASE_URL: "" };

function runCli(
  args: string[],
  input = "",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("rapport user create and token create: the real binary, secrets stored hashed", async () => {
  const password = "a long enough password";
  const user = await runCli(
    ["user", "create", "--email", "Mo@Example.com", "--name", "Mo", "--password", "-", "--admin"],
    `${password}\n`,
  );
  expect(user.code, user.stderr).toBe(0);
  expect(JSON.parse(user.stdout)).toMatchObject({ email: "mo@example.com", name: "Mo", role: "admin" });
  expect(user.stdout).not.toContain(password);
  expect(user.stdout).not.toMatch(/argon|hash/i);

  const token = await runCli(["token", "create", "--name", "ci", "--agent", "mo@example.com", "--json"]);
  expect(token.code, token.stderr).toBe(0);
  const created = JSON.parse(token.stdout);
  expect(created).toMatchObject({
    name: "ci",
    agent: { email: "mo@example.com" },
    note: /cannot be shown again/,
  });

  const duplicate = await runCli([
    "user",
    "create",
    "--email",
    "mo@example.com",
    "--name",
    "Mo",
    "--password",
    password,
  ]);
  expect(duplicate.code).toBe(2);
  expect(duplicate.stderr).toContain("already exists");

  const database = await openDatabase({ url: env.RAPPORT_DATA });
  try {
    const [row] = await database.db.select().from(agents);
    expect(row!.passwordHash).toMatch(/^\$argon2id\$/);
    const auth = new AuthService(database.db);
    expect(await auth.verifyPassword("mo@example.com", password)).not.toBeNull();
    expect(await auth.authenticateToken(created.token)).toMatchObject({ kind: "token", tokenName: "ci" });
  } finally {
    await database.close();
  }
});
