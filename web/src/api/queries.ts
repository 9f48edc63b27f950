/** react-query hooks over the API: one query key per resource, invalidated by live events. */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ApiError, api, withQuery } from "./client";
import type {
  AgentListItem,
  Channel,
  ConversationDetail,
  ConversationSummary,
  FairnessReport,
  HappinessReport,
  Me,
  Page,
  PersonDetail,
  Presence,
  QueueItem,
  SavedReply,
  Team,
} from "./types";

export function useMe() {
  return useQuery({
    queryKey: ["me"],
    queryFn: async () => {
      try {
        return await api<Me>("/api/auth/me");
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

/** First run: true when no agent can sign in yet. A server without the setup route needs none. */
export function useSetupNeeded(enabled: boolean) {
  return useQuery({
    queryKey: ["setup"],
    enabled,
    queryFn: async () => {
      try {
        return (await api<{ needsSetup: boolean }>("/api/setup")).needsSetup;
      } catch {
        return false;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export type View = "queue" | "open" | "waiting" | "resolved" | "spam" | "all";

export interface ListFilters {
  view: View;
  channel: string;
  team: string;
  assignee: string;
  label: string;
  q: string;
}

/** The fair queue (view "queue", no search) or the conversation list with a status filter. */
export function listSource(f: ListFilters): { path: string; query: Record<string, string> } {
  if (f.view === "queue" && !f.q && !f.label) {
    return { path: "/api/queue", query: { channel: f.channel, team: f.team, assignee: f.assignee } };
  }
  const status = f.view === "queue" ? "open,waiting" : f.view === "all" ? "" : f.view;
  return {
    path: "/api/conversations",
    query: { status, channel: f.channel, assignee: f.assignee, label: f.label, q: f.q },
  };
}

export function useConversationList(filters: ListFilters) {
  const source = listSource(filters);
  return useInfiniteQuery({
    queryKey: ["list", source],
    initialPageParam: "",
    queryFn: ({ pageParam, signal }) =>
      api<Page<QueueItem | ConversationSummary>>(
        withQuery(source.path, { ...source.query, limit: 50, cursor: pageParam }),
        { signal },
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Live events refresh the list at once; this is the safety net when the stream is down.
    refetchInterval: 30_000,
  });
}

export function useConversation(id: string | null) {
  return useQuery({
    queryKey: ["conversation", id],
    enabled: !!id,
    queryFn: ({ signal }) => api<ConversationDetail>(`/api/conversations/${id}`, { signal }),
  });
}

export function usePresence(id: string) {
  return useQuery({
    queryKey: ["presence", id],
    queryFn: ({ signal }) => api<{ items: Presence[] }>(`/api/conversations/${id}/presence`, { signal }),
    refetchInterval: 10_000,
    select: (data) => data.items,
  });
}

export function usePerson(id: string | null | undefined) {
  return useQuery({
    queryKey: ["person", id],
    enabled: !!id,
    queryFn: ({ signal }) => api<PersonDetail>(`/api/people/${id}`, { signal }),
  });
}

const directory = { staleTime: 5 * 60_000 };

export function useAgents() {
  return useQuery({
    queryKey: ["agents"],
    queryFn: () => api<{ items: AgentListItem[] }>("/api/agents"),
    select: (d) => d.items,
    ...directory,
  });
}

export function useTeams() {
  return useQuery({
    queryKey: ["teams"],
    queryFn: () => api<{ items: Team[] }>("/api/teams"),
    select: (d) => d.items,
    ...directory,
  });
}

export function useChannels() {
  return useQuery({
    queryKey: ["channels"],
    queryFn: () => api<{ items: Channel[] }>("/api/channels"),
    select: (d) => d.items,
    ...directory,
  });
}

/** Saved replies; an empty list when the server has none (or no such route yet). */
export function useSavedReplies() {
  return useQuery({
    queryKey: ["saved-replies"],
    queryFn: async () => {
      try {
        const data = await api<{ items: SavedReply[] } | SavedReply[]>("/api/saved-replies");
        return Array.isArray(data) ? data : data.items;
      } catch {
        return [];
      }
    },
    ...directory,
  });
}

export interface ReportRange {
  from: string;
  to: string;
  channel: string;
}

export function useReport<T extends FairnessReport | HappinessReport>(
  kind: "fairness" | "happiness",
  range: ReportRange,
) {
  return useQuery({
    queryKey: ["report", kind, range],
    queryFn: ({ signal }) => api<T>(withQuery(`/api/reports/${kind}`, { ...range }), { signal }),
  });
}
