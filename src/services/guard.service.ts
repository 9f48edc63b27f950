/**
 * The authenticity guard as a service: the admin's rule settings, and the context a review needs
 * (who the person is, what was sent recently). The rules themselves are pure (core/guard.ts).
 */
import { notFound } from "../core/errors.ts";
import {
  DUPLICATE_WINDOW_MS,
  duplicateKey,
  type Finding,
  firstName,
  GUARD_RULE_DESCRIPTIONS,
  GUARD_RULES,
  type GuardContext,
  type GuardRule,
  type GuardSettings,
  type RuleSeverity,
  resolveGuardSettings,
  reviewReply,
} from "../core/guard.ts";
import type { Db } from "../store/db.ts";
import { outboxRepository, type ReplyTarget } from "../store/outbox.repository.ts";
import { settingsRepository } from "../store/settings.repository.ts";

const SETTINGS_KEY = "guard.rules";

export class GuardService {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async settings(): Promise<GuardSettings> {
    return resolveGuardSettings(await settingsRepository(this.db).get(SETTINGS_KEY));
  }

  async rules(): Promise<Array<{ rule: GuardRule; severity: RuleSeverity; description: string }>> {
    const settings = await this.settings();
    return GUARD_RULES.map((rule) => ({
      rule,
      severity: settings[rule],
      description: GUARD_RULE_DESCRIPTIONS[rule],
    }));
  }

  /** Changes the given rules; the others keep their setting. */
  async setRules(changes: Partial<Record<GuardRule, RuleSeverity>>) {
    const settings = { ...(await this.settings()), ...changes };
    await settingsRepository(this.db).set(SETTINGS_KEY, settings);
    return this.rules();
  }

  /** Reviews a draft for a conversation without side effects. */
  async reviewDraft(conversationId: string, text: string): Promise<Finding[]> {
    const target = await outboxRepository(this.db).target(conversationId);
    if (!target) throw notFound("The conversation");
    return this.review(target, text);
  }

  async review(target: ReplyTarget, text: string): Promise<Finding[]> {
    const [settings, context] = await Promise.all([this.settings(), this.context(target, text)]);
    return reviewReply(text, context, settings);
  }

  private async context(target: ReplyTarget, text: string): Promise<GuardContext> {
    const since = new Date(this.now().getTime() - DUPLICATE_WINDOW_MS);
    const prefix = duplicateKey(text).slice(0, 32);
    const recent = prefix ? await outboxRepository(this.db).recentReplies(since, prefix) : [];
    return {
      personName: target.person_name,
      handles: target.handles,
      personId: target.person_id,
      recentReplies: recent.map((r) => ({ text: unsign(r.text, r.signature), personId: r.person_id })),
    };
  }
}

/** The text an agent wrote, without the signature Rapport added. */
export function unsign(text: string, signature: string | null): string {
  if (signature && text.endsWith(`\n\n${signature}`)) return text.slice(0, -signature.length - 2);
  return text;
}

/** The signature line for an agent: their own, or "— {first name}". */
export function signatureOf(agent: { name: string; signature: string | null }): string {
  const own = agent.signature?.trim();
  return own ? own : `— ${firstName(agent.name) ?? agent.name}`;
}
