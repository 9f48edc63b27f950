/**
 * The Bluesky simulator's chat service (`chat.bsky.convo.*`, reached through the PDS with the
 * `atproto-proxy` header): one convo per set of members, each member's log of events, DMs refused by
 * accounts that do not accept them.
 */
import { createHash } from "node:crypto";
import { type Session, type SimAccounts, XrpcFailure } from "./bluesky.simulator.state.ts";

interface Convo {
  id: string;
  members: string[];
  rev: string;
}
export interface ChatMessage {
  id: string;
  rev: string;
  text: string;
  facets?: unknown[];
  sender: { did: string };
  sentAt: string;
}
interface LogEntry {
  $type: string;
  rev: string;
  convoId: string;
  message?: ChatMessage & { $type: string };
  relatedProfiles?: unknown[];
}

export class SimChat {
  private readonly convos = new Map<string, Convo>();
  private readonly logs = new Map<string, LogEntry[]>();

  constructor(private readonly accounts: SimAccounts) {}

  /** `from` (a DID) sends a DM to `to` (a DID). */
  send(from: string, to: string, text: string): { convoId: string; messageId: string } {
    const convo = this.convoFor([from, to]);
    const message = this.addMessage(convo, from, text);
    return { convoId: convo.id, messageId: message.id };
  }

  /** The DMs of a convo, oldest first. */
  messages(convoId: string): ChatMessage[] {
    const convo = this.convos.get(convoId);
    if (!convo) return [];
    return (this.logs.get(convo.members[0]!) ?? [])
      .filter((l) => l.convoId === convoId && l.$type.endsWith("#logCreateMessage") && l.message)
      .map((l) => l.message!);
  }

  /** Answers a `chat.bsky.*` call of an authenticated, privileged session. */
  async route(
    nsid: string,
    session: Session,
    q: URLSearchParams,
    body: () => Promise<Record<string, unknown>>,
  ): Promise<unknown> {
    switch (nsid) {
      case "chat.bsky.convo.listConvos": {
        const convos = [...this.convos.values()].filter((c) => c.members.includes(session.did));
        return { convos: convos.map((c) => this.convoView(c, session.did)) };
      }
      case "chat.bsky.convo.getLog": {
        const cursor = q.get("cursor") ?? "";
        const logs = (this.logs.get(session.did) ?? []).filter((l) => l.rev > cursor).slice(0, 100);
        return { logs, ...(logs.length ? { cursor: logs.at(-1)!.rev } : {}) };
      }
      case "chat.bsky.convo.getConvoForMembers": {
        const members = q.getAll("members");
        for (const m of members) {
          const a = this.accounts.get(m);
          if (!a) throw new XrpcFailure(400, "InvalidRequest", `Unknown member ${m}`);
          if (!a.acceptsDms && m !== session.did)
            throw new XrpcFailure(400, "InvalidRequest", "recipient has disabled incoming messages");
        }
        return { convo: this.convoView(this.convoFor([session.did, ...members]), session.did) };
      }
      case "chat.bsky.convo.sendMessage": {
        const input = (await body()) as {
          convoId?: string;
          message?: { text?: string; facets?: unknown[] };
        };
        const convo = this.convos.get(input.convoId ?? "");
        if (!convo?.members.includes(session.did))
          throw new XrpcFailure(400, "InvalidRequest", "Convo not found");
        const other = convo.members.find((m) => m !== session.did);
        if (other && !this.accounts.get(other)?.acceptsDms)
          throw new XrpcFailure(400, "InvalidRequest", "recipient has disabled incoming messages");
        const text = input.message?.text ?? "";
        if (!text.trim()) throw new XrpcFailure(400, "InvalidRequest", "Message text is empty");
        const message = this.addMessage(convo, session.did, text, input.message?.facets);
        return { $type: "chat.bsky.convo.defs#messageView", ...message };
      }
      default:
        throw new XrpcFailure(501, "MethodNotImplemented", `Method Not Implemented: ${nsid}`);
    }
  }

  private convoFor(members: string[]): Convo {
    const sorted = [...members].sort();
    const id = createHash("sha256").update(sorted.join(",")).digest("hex").slice(0, 13);
    let convo = this.convos.get(id);
    if (!convo) {
      convo = { id, members: sorted, rev: this.accounts.clock.rev() };
      this.convos.set(id, convo);
      for (const m of sorted)
        this.log(m, { $type: "chat.bsky.convo.defs#logBeginConvo", rev: convo.rev, convoId: id });
    }
    return convo;
  }

  private addMessage(convo: Convo, sender: string, text: string, facets?: unknown[]): ChatMessage {
    const rev = this.accounts.clock.rev();
    const message: ChatMessage = {
      id: rev,
      rev,
      text,
      ...(facets?.length ? { facets } : {}),
      sender: { did: sender },
      sentAt: new Date().toISOString(),
    };
    convo.rev = rev;
    for (const m of convo.members) {
      this.log(m, {
        $type: "chat.bsky.convo.defs#logCreateMessage",
        rev,
        convoId: convo.id,
        message: { $type: "chat.bsky.convo.defs#messageView", ...message },
        relatedProfiles: convo.members.map((d) => this.accounts.profileBasic(d)),
      });
    }
    return message;
  }

  private log(did: string, entry: LogEntry): void {
    const list = this.logs.get(did) ?? [];
    list.push(entry);
    this.logs.set(did, list);
  }

  private convoView(convo: Convo, viewer: string) {
    const last = (this.logs.get(viewer) ?? [])
      .filter((l) => l.convoId === convo.id && l.message)
      .at(-1)?.message;
    return {
      id: convo.id,
      rev: convo.rev,
      members: convo.members.map((d) => this.accounts.profileBasic(d)),
      ...(last ? { lastMessage: last } : {}),
      muted: false,
      status: "accepted",
      unreadCount: 0,
    };
  }
}
