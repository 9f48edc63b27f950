/** The API's shapes, as the workspace uses them (see src/server/routes/*.routes.ts). */

export type Sentiment = "positive" | "neutral" | "negative";
export type Status = "open" | "waiting" | "resolved" | "spam";
export type SlaState = "ok" | "near" | "breached" | "met" | "paused";
export type Availability = "online" | "away" | "offline";

export interface Agent {
  id: string;
  email: string | null;
  name: string;
  role: "admin" | "agent";
  signature: string | null;
  avatarUrl: string | null;
  availability: Availability;
}

export interface Me {
  agent: Agent | null;
  via: "session" | "token";
}

export interface ChannelRef {
  id: string;
  key: string;
  kind: string;
  name: string;
}

export interface NamedRef {
  id: string;
  name: string;
}

export interface ConversationSummary {
  id: string;
  channel: ChannelRef;
  person: { id: string; displayName: string | null } | null;
  status: Status;
  visibility: "public" | "private";
  subject: string | null;
  assignee: NamedRef | null;
  team: NamedRef | null;
  labels: string[];
  messageCount: number;
  firstInboundAt: string | null;
  lastMessageAt: string | null;
  awaitingReply: boolean;
  preview: string | null;
  lastSentiment: Sentiment | null;
  sla: { dueAt: string | null; state: SlaState | null };
}

export interface Need {
  negative: boolean;
  complaint: boolean;
  urgent: string[];
  question: boolean;
  followUp: boolean;
  repeated: boolean;
  likelySpam: boolean;
}

export interface QueueItem extends ConversationSummary {
  score: number;
  why: string[];
  waitingSince: string | null;
  slaDueAt: string | null;
  need: Need;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type MessageAuthor =
  | {
      kind: "identity";
      id: string;
      platform: string;
      handle: string | null;
      displayName: string | null;
      profileUrl: string | null;
    }
  | { kind: "agent"; id: string; name: string }
  | null;

export interface Attachment {
  index: number;
  filename: string;
  contentType: string;
  size: number;
  /** Where to download it from Rapport; null until it is stored. */
  url: string | null;
  /** stored; downloading (from the platform, in the background); unavailable (see note). */
  status: "stored" | "downloading" | "unavailable";
  note: string | null;
  /** Where the platform keeps it, for files the platform named by URL. */
  sourceUrl: string | null;
}

export interface Message {
  id: string;
  direction: "in" | "out";
  visibility: "public" | "private" | "note";
  text: string;
  /** An email's sanitised HTML: shown only in a sandboxed frame, on request. */
  html: string | null;
  /** Mail no person wrote. */
  automated: "auto_reply" | "bounce" | "list" | null;
  attachments: Attachment[];
  createdAt: string;
  author: MessageAuthor;
  deliveryStatus: "pending" | "sent" | "failed" | null;
  deliveryError: string | null;
  editedAt: string | null;
  originalText: string | null;
  deletedAt: string | null;
  sentimentScore: number | null;
  sentimentLabel: Sentiment | null;
  intent: string[] | null;
  urgency: "low" | "normal" | "high" | null;
  spamLabel: "spam" | "ham" | null;
  language: string | null;
  /** The analyzer's full output: its reasons for urgency and spam are shown on the chips. */
  analysis: {
    urgency?: { level: string; reasons: string[] } | null;
    spam?: { label: string; reasons: string[] } | null;
  } | null;
  /** Agents' corrections of the analysis; the fields above already show the agent's labels. */
  corrections: Correction[];
}

export type CorrectionField = "sentiment" | "intent" | "urgency" | "spam" | "language";

export interface Correction {
  field: CorrectionField;
  /** What the analyzer said (sentiment and spam: { label, score }). */
  machine: unknown;
  human: string | string[];
  agent: { id: string; name: string } | null;
  correctedAt: string;
}

export interface ConversationDetail extends ConversationSummary {
  messages: Message[];
}

export interface Presence {
  agentId: string;
  name: string;
  activity: "viewing" | "replying";
  expiresAt: string;
}

export interface Identity {
  id: string;
  platform: string;
  externalId: string;
  handle: string | null;
  displayName: string | null;
  profileUrl: string | null;
  followerCount: number | null;
}

export interface PersonDetail {
  id: string;
  displayName: string | null;
  notes: string | null;
  tags: string[];
  locale: string | null;
  createdAt: string;
  identities: Identity[];
  conversations: Array<{
    id: string;
    channel: ChannelRef;
    status: Status;
    visibility: "public" | "private";
    subject: string | null;
    messageCount: number;
    firstInboundAt: string | null;
    lastMessageAt: string | null;
  }>;
}

export interface Team {
  id: string;
  name: string;
  assignmentMode?: "manual" | "round_robin" | "least_loaded";
  offlineGraceMinutes?: number;
  members: Array<{ id: string; name: string; availability: Availability }>;
}

export interface AgentListItem {
  id: string;
  name: string;
  email: string | null;
  role: "admin" | "agent";
  availability: Availability;
  openConversations: number;
}

export interface Channel extends ChannelRef {
  teamId: string | null;
}

export interface GuardFinding {
  rule: string;
  severity: "warn" | "block";
  message: string;
  excerpt?: string;
}

export interface SavedReply {
  id: string;
  name?: string;
  title?: string;
  shortcut?: string | null;
  text?: string;
  body?: string;
}

export interface Seconds {
  p50: number | null;
  p90: number | null;
}

export interface FairnessReport {
  buckets: Array<{
    key: string;
    label: string;
    people: number;
    conversations: number;
    answered: number;
    answeredShare: number | null;
    firstResponseSeconds: Seconds;
  }>;
  ratio: number | null;
  threshold: number;
  fair: boolean | null;
  verdict: string;
}

export interface Figures {
  people: number;
  peopleAnswered: number;
  answeredShare: number | null;
  conversations: number;
  answeredConversations: number;
  firstResponseSeconds: Seconds;
  sentiment: {
    start: number | null;
    end: number | null;
    shift: number | null;
    startedNegative: number;
    recovered: number;
    recoveredShare: number | null;
  };
}

export interface HappinessReport {
  overall: Figures;
  byChannel: Array<Figures & { channel: { key: string; name: string } }>;
  byWeek: Array<Figures & { week: string; start: string }>;
}

export interface MergeSuggestion {
  reason: "same email" | "same handle" | "same name";
  value: string;
  personIds: string[];
}

export interface PersonMerge {
  id: string;
  keptPersonId: string;
  mergedPersonId: string;
  identityIds: string[];
  conversationIds: string[];
  undone: boolean;
}
