/** The shapes the server sends (src/server/widget/widget.frames.ts and widget.status.ts). */

export interface WidgetStatus {
  channel: { key: string; name: string };
  greeting: string | null;
  color: string | null;
  agents: Array<{ name: string; avatarUrl: string | null }>;
  open: boolean;
  hours: { timezone: string; changesAt: string | null } | null;
  online: boolean;
  response: { targetMinutes: number; typicalMinutes: number | null; samples: number };
  maxText: number;
}

export interface ServerMessage {
  id: string;
  externalId: string;
  direction: "in" | "out";
  text: string;
  createdAt: string;
  agent: { name: string; avatarUrl: string | null } | null;
}

export type ServerFrame =
  | {
      type: "welcome";
      token: string;
      visitorId: string;
      reset?: string;
      contact: { email: string; name: string | null } | null;
      messages: ServerMessage[];
    }
  | { type: "ack"; id: string; messageId: string; duplicate: boolean }
  | { type: "message"; message: ServerMessage }
  | { type: "typing"; typing: boolean; agents: string[] }
  | { type: "contact"; email: string }
  | { type: "error"; code: string; message: string; ref?: string };

/** A message as the widget shows it: from the server, or written here and not yet acknowledged. */
export interface ChatMessage {
  key: string;
  id: string | null;
  clientId: string | null;
  direction: "in" | "out";
  text: string;
  createdAt: string;
  agent: { name: string; avatarUrl: string | null } | null;
  status: "sending" | "sent" | "failed";
  error?: string;
}
