/** Vite builds the agent workspace from web/ into web/dist; `rapport serve` serves that folder. */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  // No @vitejs/plugin-react on this registry: esbuild's automatic JSX runtime does the same job.
  esbuild: { jsx: "automatic" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    target: "es2022",
    rollupOptions: {
      // react-query marks its modules "use client" (for server components); meaningless in a SPA.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    // `npm run dev:web` next to `npm start`: the API (and its cookies) through the same origin.
    proxy: { "/api": { target: process.env.RAPPORT_API ?? "http://127.0.0.1:3000", changeOrigin: false } },
  },
});
