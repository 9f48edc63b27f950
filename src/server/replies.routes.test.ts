import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { asApi, inbound } from "../../test/helpers/services.ts";
import { AuthService } from "../services/auth.service.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

describeEachEngine("replies, notes and the guard over HTTP", (ctx) => {
  it("sends, warns (409), blocks (422), notes with mentions, retries, and reports", async () => {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    const maria = await agentWithToken(ctx.database, "maria.reply@example.com");
    const auth = new AuthService(ctx.database.db);
    await auth.createAgent({
      email: "sam.reply@example.com",
      name: "Sam Rivera",
      password: "long enough pw",
    });
    const { headers: adminHeaders } = await agentWithToken(ctx.database, "admin.reply@example.com", {
      role: "admin",
      name: "Ada Admin",
    });
    const stored = await services.ingest.ingest([
      asApi(
        inbound({
          channel: "reply-http",
          author: { externalId: "jo-1", displayName: "Jo Park", handle: "jopark" },
        }),
      ),
    ]);
    const id = (stored.outcomes[0] as { conversationId: string }).conversationId;
    const post = (url: string, payload: unknown, headers: Record<string, string> = maria.headers) =>
      app.inject({ method: "POST", url, headers, payload: payload as object });

    const sent = await post(`/api/conversations/${id}/replies`, { text: "Hi Jo, it ships today." });
    expect(sent.statusCode).toBe(201);
    expect(sent.json()).toMatchObject({
      findings: [],
      message: {
        direction: "out",
        visibility: "public",
        deliveryStatus: "pending",
        text: "Hi Jo, it ships today.\n\n— maria.reply",
        author: { kind: "agent", id: maria.agent.id },
        guardFindings: [],
      },
    });

    const warned = await post(`/api/conversations/${id}/replies`, { text: "use code SAVE20 at checkout" });
    expect(warned.statusCode).toBe(409);
    expect(warned.json().error).toMatchObject({
      code: "guard_warnings",
      details: { findings: [{ rule: "promo_code", severity: "warn", excerpt: "use code SAVE20" }] },
    });
    const anyway = await post(`/api/conversations/${id}/replies`, {
      text: "use code SAVE20 at checkout",
      acknowledgeWarnings: true,
    });
    expect(anyway.statusCode).toBe(201);
    expect(anyway.json().message.guardFindings).toMatchObject([{ rule: "promo_code" }]);

    const blocked = await post(`/api/conversations/${id}/replies`, { text: "Hi {{person.firstName}}!" });
    expect(blocked.statusCode).toBe(422);
    expect(blocked.json().error).toMatchObject({
      code: "guard_blocked",
      details: { findings: [{ rule: "placeholder", severity: "block" }] },
    });
    expect((await post(`/api/conversations/${id}/replies`, { text: "" })).statusCode).toBe(400);
    expect(
      (await post("/api/conversations/00000000-0000-0000-0000-000000000000/replies", { text: "Hi" }))
        .statusCode,
    ).toBe(404);

    const preview = await post("/api/guard/review", { conversationId: id, text: "Act now, Jo!" });
    expect(preview.json()).toEqual({
      findings: [expect.objectContaining({ rule: "pressure", severity: "warn" })],
    });

    // Rules: everyone reads, admins change.
    const rules = await app.inject({ method: "GET", url: "/api/guard/rules", headers: maria.headers });
    expect(rules.json().rules).toContainEqual(
      expect.objectContaining({ rule: "promo_code", severity: "warn" }),
    );
    const put = (headers: Record<string, string>) =>
      app.inject({
        method: "PUT",
        url: "/api/guard/rules",
        headers,
        payload: { rules: { promo_code: "block" } },
      });
    expect((await put(maria.headers)).statusCode).toBe(403);
    const changed = await put(adminHeaders);
    expect(changed.json().rules).toContainEqual(
      expect.objectContaining({ rule: "promo_code", severity: "block" }),
    );
    expect((await post(`/api/conversations/${id}/replies`, { text: "use code SAVE20" })).statusCode).toBe(
      422,
    );
    expect(
      (
        await app.inject({
          method: "PUT",
          url: "/api/guard/rules",
          headers: adminHeaders,
          payload: { rules: { promo_code: "loud" } },
        })
      ).statusCode,
    ).toBe(400);

    const note = await post(`/api/conversations/${id}/notes`, {
      text: "@Sam Rivera can you check? cc @maria.reply",
    });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toMatchObject({
      message: { visibility: "note", deliveryStatus: null },
      mentions: [{ name: "Sam Rivera" }, { agentId: maria.agent.id }],
    });

    // Retry: only failed replies.
    const messageId = sent.json().message.id;
    expect((await post(`/api/messages/${messageId}/retry`, {})).statusCode).toBe(409);
    await ctx.database.db.execute(
      sql`UPDATE messages SET delivery_status = 'failed', delivery_error = 'X said no' WHERE id = ${messageId}`,
    );
    const retried = await post(`/api/messages/${messageId}/retry`, {});
    expect(retried.statusCode).toBe(200);
    expect(retried.json().message).toMatchObject({
      id: messageId,
      deliveryStatus: "pending",
      deliveryError: null,
    });

    const thread = await app.inject({
      method: "GET",
      url: `/api/conversations/${id}`,
      headers: maria.headers,
    });
    expect(thread.json().messages.map((m: { visibility: string }) => m.visibility)).toEqual([
      "public",
      "public",
      "public",
      "note",
    ]);

    const report = await app.inject({ method: "GET", url: "/api/reports/guard", headers: maria.headers });
    expect(report.json()).toMatchObject({
      replies: 2,
      repliesWithWarnings: 1,
      overriddenWarnings: 1,
      blockedAttempts: 2,
    });
    expect(report.json().rules).toContainEqual({
      rule: "promo_code",
      setting: "block",
      warned: 1,
      blocked: 1,
    });
    expect(report.json().rules).toContainEqual({
      rule: "placeholder",
      setting: "block",
      warned: 0,
      blocked: 1,
    });
    await app.close();
  });
});
