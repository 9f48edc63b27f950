/**
 * Builds the chat widget (Preact) into one self-contained file, widget/dist/widget.js, which the
 * server serves at /widget.js. An IIFE: a page adds it with one <script> tag and nothing else.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  esbuild: { jsx: "automatic", jsxImportSource: "preact", legalComments: "none" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2019",
    lib: {
      entry: fileURLToPath(new URL("src/main.tsx", import.meta.url)),
      name: "RapportChat",
      formats: ["iife"],
      fileName: () => "widget.js",
    },
  },
});
