import { isLinkable, parseMarkdown, plainText, type MdBlock, type MdInline } from '../../src/channel/index.ts';

/** Escapes the three characters Slack's text reserves: `&`, `<`, `>`. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** URL schemes we write as Slack links (`<url|label>`); other links are written out as text. */
const LINK_SCHEMES = ['http:', 'https:', 'mailto:'] as const;

const MARK = { strong: '*', em: '_', strike: '~' } as const;
type Mark = (typeof MARK)[keyof typeof MARK];

type Link = Extract<MdInline, { kind: 'link' }>;

/** A link's tooltip, kept as text after it (Slack has no tooltips). */
const titleOf = (n: Link) => (n.title ? ` (${escapeSlack(n.title)})` : '');

/**
 * `<url|label>`: the url escaped (a `|` in it encoded, so it cannot end the url early), the label
 * plain (Slack formats nothing inside a link) on one line; `<url>` alone when the label is the url.
 */
function link(n: Link): string {
  const label = plainText(n.children).replace(/\s+/g, ' ').trim();
  const url = escapeSlack(n.href).replace(/\|/g, '%7C');
  return (label && label !== n.href ? `<${url}|${escapeSlack(label)}>` : `<${url}>`) + titleOf(n);
}

/** A link that cannot be one: its label, then its target unless the label is the target. */
function linkAsText(n: Link, open: ReadonlySet<Mark>): string {
  const label = inline(n.children, open);
  const shown = plainText(n.children);
  const same = shown === n.href || `mailto:${shown}` === n.href || `http://${shown}` === n.href;
  return (label || escapeSlack(n.href)) + (label && !same ? ` (${escapeSlack(n.href)})` : '') + titleOf(n);
}

/** Inline nodes → mrkdwn: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, links; a mark never opened twice. */
function inline(nodes: MdInline[], open: ReadonlySet<Mark>): string {
  return nodes
    .map((n) => {
      switch (n.kind) {
        case 'text':
          return escapeSlack(n.text);
        case 'code':
          return `\`${escapeSlack(n.text)}\``;
        case 'break':
          return '\n';
        case 'link':
          return isLinkable(n.href, LINK_SCHEMES) ? link(n) : linkAsText(n, open);
        default: {
          const mark = MARK[n.kind];
          if (open.has(mark)) return inline(n.children, open);
          return `${mark}${inline(n.children, new Set([...open, mark]))}${mark}`;
        }
      }
    })
    .join('');
}

/** A list: `•` for bullets, numbers as written, nested lists indented two spaces a level. */
function list(b: Extract<MdBlock, { kind: 'list' }>, depth: number): string {
  const items = b.items.map((item) => {
    const marker = item.ordered ? item.marker : '•';
    const task = item.task ? (item.task === 'done' ? '[x] ' : '[ ] ') : '';
    return `${'  '.repeat(depth)}${marker} ${task}${blocks(item.blocks, depth + 1, false)}`;
  });
  return items.join(b.loose ? '\n\n' : '\n');
}

function block(b: MdBlock, depth: number, inQuote: boolean): string {
  switch (b.kind) {
    case 'paragraph':
      return inline(b.content, new Set());
    case 'heading':
      return `*${inline(b.content, new Set(['*']))}*`;
    case 'code':
      return '```' + escapeSlack(b.text) + '```';
    case 'quote': {
      // Slack quotes do not nest (an inner quote joins the outer one) and start a line: in a
      // list item the quote mark is written as text.
      const body = blocks(b.blocks, depth, true);
      if (inQuote) return body;
      const mark = depth > 0 ? '&gt;' : '>';
      return body.split('\n').map((line) => (line ? `${mark} ${line}` : mark)).join('\n');
    }
    case 'list':
      return list(b, depth);
    case 'rule':
      return '———';
    case 'blank':
      return '';
  }
}

function blocks(bs: MdBlock[], depth: number, inQuote: boolean): string {
  return bs.map((b) => block(b, depth, inQuote)).join('\n');
}

/**
 * Converts agent Markdown to Slack mrkdwn, from the shared parse ({@link parseMarkdown}):
 * headings and `**bold**` → `*bold*`, `*italic*` → `_italic_`, `~~strike~~` → `~strike~`, links →
 * `<url|text>` (http, https, mailto), bullets → `•`, quotes → `> `, fenced code → ``` blocks (the
 * language dropped). All other `&`, `<` and `>` are escaped, raw HTML and `<@U…>` included.
 */
export function markdownToMrkdwn(md: string): string {
  return blocks(parseMarkdown(md), 0, false);
}

/** The text to post for a message: mrkdwn from Markdown (default) or escaped plain text; a subject becomes a bold first line. */
export function renderText(text: string, format: 'markdown' | 'plain' = 'markdown', subject?: string): string {
  const body = format === 'plain' ? escapeSlack(text) : markdownToMrkdwn(text);
  return subject ? `*${escapeSlack(subject)}*\n${body}` : body;
}
