import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { runCli as runBinary } from "../../../test/helpers/cli.ts";
import { AuthService } from "../../services/auth.service.ts";
import { openDatabase } from "../../store/db.ts";
import { agents } from "../../store/schema.ts";

const dir = mkdtempSync(path.join(tmpdir(), "rapport-cli-"));
const env = { RAPPORT_DATA: path.join(dir, "data"), DATABASE_URL: "" };

const runCli = (args: string[], input = "") => runBinary(args, env, input);

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
