/**
 * What the end-to-end suites share: Debian's Chromium (never a downloaded browser), the built web
 * workspace and widget they are served, and where screenshots go.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Whether a browser suite must skip here: without Chromium (or for `otherReason`, another missing
 * component), it says why once and returns true, for `describe.skipIf`.
 */
export function browserSuiteSkips(suite: string, otherReason: string | null = null): boolean {
  const reason = existsSync(CHROMIUM)
    ? otherReason
    : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does it)`;
  if (reason) console.warn(`e2e ${suite}: skipped — ${reason}`);
  return reason !== null;
}

/** The project's root folder. */
const ROOT = new URL("../../", import.meta.url);

/**
 * Where a suite writes screenshots: docs/screenshots/ when RAPPORT_SCREENSHOTS is set (to refresh the
 * pictures in docs/), else a throw-away folder, so a test run never rewrites committed files.
 */
export function screenshotFolder(): URL {
  const folder = process.env.RAPPORT_SCREENSHOTS
    ? new URL("docs/screenshots/", ROOT)
    : pathToFileURL(`${mkdtempSync(path.join(tmpdir(), "rapport-shots-"))}/`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

const BUILDS = {
  web: ["web/dist/index.html", "build:web"],
  widget: ["widget/dist/widget.js", "build:widget"],
} as const;

/** Builds the web workspace (and the widget) when their bundles are missing, as `npm test` does first. */
export function ensureBuilt(...parts: Array<keyof typeof BUILDS>): void {
  for (const part of parts) {
    const [file, script] = BUILDS[part];
    if (existsSync(new URL(file, ROOT))) continue;
    const built = spawnSync("npm", ["run", script], { cwd: ROOT, stdio: "inherit" });
    if (built.status !== 0) throw new Error(`npm run ${script} failed`);
  }
}

/**
 * Headless Chromium as root on a closed network: without the background-networking flags it keeps
 * trying to reach Google's hosts, and those refused connections slow every page.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
