import { isLinkable, parseMarkdown, plainText, splitText, type MdBlock, type MdInline } from '../../src/channel/index.ts';

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

/** URL schemes Telegram accepts in `<a href>`; other links are written out as text. */
const LINK_SCHEMES = ['http:', 'https:', 'tg:'] as const;

/** A code block language Telegram can label (`<code class="language-…">`). */
const LANGUAGE = /^[\w#+.-]{1,32}$/;

/** Where a node is rendered: the formatting tags open around it, inside a link, inside a quote. */
interface Scope {
  open: ReadonlySet<'b' | 'i' | 's'>;
  inLink: boolean;
  inQuote: boolean;
}

const TAG = { strong: 'b', em: 'i', strike: 's' } as const;

/** A link's tooltip, kept as text after it (Telegram has no tooltips). */
const titleOf = (n: Extract<MdInline, { kind: 'link' }>) => (n.title ? ` (${escapeHtml(n.title)})` : '');

/** A link's text when it cannot be a link: the label, then the target unless the label is the target. */
function linkAsText(n: Extract<MdInline, { kind: 'link' }>, label: string): string {
  const shown = plainText(n.children);
  const same = shown === n.href || `mailto:${shown}` === n.href || `http://${shown}` === n.href;
  return (label || escapeHtml(n.href)) + (label && !same ? ` (${escapeHtml(n.href)})` : '') + titleOf(n);
}

/**
 * Inline nodes → Telegram HTML, following Telegram's nesting rules: code never inside formatting
 * or a link (it becomes plain text there), no link inside a link, no tag opened twice.
 */
function inline(nodes: MdInline[], scope: Scope): string {
  return nodes
    .map((n) => {
      switch (n.kind) {
        case 'text':
          return escapeHtml(n.text);
        case 'code':
          return scope.open.size || scope.inLink ? escapeHtml(n.text) : `<code>${escapeHtml(n.text)}</code>`;
        case 'break':
          return '\n';
        case 'link': {
          const label = inline(n.children, { ...scope, inLink: true });
          if (scope.inLink || !isLinkable(n.href, LINK_SCHEMES)) return linkAsText(n, label);
          return `<a href="${escapeAttr(n.href)}">${label || escapeHtml(n.href)}</a>${titleOf(n)}`;
        }
        default: {
          const tag = TAG[n.kind];
          if (scope.open.has(tag)) return inline(n.children, scope);
          return `<${tag}>${inline(n.children, { ...scope, open: new Set([...scope.open, tag]) })}</${tag}>`;
        }
      }
    })
    .join('');
}

/** A list: `•` for bullets, numbers as written, nested lists indented two spaces a level. */
function list(b: Extract<MdBlock, { kind: 'list' }>, scope: Scope, depth: number): string {
  const items = b.items.map((item) => {
    const marker = item.ordered ? item.marker : '•';
    const task = item.task ? (item.task === 'done' ? '[x] ' : '[ ] ') : '';
    return `${'  '.repeat(depth)}${marker} ${task}${blocks(item.blocks, scope, depth + 1)}`;
  });
  return items.join(b.loose ? '\n\n' : '\n');
}

function block(b: MdBlock, scope: Scope, depth: number): string {
  switch (b.kind) {
    case 'paragraph':
      return inline(b.content, scope);
    case 'heading':
      return `<b>${inline(b.content, { ...scope, open: new Set(['b']) })}</b>`;
    case 'code': {
      // Telegram cannot put a pre inside a quote: there the block is inline code over several lines.
      if (scope.inQuote) return `<code>${escapeHtml(b.text)}</code>`;
      const lang = LANGUAGE.test(b.lang) ? ` class="language-${escapeAttr(b.lang)}"` : '';
      return `<pre><code${lang}>${escapeHtml(b.text)}</code></pre>`;
    }
    case 'quote':
      // Quotes cannot nest in Telegram: an inner quote joins the outer one.
      if (scope.inQuote) return blocks(b.blocks, scope, depth);
      return `<blockquote>${blocks(b.blocks, { ...scope, inQuote: true }, depth)}</blockquote>`;
    case 'list':
      return list(b, scope, depth);
    case 'rule':
      return '———';
    case 'blank':
      return '';
  }
}

function blocks(bs: MdBlock[], scope: Scope, depth: number): string {
  return bs.map((b) => block(b, scope, depth)).join('\n');
}

/**
 * Converts agent Markdown to Telegram's HTML parse mode, from the shared parse
 * ({@link parseMarkdown}): headings → bold, bullets → `•`, numbered items keep their numbers,
 * fenced code → `<pre><code class="language-…">`, quotes → `<blockquote>`, `**`/`*`/`~~` →
 * `<b>`/`<i>`/`<s>`, links → `<a href>` (http, https and tg only). Everything else, raw HTML
 * included, is escaped text, so any input becomes valid HTML and keeps all of its text.
 */
export function markdownToHtml(md: string): string {
  return blocks(parseMarkdown(md), { open: new Set(), inLink: false, inQuote: false }, 0);
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
