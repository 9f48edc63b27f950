/** A pid lockfile that keeps a second process from opening the same PGlite data folder. */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { AppError } from "../core/errors.ts";

export interface Lock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function acquireLock(file: string): Lock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
        process.off("exit", release);
      };
      process.on("exit", release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number.parseInt(readFileSync(file, "utf8"), 10);
      if (Number.isFinite(pid) && pid !== process.pid && isAlive(pid)) {
        throw new AppError(
          "database_locked",
          `The data folder is in use by process ${pid} (probably \`rapport serve\`). Stop it first, ` +
            "or use the HTTP API while it runs.",
        );
      }
      // A stale lock from a process that died: take it over.
      rmSync(file, { force: true });
    }
  }
  throw new AppError("database_locked", `Could not take the lock ${file}.`);
}
