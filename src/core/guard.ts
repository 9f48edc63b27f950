/**
 * The authenticity guard: reviews a reply before it is sent and says what would make it read like
 * marketing, a template or a machine rather than a named person answering. Pure: the caller supplies
 * the context (who the person is, what was sent recently) and the admin's rule settings.
 */

export const GUARD_RULES = [
  "sales_pitch",
  "promo_code",
  "shop_link",
  "pressure",
  "duplicate",
  "placeholder",
  "no_personal_address",
  "canned_phrase",
  "bot_pretense",
] as const;

export type GuardRule = (typeof GUARD_RULES)[number];
export type RuleSeverity = "off" | "warn" | "block";
export type GuardSettings = Record<GuardRule, RuleSeverity>;

export interface Finding {
  rule: GuardRule;
  severity: "warn" | "block";
  message: string;
  /** The words that triggered the rule, as written. */
  excerpt?: string;
}

export interface GuardContext {
  /** The person's display name (e.g. "Maria Lopez"); its first word counts as addressing them. */
  personName?: string | null;
  /** The person's handles on the conversation's platform (without or with "@"). */
  handles?: string[];
  /** Who this reply goes to, to count distinct recipients of duplicates. */
  personId?: string | null;
  /** Replies sent in the last 24 hours (texts without our signature) and who received them. */
  recentReplies?: Array<{ text: string; personId: string | null }>;
}

/**
 * Defaults: a placeholder left unfilled and pretending to be (or hiding behind) a bot are always
 * mistakes, so they block; everything else may have a legitimate use ("act now: change your password")
 * and warns, leaving the decision to the person writing.
 */
export const DEFAULT_GUARD_SETTINGS: GuardSettings = {
  sales_pitch: "warn",
  promo_code: "warn",
  shop_link: "warn",
  pressure: "warn",
  duplicate: "warn",
  placeholder: "block",
  no_personal_address: "warn",
  canned_phrase: "warn",
  bot_pretense: "block",
};

export const GUARD_RULE_DESCRIPTIONS: Record<GuardRule, string> = {
  sales_pitch: "Selling or upselling instead of helping (“check out our new…”, “upgrade to premium”).",
  promo_code: "Promo or discount codes and percentage-off offers (“use code SAVE20”, “20% off”).",
  shop_link: "Links to shop, pricing, checkout or product pages.",
  pressure: "Pressure tactics (“limited time”, “act now”, “only today”, “hurry”).",
  duplicate: "The same text sent word for word to three or more different people in the last 24 hours.",
  placeholder: "Unfilled placeholders such as {{person.firstName}}, [NAME] or <insert …>.",
  no_personal_address: "A longer reply (over 15 words) that never addresses the person by name or handle.",
  canned_phrase:
    "Corporate stock phrases (“we apologize for any inconvenience”, “your call is important to us”).",
  bot_pretense: "Claiming to be a bot or an automated message, or hiding that a person writes.",
};

/** Replies longer than this (in words) should address the person. */
export const PERSONAL_ADDRESS_MIN_WORDS = 15;
/** A text sent to this many different people (this reply included) within the window is a duplicate. */
export const DUPLICATE_MIN_PEOPLE = 3;
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000;

type PatternRule = { rule: GuardRule; patterns: RegExp[]; message: string; negatable?: boolean };

