/**
 * The channels of the live demos (`rapport serve --demo`). Their simulators run on a fresh local port
 * only in demo mode, so a later `rapport serve` without `--demo` on the same data leaves them alone
 * instead of retrying a server that is gone (serve.run.ts).
 */
export const BLUESKY_LIVE_DEMO_KEY = "bluesky-live";
export const MASTODON_LIVE_DEMO_KEY = "mastodon-live-demo";

const LIVE_DEMO_CHANNEL_KEYS: ReadonlySet<string> = new Set([BLUESKY_LIVE_DEMO_KEY, MASTODON_LIVE_DEMO_KEY]);

/** For ChannelPollers' `skip` outside demo mode: why a live demo channel is not polled. */
export function skipLiveDemoChannel(row: { key: string }): string | undefined {
  return LIVE_DEMO_CHANNEL_KEYS.has(row.key)
    ? "a live demo channel, whose simulator runs only with `rapport serve --demo`"
    : undefined;
}
