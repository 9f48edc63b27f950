#!/usr/bin/env node
// `npm start` and `npm test` on a fresh clone: build the web workspace (web/dist) and the chat widget
// (widget/dist/widget.js) once if missing, so the server has something to serve. `npm run build:web` and
// `npm run build:widget` rebuild them after changes.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const builds = [
  { file: "../web/dist/index.html", script: "build:web", what: "the web workspace (web/dist)" },
  { file: "../widget/dist/widget.js", script: "build:widget", what: "the chat widget (widget/dist)" },
];
for (const build of builds) {
  if (existsSync(new URL(build.file, import.meta.url))) continue;
  console.log(`Building ${build.what}: it is missing…`);
  const result = spawnSync("npm", ["run", build.script], {
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