const PATTERN_RULES: PatternRule[] = [
  {
    rule: "sales_pitch",
    message: "This reads like a sales pitch. Help with what they asked; don't sell.",
    patterns: [
      /\bup-?sell\w*/i,
      /\bcheck out our (?:new|latest|brand[- ]new|exclusive)\b[^.!?\n]*/i,
      /\bupgrade (?:to|your plan to|your account to) (?:our )?(?:premium|pro|plus|gold|platinum|business)\b/i,
      /\b(?:try|buy|get|subscribe to) our (?:new|premium|latest)\b[^.!?\n]*/i,
      /\b(?:don't|do not) miss (?:out on )?our\b[^.!?\n]*/i,
      /\byou(?:'ll| will) love our (?:new|latest)\b[^.!?\n]*/i,
      /\bspecial offer\b/i,
      /\bbest deal\b/i,
    ],
  },
  {
    rule: "promo_code",
    message: "Promo and discount codes turn care into marketing. Leave them out.",
    patterns: [
      /\b(?:use|apply|enter|redeem) (?:the |our |promo |discount |coupon )?code:?\s+["“']?[A-Z0-9][A-Z0-9_-]{2,}\b/i,
      /\b(?:promo|discount|coupon|voucher) codes?\b/i,
      /\b\d{1,2}\s?%\s?off\b/i,
      /\b\d{1,2} percent off\b/i,
    ],
  },
  {
    rule: "pressure",
    message: "Pressure tactics don't belong in a care reply.",
    patterns: [
      /\blimited[- ]time\b/i,
      /\bact (?:now|fast|quickly)\b/i,
      /\bonly today\b/i,
      /\btoday only\b/i,
      /\bhurry\b/i,
      /\bwhile (?:stocks|supplies) last\b/i,
      /\bbefore it'?s too late\b/i,
      /\blast chance\b/i,
      /\boffer (?:ends|expires)\b[^.!?\n]*/i,
    ],
  },
  {
    rule: "placeholder",
    message: "An unfilled placeholder is still in the text. Personalise it before sending.",
    patterns: [
      /\{\{[^{}]*\}\}/,
      /\[(?:NAME|FIRST[ _]?NAME|LAST[ _]?NAME|CUSTOMER(?:[ _]NAME)?|AGENT(?:[ _]NAME)?|ORDER(?:[ _](?:ID|NUMBER))?|DATE|PRODUCT|COMPANY|EMAIL|X+)\]/,
      /<\s*(?:insert|name|first ?name|customer|your name)[^<>]*>/i,
    ],
  },
  {
    rule: "canned_phrase",
    message: "A stock corporate phrase. Say it in your own words.",
    patterns: [
      /\bwe (?:sincerely )?apologi[sz]e for any inconvenience\b[^.!?\n]*/i,
      /\bsorry for any inconvenience\b[^.!?\n]*/i,
      /\byour (?:call|message|email|request|business|feedback) is (?:very )?important to us\b/i,
      /\bthank you for (?:reaching out|contacting us|your patience and understanding)\b/i,
      /\bthanks for reaching out\b/i,
      /\bwe value your (?:feedback|business|custom)\b/i,
      /\bplease do not hesitate to contact us\b/i,
      /\bdon'?t hesitate to (?:reach out|contact us)\b/i,
      /\bwe are (?:committed|dedicated) to providing (?:the best|excellent)\b[^.!?\n]*/i,
      /\bhave a (?:great|nice|wonderful) day\s*!?\s*$/i,
    ],
  },
  {
    rule: "bot_pretense",
    message: "Rapport's promise: a real person answers. Don't claim to be a bot or hide that you write.",
    negatable: true,
    patterns: [
      /\bI(?:'m| am) (?:a|an|just a|only a) (?:bot|chat ?bot|virtual assistant|automated (?:assistant|system|agent)|AI(?: assistant| language model)?)\b/i,
      /\bas an AI\b(?: language model)?/i,
      /\bautomated (?:message|reply|response)\b/i,
      /\bthis is an automated\b[^.!?\n]*/i,
      /\bdo not reply to this (?:message|email)\b/i,
      /\bauto-?generated (?:message|reply|response)\b/i,
    ],
  },
];

const SHOP_PATH =
  /\/(?:shop|store|pricing|prices|plans|checkout|cart|basket|buy|product|products|p|deals?|offers?|sale|upgrade|subscribe)(?:[/?#.]|$)/i;
const SHOP_HOST = /^(?:shop|store|buy|checkout)\./i;
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"')\]]+/gi;

/** Reviews a reply. Rules set to "off" are skipped; findings carry the rule's configured severity. */
export function reviewReply(
  text: string,
  context: GuardContext = {},
  settings: GuardSettings = DEFAULT_GUARD_SETTINGS,
): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: GuardRule, message: string, excerpt?: string) => {
    const severity = settings[rule] ?? DEFAULT_GUARD_SETTINGS[rule];
    if (severity === "off") return;
    findings.push(excerpt === undefined ? { rule, severity, message } : { rule, severity, message, excerpt });
  };

  for (const spec of PATTERN_RULES) {
    if (settings[spec.rule] === "off") continue;
    for (const pattern of spec.patterns) {
      const match = pattern.exec(text);
      if (!match) continue;
      if (spec.negatable && isNegated(text, match.index)) continue;
      add(spec.rule, spec.message, match[0].trim());
      break;
    }
  }

  const shopLink = findShopLink(text);
  if (shopLink) add("shop_link", "A link to a shop, pricing or checkout page reads like selling.", shopLink);

  if (isDuplicate(text, context)) {
    add(
      "duplicate",
      `This exact text went to ${DUPLICATE_MIN_PEOPLE - 1} or more other people in the last 24 hours. Write to this person.`,
    );
  }

  if (wordCount(text) > PERSONAL_ADDRESS_MIN_WORDS && !addressesPerson(text, context)) {
    add("no_personal_address", "A longer reply that never addresses the person. Use their name or handle.");
  }

  return findings;
}

/** True when the finding at `index` is preceded by a negation ("this is not an automated message"). */
function isNegated(text: string, index: number): boolean {
  const before = text.slice(Math.max(0, index - 20), index).toLowerCase();
  return /\b(?:not|never|no|isn't|n't)\s+(?:\w+\s+){0,1}$/.test(before);
}

function findShopLink(text: string): string | undefined {
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(/[.,;:!?]+$/, "");
    let url: URL;
    try {
      url = new URL(raw.startsWith("www.") ? `https://${raw}` : raw);
    } catch {
      continue;
    }
    if (SHOP_HOST.test(url.hostname) || SHOP_PATH.test(url.pathname)) return raw;
    if (/[?&](?:utm_campaign|coupon|promo|discount)=/i.test(url.search)) return raw;
  }
  return undefined;
}

const SIGNATURE_LINE = /\n+\s*[—–-]{1,2}\s*[^\n]{1,60}\s*$/;

/** The text as compared for duplicates: no trailing "— Name" line, lower case, spaces collapsed. */
export function duplicateKey(text: string): string {
  return text.replace(SIGNATURE_LINE, "").toLowerCase().replace(/\s+/g, " ").trim();
}

function isDuplicate(text: string, context: GuardContext): boolean {
  const recent = context.recentReplies;
  if (!recent || recent.length === 0) return false;
  const key = duplicateKey(text);
  if (key.length === 0) return false;
  const others = new Set<string>();
  for (const reply of recent) {
    if (reply.personId === null || reply.personId === context.personId) continue;
    if (duplicateKey(reply.text) === key) others.add(reply.personId);
  }
  return others.size + 1 >= DUPLICATE_MIN_PEOPLE;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function addressesPerson(text: string, context: GuardContext): boolean {
  const names: string[] = [];
  const first = firstName(context.personName);
  if (first) names.push(first);
  if (context.personName?.trim()) names.push(context.personName.trim());
  for (const handle of context.handles ?? []) {
    const bare = handle.replace(/^@/, "").trim();
    if (bare) names.push(bare);
  }
  // Without anything to address them by, the rule cannot judge.
  if (names.length === 0) return true;
  return names.some((name) =>
    new RegExp(`(?:^|[^\\p{L}\\p{N}_])@?${escapeRegExp(name)}(?![\\p{L}\\p{N}_])`, "iu").test(text),
  );
}

/** The first word of a display name, or null ("Maria Lopez" → "Maria"). */
export function firstName(name: string | null | undefined): string | null {
  const word = name?.trim().split(/\s+/)[0];
  return word ? word : null;
}

/** The most severe outcome of a review: "block" if any finding blocks, "warn" if any warns. */
export function verdict(findings: Finding[]): "ok" | "warn" | "block" {
  if (findings.some((f) => f.severity === "block")) return "block";
  return findings.length > 0 ? "warn" : "ok";
}

/** Applies stored overrides to the defaults, ignoring unknown rules and values. */
export function resolveGuardSettings(stored: unknown): GuardSettings {
  const settings = { ...DEFAULT_GUARD_SETTINGS };
  if (stored && typeof stored === "object") {
    for (const [rule, value] of Object.entries(stored as Record<string, unknown>)) {
      if (
        (GUARD_RULES as readonly string[]).includes(rule) &&
        ["off", "warn", "block"].includes(String(value))
      )
        settings[rule as GuardRule] = value as RuleSeverity;
    }
  }
  return settings;
}
