/**
 * PostgreSQL cannot store U+0000 in text or jsonb. A payload carrying it would otherwise be lost, so
 * ingest replaces it with U+FFFD (the replacement character) before storing anything. Returns the
 * input itself when there is nothing to replace.
 */
export function replaceNul<T>(value: T): T {
  if (typeof value === "string")
    return (value.includes("\u0000") ? value.replaceAll("\u0000", "\uFFFD") : value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = replaceNul(v);
      if (r !== v) changed = true;
      return r;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === "object") {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const nk = replaceNul(k);
      const nv = replaceNul(v);
      if (nk !== k || nv !== v) changed = true;
      out[nk] = nv;
    }
    return (changed ? out : value) as T;
  }
  return value;
}
