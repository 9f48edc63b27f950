/**
 * The chat widget's bundle, as `rapport serve` serves it at /widget.js: one file, under 35 KB gzipped,
 * and free of HTML sinks (visitor and agent text is rendered as text).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url);
const bundle = new URL("widget/dist/widget.js", root);
const LIMIT = 35 * 1024;

describe("the widget bundle", () => {
  beforeAll(() => {
    if (!existsSync(bundle)) {
      const built = spawnSync("npm", ["run", "build:widget"], { cwd: root, stdio: "inherit" });
      if (built.status !== 0) throw new Error("npm run build:widget failed");
    }
  });

  it(`is under ${LIMIT / 1024} KB gzipped`, () => {
    const code = readFileSync(bundle);
    const gzipped = gzipSync(code, { level: 9 }).length;
    console.log(`widget.js: ${code.length} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThan(LIMIT);
  });

  it("never writes HTML from strings", () => {
    // Preact touches innerHTML only for dangerouslySetInnerHTML, which the widget's code never uses.
    for (const file of readdirSync(new URL("widget/src/", root)).filter((f) => !f.endsWith(".test.ts"))) {
      const source = readFileSync(new URL(`widget/src/${file}`, root), "utf8");
      expect(source, file).not.toMatch(
        /dangerouslySetInnerHTML|innerHTML|insertAdjacentHTML|document\.write/,
      );
    }
  });
});
