import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownToHtml, MAX_TEXT, toParts } from '../../adapters/telegram/format.ts';
import { lostLetters, markdownInput, owedText, RUNS, wellFormed } from './markdown-input.ts';

/** Tags Telegram's HTML parse mode accepts, with the attributes each may carry. */
const ALLOWED: Record<string, (attrs: string) => boolean> = {
  b: (a) => a === '', strong: (a) => a === '', i: (a) => a === '', em: (a) => a === '', u: (a) => a === '', ins: (a) => a === '',
  s: (a) => a === '', strike: (a) => a === '', del: (a) => a === '', 'tg-spoiler': (a) => a === '', blockquote: (a) => a === '',
  span: (a) => a === ' class="tg-spoiler"', a: (a) => /^ href="[^"<>]*"$/.test(a), code: (a) => a === '' || /^ class="language-[^"<>]*"$/.test(a), pre: (a) => a === '',
};
const FORMATS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'tg-spoiler', 'span']);

/** Why `html` is not valid Telegram HTML, or '' when it is: allowed tags only, balanced, nested as Telegram allows, escaped. */
export function telegramHtmlProblem(html: string): string {
  const stack: string[] = [];
  const tag = /<(\/?)([a-z-]+)((?: [a-z]+="[^"]*")*)>/y;
  for (let i = 0; i < html.length; ) {
    const c = html[i];
    if (c === '<') {
      tag.lastIndex = i;
      const m = tag.exec(html);
      if (!m) return `raw < at ${i}`;
      const [, close, name, attrs] = m;
      if (!ALLOWED[name]) return `tag ${name}`;
      if (close) {
        if (attrs || stack.pop() !== name) return `unbalanced </${name}> at ${i}`;
      } else {
        if (!ALLOWED[name](attrs)) return `attributes of ${name}: ${attrs}`;
        if (/&(?!(?:amp|lt|gt|quot);)/.test(attrs)) return `unescaped & in ${attrs}`;
        const top = stack[stack.length - 1];
        if (top === 'code' || (top === 'pre' && name !== 'code')) return `${name} inside ${top}`;
        if (name === 'code' && attrs && top !== 'pre') return 'a language outside pre';
        if ((name === 'code' || name === 'pre') && stack.some((t) => FORMATS.has(t) || t === 'a')) return `${name} inside formatting or a link`;
        if (name === 'pre' && stack.includes('blockquote')) return 'pre inside blockquote';
        if ((name === 'a' || name === 'blockquote') && stack.includes(name)) return `nested ${name}`;
        stack.push(name);
      }
      i = tag.lastIndex;
    } else if (c === '>') return `raw > at ${i}`;
    else if (c === '&') {
      if (!/^&(?:amp|lt|gt|quot);/.test(html.slice(i, i + 6))) return `unescaped & at ${i}`;
      i++;
    } else i++;
  }
  return stack.length ? `unclosed ${stack.join(', ')}` : '';
}

/** What a reader sees, plus link targets and code labels (Telegram shows both): tags dropped, entities decoded. */
function seen(html: string): string {
  return html
    .replace(/<[^>]*>/g, (t) => ' ' + [...t.matchAll(/="([^"]*)"/g)].map((m) => m[1]).join(' ') + ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

describe('Telegram HTML over random Markdown (fast-check, seeded)', () => {
  it('never throws, never loses a letter or digit, and is always valid Telegram HTML', () => {
    fc.assert(
      fc.property(markdownInput, (md) => {
        const html = markdownToHtml(md);
        expect(telegramHtmlProblem(html), JSON.stringify({ md, html })).toBe('');
        expect(lostLetters(owedText(md), seen(html)), JSON.stringify({ md, html })).toBe('');
      }),
      RUNS,
    );
  });

  it('splits into valid parts within the limit, each with its plain fallback, losing nothing', () => {
    const long = fc.array(markdownInput, { minLength: 1, maxLength: 12 }).map((xs) => xs.join('\n'));
    fc.assert(
      fc.property(long, fc.integer({ min: 80, max: 400 }), (md, max) => {
        const parts = toParts(md, 'markdown', max);
        const plain = parts.map((p) => p.plain).join('');
        expect(lostLetters(md, plain)).toBe('');
        expect(lostLetters(plain, md)).toBe('');
        for (const p of parts) {
          expect(p.plain.length).toBeLessThanOrEqual(max);
          if (wellFormed(md)) expect(wellFormed(p.plain)).toBe(true);
          if (p.html === undefined) continue;
          expect(p.html.length).toBeLessThanOrEqual(max);
          expect(telegramHtmlProblem(p.html), p.html).toBe('');
          expect(lostLetters(owedText(p.plain), seen(p.html)), JSON.stringify(p)).toBe('');
        }
      }),
      { ...RUNS, numRuns: 150 },
    );
    expect(MAX_TEXT).toBe(4096);
  });
});
