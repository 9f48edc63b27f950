/** Outbound webhooks (Settings → Webhooks): their shapes, the API's base path, and the list query. */
import { useQuery } from "@tanstack/react-query";
import { api } from "./client";

export interface Webhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  consecutiveFailures: number;
  lastDeliveryAt: string | null;
  lastDeliveryStatus: string | null;
  createdAt: string;
}

export interface EventType {
  type: string;
  description: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  event: string;
  status: "pending" | "succeeded" | "failed" | "cancelled";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: string | null;
  redeliveryOf: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface DeliveryDetail extends Delivery {
  body: string;
  attemptLog: Array<{
    attempt: number;
    startedAt: string;
    durationMs: number;
    statusCode: number | null;
    responseExcerpt: string | null;
    error: string | null;
  }>;
}

export const WEBHOOKS_BASE = "/api/webhook-subscriptions";

/** Every webhook, with the event types one can subscribe to. */
export function useWebhooks() {
  return useQuery({
    queryKey: ["webhooks"],
    queryFn: () => api<{ items: Webhook[]; events: EventType[] }>(WEBHOOKS_BASE),
  });
}
