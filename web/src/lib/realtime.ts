/** Live updates: the server's event stream (SSE) invalidates the matching cached queries. */
import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

export type LiveState = "connecting" | "live" | "reconnecting";

export const EVENT_TYPES = [
  "message.created",
  "message.updated",
  "conversation.created",
  "conversation.updated",
  "presence.changed",
  "visitor.typing",
] as const;

/** A website visitor's "typing" lasts this long unless renewed (the widget renews every 3 s). */
export const VISITOR_TYPING_MS = 8000;

/** What a server event makes stale. */
export function invalidate(
  client: QueryClient,
  type: string,
  data: { conversationId?: string; typing?: boolean },
): void {
  const id = data.conversationId;
  if (type === "visitor.typing") {
    // Not stored anywhere: the time the visitor last said they were typing (0: stopped).
    client.setQueryData(["visitor-typing", id], data.typing ? Date.now() : 0);
    return;
  }
  if (type === "presence.changed") {
    void client.invalidateQueries({ queryKey: ["presence", id] });
    return;
  }
  void client.invalidateQueries({ queryKey: ["list"] });
  if (id) void client.invalidateQueries({ queryKey: ["conversation", id] });
  if (type === "conversation.created" || type === "message.created")
    void client.invalidateQueries({ queryKey: ["person"] });
}

/** Whether the website visitor of this conversation is typing now (chat widget). */
export function useVisitorTyping(id: string): boolean {
  const { data } = useQuery({ queryKey: ["visitor-typing", id], queryFn: () => 0, staleTime: Infinity });
  const [, rerender] = useState(0);
  const since = data ? Date.now() - data : Number.POSITIVE_INFINITY;
  const typing = since < VISITOR_TYPING_MS;
  useEffect(() => {
    if (!typing) return;
    const timer = setTimeout(() => rerender((n) => n + 1), VISITOR_TYPING_MS - since + 50);
    return () => clearTimeout(timer);
  }, [typing, since]);
  return typing;
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
          invalidate(client, type, JSON.parse(event.data) as { conversationId?: string; typing?: boolean });
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
