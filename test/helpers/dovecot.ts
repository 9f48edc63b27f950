/**
 * A real IMAP server for tests: Debian's dovecot, started on a free localhost port with a generated
 * minimal config in a temp folder (passwd-file auth, maildir under the folder, no TLS). Needs the
 * `dovecot` binary (apt-get install dovecot-imapd; .ci/run installs it) and root; `dovecotAvailable`
 * says whether tests can run.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const BINARY = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"].find((p) => existsSync(p));
export const dovecotAvailable = Boolean(BINARY) && process.getuid?.() === 0;
export const dovecotMissingReason = !BINARY
  ? "dovecot is not installed (apt-get install dovecot-imapd): IMAP tests are skipped"
  : "IMAP tests need root to start dovecot: skipped";

export const IMAP_USER = "care";
export const IMAP_PASSWORD = "imap-secret";

export interface TestImap {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startDovecot(): Promise<TestImap> {
  if (!BINARY) throw new Error(dovecotMissingReason);
  const dir = mkdtempSync(path.join(tmpdir(), "rapport-dovecot-"));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const uid = Number(execFileSync("id", ["-u", "dovecot"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "dovecot"]).toString().trim());
  for (const sub of ["run", "state", "mail", "home"]) mkdirSync(path.join(dir, sub), { recursive: true });
  execFileSync("chown", ["-R", `${uid}:${gid}`, path.join(dir, "mail"), path.join(dir, "home")]);
  writeFileSync(path.join(dir, "passwd"), `${IMAP_USER}:{PLAIN}${IMAP_PASSWORD}::::::\n`);
  const conf = path.join(dir, "dovecot.conf");
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = ${uid}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  const child: ChildProcess = spawn(BINARY, ["-F", "-c", conf], { stdio: "ignore" });
  // Ready when the port accepts connections.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null)
      throw new Error(`dovecot exited (${child.exitCode}); see ${dir}/dovecot.log`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    dir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
