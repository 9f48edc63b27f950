/**
 * Text PostgreSQL cannot hold: U+0000 (in text or jsonb), and UTF-16 surrogates without their other
 * half (valid JSON escapes such as "\ud800", which jsonb refuses; a text parameter silently becomes
 * U+FFFD). A payload carrying either would otherwise be lost, so ingest replaces each with U+FFFD (the
 * replacement character) before storing anything.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether a string holds U+0000 or a lone surrogate (see `storable`). */
export function unstorable(text: string): "nul" | "surrogate" | null {
  if (text.includes("\u0000")) return "nul";
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(text) ? "surrogate" : null;
}

function storableText(text: string): string {
  const kind = unstorable(text);
  if (kind === null) return text;
  return text.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATE, "\uFFFD");
}

/**
 * Replaces U+0000 and lone surrogates with U+FFFD in a string, or in every string and key of an array
 * or object. Returns the input itself when there is nothing to replace.
 */
export function storable<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = storable(v);
      if (r !== v) changed = true;
      return r;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === "object") {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const nk = storable(k);
      const nv = storable(v);
      if (nk !== k || nv !== v) changed = true;
      out[nk] = nv;
    }
    return (changed ? out : value) as T;
  }
  return value;
}
