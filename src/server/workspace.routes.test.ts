import type { LightMyRequestResponse } from "fastify";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

const cookieOf = (response: LightMyRequestResponse, name: string) =>
  response.cookies.find((c) => c.name === name)?.value;

describeEachEngine("first run, profiles, saved replies and CSRF", (ctx) => {
  it("sets up the first admin once, then works as a signed-in browser", async () => {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    expect((await app.inject({ method: "GET", url: "/api/setup" })).json()).toEqual({ needsSetup: true });
    const setup = await app.inject({
      method: "POST",
      url: "/api/setup",
      payload: { email: "First@Example.com", name: "Maria Lopez", password: "long enough pw" },
    });
    expect(setup.statusCode).toBe(201);
    expect(setup.json().agent).toMatchObject({ email: "first@example.com", role: "admin" });
    const session = cookieOf(setup, "rapport_session")!;
    const csrf = cookieOf(setup, "rapport_csrf")!;
    expect(session && csrf).toBeTruthy();
    expect((await app.inject({ method: "GET", url: "/api/setup" })).json()).toEqual({ needsSetup: false });
    const again = await app.inject({
      method: "POST",
      url: "/api/setup",
      payload: { email: "second@example.com", name: "Eve", password: "long enough pw" },
    });
    expect(again.statusCode).toBe(403);

    const cookies = { rapport_session: session, rapport_csrf: csrf };
    const browser = (
      method: "POST" | "PATCH" | "DELETE" | "PUT",
      url: string,
      payload?: object,
      withCsrf = true,
    ) =>
      app.inject({
        method,
        url,
        cookies,
        ...(withCsrf ? { headers: { "x-csrf-token": csrf } } : {}),
        ...(payload ? { payload } : {}),
      });

    // Profile: signature and avatar; CSRF is required for cookie sessions.
    expect(
      (await browser("PATCH", "/api/agents/me", { signature: "Maria, care team" }, false)).statusCode,
    ).toBe(403);
    const me = await browser("PATCH", "/api/agents/me", {
      signature: "Maria, care team",
      avatarUrl: "https://example.com/maria.png",
    });
    expect(me.json()).toMatchObject({ name: "Maria Lopez", signature: "Maria, care team", capacity: 10 });
    expect((await browser("PATCH", "/api/agents/me", { avatarUrl: "javascript:alert(1)" })).statusCode).toBe(
      400,
    );

    // Admin: invite an agent, change role and capacity; the last admin stays an admin.
    const invited = await browser("POST", "/api/agents", {
      email: "sam@example.com",
      name: "Sam Rivera",
      role: "agent",
      password: "long enough pw",
    });
    expect(invited.statusCode).toBe(201);
    const samId = invited.json().id;
    expect((await browser("PATCH", `/api/agents/${samId}`, { capacity: 3 })).json()).toMatchObject({
      role: "agent",
      capacity: 3,
    });
    const meId = setup.json().agent.id;
    expect((await browser("PATCH", `/api/agents/${meId}`, { role: "agent" })).statusCode).toBe(409);

    // Saved replies with placeholders, rendered for a conversation.
    const stored = await services.ingest.ingest([
      asApi(inbound({ channel: "saved", author: { externalId: "jo", displayName: "Jo Park" } })),
    ]);
    const conversationId = (stored.outcomes[0] as { conversationId: string }).conversationId;
    const saved = await browser("POST", "/api/saved-replies", {
      title: "Shipped",
      text: "Hi {{person.firstName}}, {{agent.firstName}} here: your order {{order.id}} shipped.",
    });
    expect(saved.statusCode).toBe(201);
    const savedId = saved.json().id;
    const list = await app.inject({ method: "GET", url: "/api/saved-replies", cookies });
    expect(list.json().items).toEqual([{ id: savedId, title: "Shipped", text: expect.any(String) }]);
    const rendered = await app.inject({
      method: "GET",
      url: `/api/saved-replies/${savedId}/render?conversationId=${conversationId}`,
      cookies,
    });
    expect(rendered.json()).toEqual({ text: "Hi Jo, Maria here: your order {{order.id}} shipped." });
    // The unfilled placeholder blocks sending.
    const blocked = await browser("POST", `/api/conversations/${conversationId}/replies`, {
      text: rendered.json().text,
    });
    expect(blocked.statusCode).toBe(422);
    const patched = await browser("PATCH", `/api/saved-replies/${savedId}`, {
      text: "Hi {{person.firstName}}, it shipped.",
    });
    expect(patched.json().text).toBe("Hi {{person.firstName}}, it shipped.");
    const fixed = await app.inject({
      method: "GET",
      url: `/api/saved-replies/${savedId}/render?conversationId=${conversationId}`,
      cookies,
    });
    const sent = await browser("POST", `/api/conversations/${conversationId}/replies`, {
      text: fixed.json().text,
    });
    expect(sent.statusCode).toBe(201);
    expect(sent.json().message.text).toBe("Hi Jo, it shipped.\n\nMaria, care team");
    expect((await browser("DELETE", `/api/saved-replies/${savedId}`)).statusCode).toBe(204);
    expect((await browser("DELETE", `/api/saved-replies/${savedId}`)).statusCode).toBe(404);
    await app.close();
  });
});
