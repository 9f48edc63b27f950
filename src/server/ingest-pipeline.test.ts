import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { agentWithToken } from "../../test/helpers/server.ts";
import { inbound } from "../../test/helpers/services.ts";
import { createServices } from "../services/container.ts";
import { buildApp } from "./app.ts";

describeEachEngine("POST /api/ingest through the real pipeline", (ctx) => {
  it("stores valid messages once, dead-letters invalid ones, and shows them with analysis", async () => {
    const services = createServices(ctx.database);
    const app = await buildApp({ database: ctx.database, services });
    const { headers } = await agentWithToken(ctx.database, "ingest-e2e@example.com");
    const good = inbound({ channel: "api-e2e", text: "Thank you so much, you were wonderful!" });
    const bad = { ...inbound({ channel: "api-e2e" }), direction: "sideways" };

    const first = await app.inject({
      method: "POST",
      url: "/api/ingest",
      headers,
      payload: [good, bad, good],
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ messages: 1, duplicates: 1, deadLetters: 1 });
    expect(first.json().outcomes[1].reason).toContain("direction");

    const onlyBad = await app.inject({ method: "POST", url: "/api/ingest", headers, payload: bad });
    expect(onlyBad.statusCode).toBe(422);

    const conversationId = first.json().outcomes[0].conversationId as string;
    const detail = await app.inject({ method: "GET", url: `/api/conversations/${conversationId}`, headers });
    expect(detail.statusCode).toBe(200);
    const body = detail.json();
    const messages = body.messages ?? body.conversation?.messages;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ text: good.text, sentimentLabel: "positive" });
    await app.close();
  });
});
