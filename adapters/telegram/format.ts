import { splitText } from '../../src/channel/index.ts';

/** Telegram's longest message text, in characters (after entity parsing it is 4096 UTF-16 units). */
export const MAX_TEXT = 4096;

/** One Telegram message to send: the formatted HTML and a plain fallback of the same part. */
export interface Part {
  html?: string;
  plain: string;
}

/** Escapes the three characters Telegram's HTML mode reserves. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const escapeAttr = (s: string) => escapeHtml(s).replace(/"/g, '&quot;');

/** Inline Markdown (escaped text, code, bold, italic, strike, links) → Telegram HTML. */
function inline(text: string): string {
  const codes: string[] = [];
  // Protect inline code first, so its content is not formatted.
  let s = text.replace(/`([^`\n]+)`/g, (_, c: string) => {
    codes.push(`<code>${escapeHtml(c)}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  const links: string[] = [];
  s = s.replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, (_, label: string, url: string) => {
    links.push(`<a href="${escapeAttr(url)}">${escapeHtml(label)}</a>`);
    return `\u0001${links.length - 1}\u0001`;
  });
  s = escapeHtml(s);
  s = s
    .replace(/\*\*([^*\n]+?)\*\*/g, '<b>$1</b>')
    .replace(/__([^_\n]+?)__/g, '<b>$1</b>')
    .replace(/~~([^~\n]+?)~~/g, '<s>$1</s>')
    .replace(/(^|[^\w*])\*([^*\s][^*\n]*?)\*(?![\w*])/g, '$1<i>$2</i>')
    .replace(/(^|[^\w_])_([^_\s][^_\n]*?)_(?![\w_])/g, '$1<i>$2</i>');
  s = s.replace(/\u0001(\d+)\u0001/g, (_, i: string) => links[Number(i)]);
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)]);
}

/**
 * Converts agent Markdown to Telegram's HTML parse mode: fenced code → `<pre><code>`, headings →
 * bold, `- ` lists → bullets, `> ` quotes → `<blockquote>`, plus inline formatting. Everything
 * else is escaped, so any text becomes valid HTML.
 */
export function markdownToHtml(md: string): string {
  const out: string[] = [];
  const lines = md.replace(/\r\n/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*```\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) body.push(lines[j++]);
      const lang = fence[1] ? ` class="language-${escapeAttr(fence[1])}"` : '';
      out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
      i = j;
      continue;
    }
    if (/^\s*>\s?/.test(line)) {
      const quote: string[] = [];
      let j = i;
      while (j < lines.length && /^\s*>\s?/.test(lines[j])) quote.push(inline(lines[j++].replace(/^\s*>\s?/, '')));
      out.push(`<blockquote>${quote.join('\n')}</blockquote>`);
      i = j - 1;
      continue;
    }
    const heading = /^\s*#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      out.push(`<b>${inline(heading[1])}</b>`);
      continue;
    }
    const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
    if (bullet) {
      out.push(`${bullet[1]}• ${inline(bullet[2])}`);
      continue;
    }
    out.push(inline(line));
  }
  return out.join('\n');
}

/**
 * Splits a text into Telegram messages. Plain texts split at {@link MAX_TEXT} on paragraph, line,
 * sentence or word boundaries. Markdown is split on the same boundaries *before* formatting, with a
 * shrinking budget until every formatted part fits, so no part breaks a tag or exceeds the limit.
 */
export function toParts(text: string, format: 'markdown' | 'plain' = 'markdown', max = MAX_TEXT): Part[] {
  if (format === 'plain') return splitText(text, max).map((plain) => ({ plain }));
  let budget = max;
  for (let round = 0; round < 12; round++) {
    const pieces = splitText(text, budget);
    const parts = pieces.map((p) => ({ html: markdownToHtml(p), plain: p }));
    if (parts.every((p) => p.html.length <= max)) return parts;
    budget = Math.max(64, Math.floor(budget * 0.8));
  }
  // Pathological input (almost all escapes): send it plain rather than not at all.
  return splitText(text, max).map((plain) => ({ plain }));
}
