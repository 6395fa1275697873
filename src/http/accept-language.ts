import type { Language } from "../i18n/catalogue";

export type { Language };

/**
 * The language an `Accept-Language` header prefers: Russian when its most wanted range (by
 * q-value, then order) is `ru` or `ru-…`, else English.
 */
export function preferredLanguage(header: string | undefined): Language {
  let best: { language: Language; q: number } = { language: "en", q: 0 };
  for (const part of (header ?? "").split(",")) {
    const [range = "", ...parameters] = part.trim().split(";");
    const qParameter = parameters.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const q = qParameter === undefined ? 1 : Number(qParameter.slice(2));
    if (!range || !Number.isFinite(q) || q <= best.q) continue;
    best = { language: /^ru(-|$)/i.test(range.trim()) ? "ru" : "en", q };
  }
  return best.language;
}
