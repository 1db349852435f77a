import fc from 'fast-check';

/**
 * Every property test here runs this many cases from this seed, so a failure replays exactly.
 * `FC_SEED` / `FC_RUNS` explore other inputs by hand; the suite always runs the fixed ones.
 */
export const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 500), seed: Number(process.env.FC_SEED ?? 20261123) } as const;

/** Pieces agents and attackers write: markup (balanced or not), HTML-ish text, URLs, entities, controls. */
const PIECES = [
  '**', '*', '_', '__', '~~', '~', '`', '```', '```ts', '~~~', '\n', '\n\n', '> ', '>', '# ', '## ', '- ', '* ', '+ ', '1. ', '3) ',
  '- [ ] ', '- [x] ', '[', ']', '(', ')', '](', '![', '[x]: http://ref.example ', '[x]', '"', "'", '|', '|a|b|\n|-|-|\n|1|2|\n', '---', '***',
  '\\', '    ', '\t', '  \n', '<', '>', '&', '&amp;', '&lt;', '&#60;', '&quot;', '<b>', '</b>', '<i>x</i>', '<a href="http://e.x">', '</a>',
  '<script>alert(1)</script>', '<div>\n', '<!-- c -->', '<@U0BOT>', '<!here>', '<https://auto.example/p?q=1&r=2>', 'http://bare.example/a_b',
  'www.example.com', 'mail@example.com', '[label](https://ex.example/(x)?a=1&b=2 "title")', '[l](javascript:alert(1))', '[](http://e.x)',
  '\u0000', '\u0001', '\u00010\u0001', '\u0000\u00000\u0000', '\u0007', '\u001b[31m', '\r', '\r\n', '\u2028', '\u202e', '\u200b', '\ufeff',
  'é', 'ß', '日本語', 'Ελλάδα', 'مرحبا', '🙂', '👩‍💻', '𝐀', '½', '٣', 'snake_case_name', '2*3*4', 'a_b_c', ' ', '.', ',',
] as const;

/** Whitespace and line starts, so pieces also land where block syntax (quotes, lists, fences, headings) begins. */
const SEPARATORS = [' ', ' ', '\n', '\n\n', '\n> ', '\n- ', '\n  - ', '\n1. ', '\n```\n', '\n```py\n', '\n# ', '\n    '] as const;

/** A word of letters and digits, ASCII or not. */
const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);

/**
 * Random agent Markdown: sequences of markup pieces, words and arbitrary unicode (control
 * characters and astral planes included), so unbalanced and nested markup turns up often.
 */
export const markdownInput = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 3, arbitrary: word },
      { weight: 2, arbitrary: fc.constantFrom(...SEPARATORS) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    ),
    { maxLength: 40, size: 'max' },
  )
  .map((parts) => parts.join(''));

/** Counts of each letter and digit in a text. */
export function letterCounts(s: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of s.matchAll(/[\p{L}\p{N}]/gu)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  return counts;
}

/** The letters/digits of `expected` that `actual` lacks (with multiplicity), as a string; '' when none is lost. */
export function lostLetters(expected: string, actual: string): string {
  const have = letterCounts(actual);
  let lost = '';
  for (const [ch, n] of letterCounts(expected)) if ((have.get(ch) ?? 0) < n) lost += ch.repeat(n - (have.get(ch) ?? 0));
  return lost;
}

/**
 * The text a reader is owed: the input without code fences' info strings (```ts), which are a
 * label for the block, not its content. (Lenient: a fence-looking line inside code loses its tail too.)
 */
export function owedText(md: string): string {
  return md.replace(/(^|[\r\n])([ \t>*+\-\d.)]*)(`{3,}|~{3,})[^\r\n]*/g, '$1$2$3');
}

/** Whether a string is well-formed UTF-16: no surrogate half without its partner. */
export function wellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}
