/** Channel settings: the kinds that can be set up, one channel's settings, and the changes to them. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { JsonSchema } from "../lib/json-schema";
import { api, post } from "./client";

export type HealthStatus = "ok" | "error" | "waiting" | "paused" | "inactive";

export interface ChannelProblem {
  service: string;
  step?: string;
  message: string;
}

export interface ChannelHealth {
  status: HealthStatus;
  lastOkAt: string | null;
  lastErrorAt: string | null;
  lastError: ChannelProblem | null;
}

export interface ChannelListItem {
  id: string;
  key: string;
  kind: string;
  name: string;
  teamId: string | null;
  canSetUp: boolean;
  hasSecrets: boolean;
  paused: boolean;
  health: ChannelHealth;
}

export interface SetupNote {
  label: string;
  value: string;
  code?: boolean;
}

export interface ChannelSettings extends ChannelListItem {
  config: unknown;
  capabilities: Record<string, boolean> | null;
  secretsSet: string[];
  secretsError: string | null;
  pausedAt: string | null;
  notes: SetupNote[];
  createdAt: string;
  updatedAt: string;
}

export interface ChannelKind {
  kind: string;
  label: string;
  description: string | null;
  capabilities: Record<string, boolean>;
  polls: boolean;
  /** Can be connected through the platform's sign-in (POST /api/channels/oauth/start). */
  oauth: boolean;
  /** Rapport generates some of its secrets (a webhook signing secret): they can be rotated. */
  generatesSecrets: boolean;
  config: JsonSchema;
  secrets: JsonSchema;
}

export interface ConnectionCheck {
  service: string;
  ok: boolean;
  step?: string;
  message: string;
}

export function useChannelKinds() {
  return useQuery({
    queryKey: ["channel-kinds"],
    queryFn: () => api<{ items: ChannelKind[] }>("/api/channel-kinds"),
    select: (d) => d.items,
    staleTime: 5 * 60_000,
  });
}

export function useChannelSettings(id: string) {
  return useQuery({
    queryKey: ["channel", id],
    queryFn: ({ signal }) => api<ChannelSettings>(`/api/channels/${id}`, { signal }),
    // Health changes as the poller works: "last checked" stays current.
    refetchInterval: 30_000,
  });
}

/** Keeps the list and the channel's page in step after a change. */
export function useChannelSaved() {
  const client = useQueryClient();
  return (channel: ChannelSettings) => {
    client.setQueryData(["channel", channel.id], channel);
    void client.invalidateQueries({ queryKey: ["channels"] });
  };
}

export function usePauseChannel(id: string) {
  const saved = useChannelSaved();
  return useMutation({
    mutationFn: (paused: boolean) =>
      post<ChannelSettings>(`/api/channels/${id}/${paused ? "pause" : "resume"}`),
    onSuccess: saved,
  });
}

export function useTestConnection(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => post<{ ok: boolean; checks: ConnectionCheck[] }>(`/api/channels/${id}/test`),
    onSettled: () => void client.invalidateQueries({ queryKey: ["channel", id] }),
  });
}

/** Every channel with its health, refreshed while shown (the same cache as the inbox's channel filter). */
export function useChannelList() {
  return useQuery({
    queryKey: ["channels"],
    queryFn: () => api<{ items: ChannelListItem[] }>("/api/channels"),
    select: (d) => d.items,
    refetchInterval: 30_000,
  });
}
