/** Live updates: the server's event stream (SSE) invalidates the matching cached queries. */
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

export type LiveState = "connecting" | "live" | "reconnecting";

export const EVENT_TYPES = [
  "message.created",
  "message.updated",
  "conversation.created",
  "conversation.updated",
  "presence.changed",
] as const;

/** What a server event makes stale. */
export function invalidate(client: QueryClient, type: string, data: { conversationId?: string }): void {
  const id = data.conversationId;
  if (type === "presence.changed") {
    void client.invalidateQueries({ queryKey: ["presence", id] });
    return;
  }
  void client.invalidateQueries({ queryKey: ["list"] });
  if (id) void client.invalidateQueries({ queryKey: ["conversation", id] });
  if (type === "conversation.created" || type === "message.created")
    void client.invalidateQueries({ queryKey: ["person"] });
}

export function useRealtime(enabled: boolean): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>("connecting");
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = 2000;
    let stopped = false;
    const connect = () => {
      source = new EventSource("/api/events");
      source.onopen = () => {
        delay = 2000;
        setState("live");
        // Anything may have changed while we were away.
        void client.invalidateQueries({ queryKey: ["list"] });
      };
      const handle = (type: string) => (event: MessageEvent<string>) => {
        try {
          invalidate(client, type, JSON.parse(event.data) as { conversationId?: string });
        } catch {
          /* a malformed event is ignored */
        }
      };
      for (const type of EVENT_TYPES) source.addEventListener(type, handle(type) as EventListener);
      source.onerror = () => {
        setState("reconnecting");
        // The browser retries by itself while the stream is CONNECTING; once CLOSED (e.g. a 404 or 502),
        // we retry with a growing delay.
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          retry = setTimeout(connect, delay);
          delay = Math.min(delay * 2, 30_000);
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [enabled, client]);
  return state;
}
