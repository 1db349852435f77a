import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainLine, parseMarkdown, parseWithLexer } from '../../src/channel/markdown.ts';
import { RUNS } from './markdown-input.ts';

/**
 * Pieces of ordinary chat lines, and the ones that sit closest to Markdown: list markers, `www.`,
 * trailing or leading spaces, digits before a dot, letters from other scripts and numerals.
 */
const PIECES = [
  'echo', 'hello', 'bench', '42', '7', '1.', '2)', '10.', ' ', '  ', ',', '.', ':', ';', '!', '?', "'", '"', '(', ')',
  'www.', 'WWW.', 'example', 'é', 'ß', '日本語', 'Ελλάδα', 'مرحبا', '½', '٣', 'x.y', '3.5', 'ok!', 'why?',
] as const;

const line = fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 12 }).map((p) => p.join(''));

describe('the plain-line shortcut of parseMarkdown', () => {
  it('gives the same tree as the lexer for every text it takes', () => {
    let taken = 0;
    fc.assert(
      fc.property(line, (text) => {
        if (!isPlainLine(text)) return;
        taken++;
        expect(parseMarkdown(text)).toEqual(parseWithLexer(text));
      }),
      RUNS,
    );
    // The generator must exercise the shortcut, not only the texts it refuses.
    expect(taken).toBeGreaterThan(RUNS.numRuns / 10);
  });

  it('takes ordinary replies and leaves anything Markdown could read to the lexer', () => {
    for (const t of ['echo: bench 12', 'Hello, world!', 'Ça va? Très bien.', '日本語のテキスト', 'Done (3 of 4).']) expect(isPlainLine(t), t).toBe(true);
    for (const t of ['1. first', '2) second', 'see www.example.com', 'a *b*', 'x_y', 'trailing ', ' leading', 'two\nlines', 'a & b', 'a <b>', '# title', 'mail@example.com', 'http://e.x']) {
      expect(isPlainLine(t), t).toBe(false);
    }
  });
});
