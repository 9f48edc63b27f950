#!/usr/bin/env node
// `npm start` on a fresh clone: build the web workspace once if web/dist is missing, so the server
// has something to serve at /. `npm run build:web` rebuilds it after changes.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const index = new URL("../web/dist/index.html", import.meta.url);
if (!existsSync(index)) {
  console.log("Building the web workspace (web/dist is missing)…");
  const result = spawnSync("npm", ["run", "build:web"], {
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
