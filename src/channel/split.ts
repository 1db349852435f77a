/**
 * Splits `text` into parts of at most `max` characters, preferring paragraph, then line, then
 * sentence, then word boundaries; a part is cut hard only when no boundary exists, and never inside
 * a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  if (max <= 0) throw new RangeError('max must be positive');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const sep of ['\n\n', '\n', '. ', ' ']) {
      const at = window.lastIndexOf(sep, max - (sep === '. ' ? 1 : 0));
      if (at > max / 4) {
        cut = sep === '. ' ? at + 1 : at;
        break;
      }
    }
    if (cut <= 0) cut = max;
    // A hard cut never splits a surrogate pair (an emoji or astral letter stays whole).
    if (/[\ud800-\udbff]/.test(rest[cut - 1]) && /[\udc00-\udfff]/.test(rest[cut] ?? '') && cut > 1) cut--;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}
