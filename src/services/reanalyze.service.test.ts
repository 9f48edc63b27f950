import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/helpers/engines.ts";
import { asApi, buildIngest, inbound } from "../../test/helpers/services.ts";
import { rapportAnalyzer } from "../analysis/rapport.analyzer.ts";
import { vaderAnalyzer } from "../analysis/vader.analyzer.ts";
import { ReanalyzeService } from "./reanalyze.service.ts";

describeEachEngine("reanalyze", (ctx) => {
  it("re-analyses messages stored by an older analyzer, with progress, and only those", async () => {
    const { ingest } = buildIngest(ctx.database, { analyzer: vaderAnalyzer });
    const spam = inbound({
      channel: "reanalyze",
      text: "Check out my channel!! Subscribe and I'll sub back, free crypto giveaway http://bit.ly/x",
    });
    const plain = inbound({ channel: "reanalyze", text: "Not happy. My train was cancelled again." });
    await ingest.ingest([asApi(spam), asApi(plain)]);
    const service = new ReanalyzeService(ctx.database, rapportAnalyzer);
    const pending = await service.pending(false);
    expect(pending).toBeGreaterThanOrEqual(2);
    const progress: number[] = [];
    const result = await service.run({ pageSize: 1, onProgress: (d) => progress.push(d) });
    expect(result.messages).toBe(pending);
    expect(progress.at(-1)).toBe(pending);
    const rows = await ctx.database.rows<{
      external_id: string;
      spam_label: string;
      sentiment_label: string;
      analyzer_version: string;
    }>(
      sql`SELECT external_id, spam_label, sentiment_label, analyzer_version FROM messages
          WHERE external_id IN (${spam.externalId}, ${plain.externalId}) ORDER BY external_id`,
    );
    const byId = new Map(rows.map((r) => [r.external_id, r]));
    expect(byId.get(spam.externalId)).toMatchObject({
      spam_label: "spam",
      analyzer_version: rapportAnalyzer.version,
    });
    // vader-sentiment scores "Not happy." as positive-ish; Rapport's analyzer reads it as negative.
    expect(byId.get(plain.externalId)).toMatchObject({ sentiment_label: "negative", spam_label: "ham" });
    expect(await service.pending(false)).toBe(0);
    expect((await service.run()).messages).toBe(0);
  });
});
