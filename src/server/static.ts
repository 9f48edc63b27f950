/**
 * The agent workspace: serves the built web app (web/dist) at `/`, with index.html for every non-API
 * path so the browser's router can take over. Without a build, `/` leads to the API documentation.
 */
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

export const WEB_DIST = fileURLToPath(new URL("../../web/dist/", import.meta.url));

export async function registerWebApp(app: FastifyInstance, root: string = WEB_DIST): Promise<void> {
  if (!existsSync(`${root}/index.html`)) {
    app.get("/", { schema: { hide: true } }, (_request, reply) => reply.redirect("/api/docs"));
    return;
  }
  // serve: false — we route ourselves, so unknown /api paths still get the JSON 404.
  await app.register(fastifyStatic, { root, serve: false, decorateReply: true });
  const sendIndex = (reply: import("fastify").FastifyReply) =>
    reply.header("cache-control", "no-cache").sendFile("index.html", root, { cacheControl: false });

  app.get("/", { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  app.get("/*", { schema: { hide: true } }, (request, reply) => {
    const path = decodeURIComponent(request.url.split("?")[0]!);
    if (path === "/api" || path.startsWith("/api/")) return reply.callNotFound();
    // A path with an extension is a file (it 404s if missing); anything else is a page of the app.
    if (extname(path)) {
      // Vite fingerprints everything under /assets, so those files never change.
      const immutable = path.startsWith("/assets/");
      return reply.sendFile(path.slice(1), root, {
        cacheControl: true,
        immutable,
        maxAge: immutable ? "365d" : 0,
      });
    }
    return sendIndex(reply);
  });
}
