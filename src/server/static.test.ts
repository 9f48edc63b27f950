import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { registerWebApp } from "./static.ts";

describe("serving the web workspace", () => {
  const dist = mkdtempSync(join(tmpdir(), "rapport-web-"));
  mkdirSync(join(dist, "assets"));
  writeFileSync(join(dist, "index.html"), "<!doctype html><title>Rapport</title>");
  writeFileSync(join(dist, "assets", "index-abc.js"), "console.log(1)");
  afterAll(() => rmSync(dist, { recursive: true, force: true }));

  async function app(root: string) {
    const server = Fastify();
    server.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: { code: "not_found" } }));
    server.get("/api/health", () => ({ status: "ok" }));
    await registerWebApp(server, root);
    await server.ready();
    return server;
  }

  it("serves index.html at / and for the app's own paths", async () => {
    const server = await app(dist);
    for (const url of ["/", "/c/5cdb8973-a26c-4c84-894f-b33b88ac400e", "/reports/fairness?x=1"]) {
      const res = await server.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.body).toContain("<title>Rapport</title>");
    }
  });

  it("serves fingerprinted assets with a long cache, and 404s for missing files", async () => {
    const server = await app(dist);
    const asset = await server.inject({ url: "/assets/index-abc.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toMatch(/immutable/);
    expect((await server.inject({ url: "/assets/nope.js" })).statusCode).toBe(404);
    expect((await server.inject({ url: "/../package.json" })).statusCode).toBe(404);
  });

  it("leaves /api to the API: unknown API paths get the JSON 404", async () => {
    const server = await app(dist);
    expect((await server.inject({ url: "/api/health" })).json()).toEqual({ status: "ok" });
    const missing = await server.inject({ url: "/api/nothing-here" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: "not_found" } });
  });

  it("without a build, / leads to the API documentation", async () => {
    const server = await app(join(dist, "missing"));
    const res = await server.inject({ url: "/" });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/api/docs");
  });
});
