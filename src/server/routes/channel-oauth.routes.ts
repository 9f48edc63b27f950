/**
 * Connecting a channel through the platform's OAuth (admin), for connectors with `setup.oauth`
 * (Mastodon): `POST /api/channels/oauth/start` prepares it (Mastodon: registers Rapport as an app on the
 * instance) and answers the platform's authorize URL; the platform sends the admin back to
 * `GET /api/channels/oauth/callback`, which exchanges the code for a token and creates the channel.
 * Nothing is stored in between: what the callback needs (kind, name, config, the app's client secret,
 * who started it, an expiry) travels in `state`, sealed with the secrets key (AES-256-GCM), so any
 * server process can finish the flow and nobody can forge or read it.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ChannelSetupService } from "../../channels/channel.setup.ts";
import type { ConnectorRegistry } from "../../channels/registry.ts";
import { AppError } from "../../core/errors.ts";
import { describeZodError } from "../../core/inbound.ts";
import { NO_SECRET_KEY, type SecretBox } from "../../services/secrets.ts";
import type { ChannelRow } from "../../store/channel.repository.ts";
import { errorSchema } from "../api.schemas.ts";
import { actorOf, requireAdmin } from "../auth/auth.hook.ts";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };
/** How long the admin has to approve on the platform. */
const STATE_TTL_MS = 30 * 60_000;
const CALLBACK = "/api/channels/oauth/callback";

export interface ChannelOAuthRouteDeps {
  /** Creates the channel (validation, sealing, audit) exactly as `POST /api/channels` does. */
  setup: ChannelSetupService;
  connectors: ConnectorRegistry;
  secrets: SecretBox | null;
  /** Rapport's public address (RAPPORT_PUBLIC_URL); the request's own host when absent. */
  publicUrl?: string;
  onChannelCreated?: (channel: ChannelRow) => unknown;
}

const stateSchema = z.object({
  kind: z.string(),
  name: z.string(),
  key: z.string().optional(),
  config: z.string(),
  pending: z.string(),
  agent: z.string(),
  exp: z.string(),
});

const words = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const channelOAuthRoutes: FastifyPluginAsyncZod<ChannelOAuthRouteDeps> = async (app, deps) => {
  const redirectUri = (request: { protocol: string; host: string }) =>
    `${(deps.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, "")}${CALLBACK}`;
  const oauthOf = (kind: string) => {
    const connector = deps.connectors.get(kind);
    const oauth = connector?.setup?.oauth;
    if (!connector?.setup || !oauth) {
      const kinds = deps.connectors
        .all()
        .filter((c) => c.setup?.oauth)
        .map((c) => c.kind);
      throw new AppError(
        "bad_request",
        `Channels of kind "${kind}" cannot be connected with OAuth (kinds: ${kinds.join(", ") || "none"}).`,
      );
    }
    return { setup: connector.setup, oauth };
  };

  app.post(
    "/api/channels/oauth/start",
    {
      schema: {
        tags: ["channels"],
        summary:
          "Start connecting a channel with the platform's OAuth (admin): answers the URL to send the admin to",
        body: z.object({
          kind: z.string().min(1).max(50),
          name: z.string().trim().min(1).max(200),
          key: z
            .string()
            .trim()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/)
            .max(200)
            .optional(),
          config: z.unknown(),
        }),
        response: { 200: z.object({ authorizeUrl: z.string(), redirectUri: z.string() }), ...errors },
      },
    },
    async (request) => {
      const agent = requireAdmin(request);
      const { kind, name, key } = request.body;
      const { setup, oauth } = oauthOf(kind);
      const config = setup.config.safeParse(request.body.config);
      if (!config.success)
        throw new AppError("validation_failed", `config: ${describeZodError(config.error)}`);
      const box = deps.secrets;
      if (!box) throw new AppError("bad_request", NO_SECRET_KEY);
      const callback = redirectUri(request);
      const seal = (pending: Record<string, string>) =>
        box.seal({
          kind,
          name,
          ...(key ? { key } : {}),
          config: JSON.stringify(config.data),
          pending: JSON.stringify(pending),
          agent: agent.id,
          exp: String(Date.now() + STATE_TTL_MS),
        });
      try {
        const { authorizeUrl } = await oauth.start(config.data, callback, seal);
        return { authorizeUrl, redirectUri: callback };
      } catch (error) {
        throw new AppError("bad_request", `Could not start connecting to the platform: ${words(error)}`);
      }
    },
  );

  app.get(
    CALLBACK,
    {
      schema: {
        tags: ["channels"],
        summary:
          "Where the platform sends the admin back after approving (admin's session): creates the channel",
        querystring: z.object({
          state: z.string().min(1).max(8000),
          code: z.string().max(2000).optional(),
          error: z.string().max(500).optional(),
          error_description: z.string().max(2000).optional(),
        }),
        response: {
          201: z.object({ id: z.string(), key: z.string(), kind: z.string(), name: z.string() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const agent = requireAdmin(request);
      if (!deps.secrets) throw new AppError("bad_request", NO_SECRET_KEY);
      let state: z.infer<typeof stateSchema>;
      try {
        state = stateSchema.parse(deps.secrets.open(request.query.state));
      } catch {
        throw new AppError(
          "bad_request",
          "This connection link is not valid (or was made with another secret key). Start connecting again.",
        );
      }
      if (Number(state.exp) < Date.now())
        throw new AppError(
          "bad_request",
          "This connection link has expired (30 minutes). Start connecting again.",
        );
      if (state.agent !== agent.id)
        throw new AppError("forbidden", "Another admin started this connection; start your own.");
      if (request.query.error)
        throw new AppError(
          "bad_request",
          `The platform did not grant access: ${[request.query.error, request.query.error_description].filter(Boolean).join(": ")}`,
        );
      const { oauth } = oauthOf(state.kind);
      const config: unknown = JSON.parse(state.config);
      let secrets: Record<string, string>;
      try {
        const query = Object.fromEntries(
          Object.entries(request.query).filter((e): e is [string, string] => typeof e[1] === "string"),
        );
        secrets = await oauth.finish(config, redirectUri(request), JSON.parse(state.pending), query);
      } catch (error) {
        throw new AppError("bad_request", `The platform refused the connection: ${words(error)}`);
      }
      const { channel: created } = await deps.setup
        .create(
          { kind: state.kind, name: state.name, ...(state.key ? { key: state.key } : {}), config, secrets },
          actorOf(request),
        )
        .catch((error: unknown) => {
          if (error instanceof AppError && error.code === "validation_failed")
            throw new AppError("bad_request", `The platform's answer was unusable: ${error.message}`);
          throw error;
        });
      await deps.onChannelCreated?.(created);
      const body = { id: created.id, key: created.key, kind: created.kind, name: created.name };
      // A browser coming back from the platform lands on the channel's settings; API clients get JSON.
      if ((request.headers.accept ?? "").includes("text/html"))
        return reply.redirect(`/settings/channels/${encodeURIComponent(created.id)}?created=1`, 303);
      return reply.status(201).send(body);
    },
  );
};
