/** Downloading files platforms keep, against a real local HTTP server. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMedia } from "./media.fetch.ts";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 8, 7]);
const open = { allowPrivateAddresses: true };

describe("fetchMedia", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? "/";
      if (path === "/photo.png") {
        res.writeHead(200, { "content-type": "image/png; charset=binary", "content-length": PNG.length });
        res.end(PNG);
      } else if (path.startsWith("/hop/")) {
        const n = Number(path.slice(5));
        res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : "/photo.png" });
        res.end();
      } else if (path === "/big-declared") {
        res.writeHead(200, { "content-type": "image/jpeg", "content-length": 5000 });
        res.end(Buffer.alloc(5000));
      } else if (path === "/big-streamed") {
        res.writeHead(200, { "content-type": "image/jpeg" }); // chunked: no length up front
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(500));
        res.end();
      } else if (path === "/busy") {
        res.writeHead(503);
        res.end();
      } else if (path === "/slow") {
        // Never answers: the timeout ends the wait.
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("downloads the file with the server's content type", async () => {
    const result = await fetchMedia(`${base}/photo.png`, open);
    expect(result).toEqual({ ok: true, content: PNG, contentType: "image/png" });
  });

  it("refuses private and loopback addresses unless allowed, also behind a name", async () => {
    for (const url of [`${base}/photo.png`, `http://localhost:${new URL(base).port}/photo.png`]) {
      const result = await fetchMedia(url);
      expect(result).toMatchObject({ ok: false, permanent: true });
      expect(!result.ok && result.reason).toMatch(/^refused: .*private address.*RAPPORT_MEDIA_ALLOW_PRIVATE/);
    }
    expect(await fetchMedia("http://169.254.169.254/latest/meta-data/")).toMatchObject({
      ok: false,
      permanent: true,
    });
  });

  it("follows up to three redirects", async () => {
    expect(await fetchMedia(`${base}/hop/2`, open)).toMatchObject({ ok: true, content: PNG });
    const result = await fetchMedia(`${base}/hop/3`, open);
    expect(result).toEqual({ ok: false, permanent: true, reason: "more than 3 redirects" });
  });

  it("gives up on files over the limit, declared or streamed", async () => {
    const declared = await fetchMedia(`${base}/big-declared`, { ...open, maxBytes: 1024 });
    expect(declared).toMatchObject({ ok: false, permanent: true });
    expect(!declared.ok && declared.reason).toMatch(/larger than the 0 MB kept per attachment$/);
    const streamed = await fetchMedia(`${base}/big-streamed`, { ...open, maxBytes: 1024 });
    expect(streamed).toMatchObject({ ok: false, permanent: true });
    expect(!streamed.ok && streamed.reason).toMatch(/^more than/);
  });

  it("says whether asking again could help", async () => {
    expect(await fetchMedia(`${base}/gone`, open)).toEqual({
      ok: false,
      permanent: true,
      reason: "the server answered 404",
    });
    expect(await fetchMedia(`${base}/busy`, open)).toEqual({
      ok: false,
      permanent: false,
      reason: "the server answered 503",
    });
    expect(await fetchMedia(`${base}/slow`, { ...open, timeoutMs: 300 })).toEqual({
      ok: false,
      permanent: false,
      reason: "no complete answer within the timeout",
    });
    const closed = await fetchMedia("http://127.0.0.1:1/photo.png", open);
    expect(closed).toMatchObject({ ok: false, permanent: false });
    expect(!closed.ok && closed.reason).toMatch(/ECONNREFUSED/);
    expect(await fetchMedia("ftp://example.com/a.png")).toEqual({
      ok: false,
      permanent: true,
      reason: "ftp: links are not downloaded",
    });
    expect(await fetchMedia("not a url")).toEqual({ ok: false, permanent: true, reason: "not a valid URL" });
  });
});
