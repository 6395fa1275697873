/** Text in SVG images: escaped for XML, and measured roughly to fit, without fonts at hand. */

/** Characters XML 1.0 allows; anything else (a stray surrogate, U+FFFE) becomes U+FFFD. */
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text as XML character data or attribute value: markup characters escaped, always well-formed. */
export function escapeXml(text: string): string {
  return text
    .replace(notXmlChar, "\uFFFD")
    .replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Rough advance of a character in ems: wide scripts take a full em, the rest a bit over half. */
function emWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x1f000;
  return wide ? 1 : 0.62;
}

export const textWidth = (text: string, size: number) =>
  Array.from(text).reduce((sum, char) => sum + emWidth(char) * size, 0);

/** The longest prefix of `chars` that fits `maxWidth`, as a count of characters. */
function fittingLength(chars: string[], size: number, maxWidth: number): number {
  let used = 0;
  for (const [index, char] of chars.entries()) {
    used += emWidth(char) * size;
    if (used > maxWidth) return index;
  }
  return chars.length;
}

/**
 * Splits a title into at most `maxLines` lines that fit `maxWidth`, at spaces where it can,
 * inside a word where it must; what does not fit ends in an ellipsis.
 */
export function wrapTitle(title: string, size: number, maxWidth: number, maxLines = 2): string[] {
  const lines: string[] = [];
  let rest = Array.from(title.trim().replace(/\s+/g, " "));
  while (rest.length > 0 && lines.length < maxLines) {
    let cut = fittingLength(rest, size, maxWidth);
    if (cut < rest.length) {
      const space = rest.lastIndexOf(" ", cut);
      if (space > 0) cut = space;
    }
    lines.push(rest.slice(0, Math.max(1, cut)).join("").trim());
    rest = rest.slice(Math.max(1, cut));
    if (rest[0] === " ") rest = rest.slice(1);
  }
  if (rest.length > 0) {
    const last = Array.from(lines.pop() ?? "");
    const room = fittingLength(last, size, maxWidth - textWidth("…", size));
    lines.push(`${last.slice(0, room).join("").trimEnd()}…`);
  }
  return lines;
}
