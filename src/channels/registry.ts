/**
 * Channel kind → connector. Adding a platform means adding its folder under src/channels/ and one line
 * here.
 */
import type { NormalizerRegistry } from "../services/normalizers.ts";
import { blueskyConnector } from "./bluesky/bluesky.connector.ts";
import type { Connector, SendInput } from "./connector.ts";
import { DEMO_KINDS, demoConnector } from "./demo/demo.connector.ts";
import { emailConnector } from "./email/email.connector.ts";
import { mastodonConnector } from "./mastodon/mastodon.connector.ts";
import { testConnector } from "./test/test.connector.ts";
import { type WebchatDirectory, webchatConnector } from "./webchat/webchat.connector.ts";
import { webhookConnector } from "./webhook/webhook.connector.ts";

export class ConnectorRegistry {
  private readonly byKind = new Map<string, Connector>();

  constructor(connectors: Connector[] = []) {
    for (const connector of connectors) this.register(connector);
  }

  register(connector: Connector): this {
    this.byKind.set(connector.kind, connector);
    return this;
  }

  get(kind: string): Connector | undefined {
    return this.byKind.get(kind);
  }

  kinds(): string[] {
    return [...this.byKind.keys()].sort();
  }

  all(): Connector[] {
    return [...this.byKind.values()];
  }

  /** Registers each connector's parser as the normalizer of its raw-event format (for ingest and replay). */
  registerFormats(normalizers: NormalizerRegistry): NormalizerRegistry {
    for (const connector of this.byKind.values()) {
      if (connector.parse) normalizers.register(connector.format ?? connector.kind, connector.parse);
    }
    return normalizers;
  }
}

const hasSecrets = (input: SendInput) => Object.keys(input.channel.secrets ?? {}).length > 0;

export interface RegistryOptions {
  /** Demo mode: the demo platforms' kinds send through the demo connector (no network). */
  demo?: boolean;
  /** What the webchat connector reads when sending (visitors, the email channel for offline replies). */
  webchat?: WebchatDirectory;
}

export function createConnectorRegistry(options: RegistryOptions = {}): ConnectorRegistry {
  const registry = new ConnectorRegistry([testConnector(), demoConnector("import")]);
  if (options.demo) for (const kind of DEMO_KINDS) registry.register(demoConnector(kind));
  registry.register(webchatConnector(() => options.webchat));
  for (const connector of [emailConnector(), webhookConnector(), blueskyConnector(), mastodonConnector()]) {
    const demo = registry.get(connector.kind);
    // In demo mode the demo workspace's channels (no secrets) still send nowhere; set-up ones send for real.
    registry.register(
      demo
        ? { ...connector, send: (input) => (hasSecrets(input) ? connector.send(input) : demo.send(input)) }
        : connector,
    );
  }
  return registry;
}
