import { useMutation, useQueryClient } from "@tanstack/react-query";
import { showToast } from "../lib/toast";
import { post } from "./client";

/** Status and assignment changes, shared by the list's shortcuts and the conversation's buttons. */
export function useConversationActions() {
  const client = useQueryClient();
  const refresh = (id: string) => {
    void client.invalidateQueries({ queryKey: ["list"] });
    void client.invalidateQueries({ queryKey: ["conversation", id] });
  };
  const setStatus = useMutation({
    mutationFn: ({ id, status }: { id: string; status: string }) =>
      post(`/api/conversations/${id}/status`, { status }),
    onSuccess: (_d, v) => {
      refresh(v.id);
      showToast(v.status === "open" ? "Reopened." : `Marked ${v.status}.`);
    },
  });
  const assign = useMutation({
    mutationFn: ({ id, agentId }: { id: string; agentId: string | null }) =>
      post(`/api/conversations/${id}/assign`, { agentId }),
    onSuccess: (_d, v) => {
      refresh(v.id);
      showToast(v.agentId === "me" ? "Assigned to you." : v.agentId ? "Assigned." : "Unassigned.");
    },
  });
  return { setStatus, assign };
}
