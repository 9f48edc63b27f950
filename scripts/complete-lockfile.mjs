#!/usr/bin/env node
// The npm registry mirror this project is built with lacks some platform-specific optional packages
// (e.g. @biomejs/cli-darwin-x64 at the version we use), so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lockfile as out of sync. This script adds the missing
// optional entries with their os/cpu/libc (read from the package name), which is exactly what npm
// needs to skip them on other platforms. Run it after `npm install` whenever dependencies change.
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const OS = [
  "darwin",
  "linux",
  "win32",
  "android",
  "freebsd",
  "openbsd",
  "netbsd",
  "openharmony",
  "sunos",
  "aix",
];
const CPU = ["x64", "arm64", "arm", "ia32", "loong64", "ppc64", "riscv64", "s390x", "mips64el", "wasm32"];

function platformOf(name) {
  const tokens = name.split("/").pop().split("-");
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  if (!os || !cpu) return null;
  const entry = { os: [os], cpu: [cpu] };
  if (os === "linux") {
    if (tokens.includes("musl") || tokens.includes("musleabihf")) entry.libc = ["musl"];
    else if (tokens.some((t) => t.startsWith("gnu"))) entry.libc = ["glibc"];
  }
  return entry;
}

let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = path === "" ? "" : `${path}/`;
    const here = `${base}node_modules/${dep}`;
    if (lock.packages[here] || lock.packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    lock.packages[`node_modules/${dep}`] = {
      version,
      ...(pkg.dev ? { dev: true } : {}),
      optional: true,
      ...platform,
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform entries`);
