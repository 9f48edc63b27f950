/**
 * A connector that exists only in tests, to show channel set-up is generic: no code outside its own
 * definition knows it. Its form has every kind of field (URL, enum, list, number with a default,
 * boolean, a secret); it answers "test connection" from its config, and gives a webhook URL as a note.
 */
import { z } from "zod";
import { type Connector, NO_CAPABILITIES, SendError } from "../../src/channels/connector.ts";

export const sampleConfigSchema = z.object({
  endpoint: z.url().meta({ title: "Endpoint", placeholder: "https://hooks.example/in" }),
  mode: z.enum(["push", "pull"]).meta({ title: "Mode", description: "How messages arrive." }),
  tags: z.array(z.string().min(1)).optional().meta({ title: "Tags" }),
  retries: z.number().int().min(0).max(5).default(3).meta({ title: "Retries" }),
  signed: z.boolean().meta({ title: "Signed requests" }),
});

export function sampleConnector(): Connector {
  return {
    kind: "sample",
    capabilities: NO_CAPABILITIES,
    async send() {
      throw new SendError("The sample channel sends nothing.", false);
    },
    setup: {
      label: "Sample (tests only)",
      description: "A channel kind only the tests know.",
      config: sampleConfigSchema,
      secrets: z.object({ token: z.string().min(8).meta({ title: "Token" }) }),
      async test(channel) {
        const config = sampleConfigSchema.parse(channel.config);
        const ok = config.mode === "push";
        return [
          ok
            ? { service: "sample", ok, message: `Would listen at ${config.endpoint}.` }
            : { service: "sample", ok, step: "mode", message: "Pull is not supported by the sample." },
        ];
      },
      notes: (channel, ctx) => [
        { label: "Webhook URL", value: `${ctx.publicUrl}/api/webhooks/sample/${channel.key}`, code: true },
        { label: "Mode", value: "Messages are pushed to the URL above." },
      ],
    },
  };
}
