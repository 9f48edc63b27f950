/** The rows IngestRepository reads and writes (snake_case, as the SQL returns them). */

export interface ChannelRow {
  id: string;
  key: string;
  kind: string;
  platform: string;
}

export interface ChannelSpec {
  key: string;
  kind: string;
  platform: string;
  name: string;
}

export interface RawEventRow {
  source: string;
  format: string;
  channel_key: string | null;
  payload: unknown;
}

export interface IdentityRow {
  id: string;
  person_id: string;
  platform: string;
  external_id: string;
}

export interface IdentityUpsert {
  id: string;
  person_id: string;
  platform: string;
  external_id: string;
  handle: string | null;
  display_name: string | null;
  follower_count: number | null;
  profile_url: string | null;
}

export interface ConversationRow {
  id: string;
  channel_id: string;
  thread_key: string;
  person_id: string | null;
  status: string;
}

export interface NewConversation {
  id: string;
  channel_id: string;
  thread_key: string;
  person_id: string | null;
  visibility: "public" | "private";
  created_at: string;
  subject: string | null;
  status: "open" | "resolved";
}

export interface NewMessage {
  id: string;
  conversation_id: string;
  channel_id: string;
  external_id: string;
  in_reply_to_external_id: string | null;
  direction: "in" | "out";
  visibility: "public" | "private" | "note";
  text: string;
  html: string | null;
  automated: "auto_reply" | "bounce" | "list" | null;
  author_identity_id: string | null;
  author_agent_id: string | null;
  raw_event_id: number | null;
  delivery_status: "pending" | "sent" | "failed" | null;
  created_at: string;
  sentiment_score: number | null;
  sentiment_label: string | null;
  intent: string[] | null;
  urgency: string | null;
  spam_score: number | null;
  spam_label: string | null;
  language: string | null;
  analysis: unknown;
  analyzer_version: string | null;
  /** Set when the message arrived already edited (its edit was the first we heard of it). */
  edited_at?: string | null;
}

/** An attachment of a message: content as base64 (stored as bytea). */
export interface NewAttachment {
  message_id: string;
  position: number;
  filename: string;
  content_type: string;
  size: number;
  content: string | null;
  /** Where the platform keeps the file, to download it when `content` is null. */
  source_url: string | null;
}
