import { Lexer, type Token, type Tokens } from 'marked';

/**
 * Agent Markdown, parsed once into a small neutral tree that each chat adapter renders in its own
 * format (Telegram HTML, Slack mrkdwn). Built on marked's lexer (GFM). The tree keeps every
 * character of visible text: raw HTML, reference definitions and anything the tree has no node
 * for become literal text, so a renderer that escapes text can never lose or invent content.
 * Text is literal: entities are neither decoded nor escaped (escaping is the renderer's job).
 */

/** An inline run of a block. */
export type MdInline =
  | { kind: 'text'; text: string }
  | { kind: 'strong' | 'em' | 'strike'; children: MdInline[] }
  | { kind: 'code'; text: string }
  /** A link or image: `children` is the label (an image's alt text), `title` its tooltip if any. */
  | { kind: 'link'; href: string; title?: string; children: MdInline[] }
  /** A hard line break. */
  | { kind: 'break' };

/** A list item: its marker as written (`-`, `3.`, `1)`), a task box if any, and its blocks. */
export interface MdListItem {
  marker: string;
  ordered: boolean;
  task?: 'done' | 'open';
  blocks: MdBlock[];
}

/** A block of a document. `blank` stands for blank lines between blocks. */
export type MdBlock =
  | { kind: 'paragraph'; content: MdInline[] }
  | { kind: 'heading'; level: number; content: MdInline[] }
  /** A fenced or indented code block; `lang` is the first word of the info string ('' if none). */
  | { kind: 'code'; lang: string; text: string }
  | { kind: 'quote'; blocks: MdBlock[] }
  | { kind: 'list'; loose: boolean; items: MdListItem[] }
  | { kind: 'rule' }
  | { kind: 'blank' };

const WORD_CHAR = /[\p{L}\p{N}]/u;
const text = (t: string): MdInline => ({ kind: 'text', text: t });

/** Marked's tokens for a text; should the lexer ever give up, the whole text is one literal paragraph. */
function lex(md: string): Token[] {
  try {
    return new Lexer({ gfm: true }).lex(md);
  } catch {
    return [{ type: 'paragraph', raw: md, text: md, tokens: [{ type: 'text', raw: md, text: md }] } as Tokens.Paragraph];
  }
}

/**
 * `2*3*4` is arithmetic, not emphasis: a single-`*` emphasis touching a letter or digit outside
 * its delimiters stays literal, as `_` already does in CommonMark.
 */
function intraword(t: Tokens.Em, prev: Token | undefined, next: Token | undefined): boolean {
  if (!/^\*[^*]/.test(t.raw) || !/[^*]\*$/.test(t.raw)) return false;
  const before = prev?.type === 'text' ? (prev as Tokens.Text).text.slice(-1) : '';
  const after = next?.type === 'text' ? (next as Tokens.Text).text.slice(0, 1) : '';
  return WORD_CHAR.test(before) || WORD_CHAR.test(after);
}

function inlines(tokens: Token[] | undefined): MdInline[] {
  const out: MdInline[] = [];
  const list = tokens ?? [];
  list.forEach((t, i) => {
    switch (t.type) {
      case 'text':
        // A block-level text token (tight list items) carries inline tokens of its own.
        // A leaf keeps its source: marked decodes numeric entities (`&#60;`) but not named ones;
        // we decode neither, so what the agent wrote is what the reader sees.
        if ('tokens' in t && t.tokens?.length) out.push(...inlines(t.tokens));
        else out.push(text(t.raw));
        break;
      case 'escape':
        out.push(text((t as Tokens.Escape).text));
        break;
      case 'strong':
      case 'del':
        out.push({ kind: t.type === 'strong' ? 'strong' : 'strike', children: inlines(t.tokens) });
        break;
      case 'em':
        if (intraword(t as Tokens.Em, list[i - 1], list[i + 1])) out.push(text('*'), ...inlines(t.tokens), text('*'));
        else out.push({ kind: 'em', children: inlines(t.tokens) });
        break;
      case 'codespan':
        out.push({ kind: 'code', text: (t as Tokens.Codespan).text });
        break;
      case 'link':
      case 'image': {
        const l = t as Tokens.Link | Tokens.Image;
        const children = t.type === 'image' ? [text(l.text)] : inlines(l.tokens);
        out.push({ kind: 'link', href: l.href, ...(l.title ? { title: l.title } : {}), children });
        break;
      }
      case 'br':
        out.push({ kind: 'break' });
        break;
      case 'checkbox':
        break; // read from the list item instead
      default:
        // Inline HTML and anything unknown: its source, as literal text.
        out.push(text(t.raw));
    }
  });
  return out;
}

function listItem(list: Tokens.List, item: Tokens.ListItem): MdListItem {
  const marker = /^\s*(\d{1,9}[.)]|[-*+])/.exec(item.raw)?.[1] ?? (list.ordered ? '1.' : '-');
  const tokens = item.tokens.filter((t) => t.type !== 'checkbox');
  return { marker, ordered: list.ordered, ...(item.task ? { task: item.checked ? 'done' : 'open' } : {}), blocks: blocks(tokens) };
}

/** A table's delimiter row (`|---|:-:|`). */
const DELIMITER_ROW = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/**
 * A table as its rows, one line each, cells separated by ` | ` (chat apps have no tables). Read
 * from the source lines, not marked's cells, which drop cells beyond the header's count.
 */
function tableLines(t: Tokens.Table): MdBlock {
  const content: MdInline[] = [];
  const rows = t.raw.replace(/\n+$/, '').split('\n').filter((line) => !DELIMITER_ROW.test(line));
  rows.forEach((row, r) => {
    if (r > 0) content.push({ kind: 'break' });
    const cells = row.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '').split(/(?<!\\)\|/);
    cells.forEach((cell, c) => {
      if (c > 0) content.push(text(' | '));
      content.push(...inlines(Lexer.lexInline(cell.trim().replace(/\\\|/g, '|'), { gfm: true })));
    });
  });
  return { kind: 'paragraph', content };
}

function blocks(tokens: Token[]): MdBlock[] {
  const out: MdBlock[] = [];
  for (const t of tokens) {
    switch (t.type) {
      case 'space':
        out.push({ kind: 'blank' });
        break;
      case 'paragraph':
      case 'text':
        out.push({ kind: 'paragraph', content: 'tokens' in t && t.tokens ? inlines(t.tokens) : [text((t as Tokens.Text).text)] });
        break;
      case 'heading':
        out.push({ kind: 'heading', level: (t as Tokens.Heading).depth, content: inlines(t.tokens) });
        break;
      case 'code': {
        const c = t as Tokens.Code;
        out.push({ kind: 'code', lang: (c.lang ?? '').trim().split(/\s+/)[0] ?? '', text: c.text });
        break;
      }
      case 'blockquote':
        out.push({ kind: 'quote', blocks: blocks((t as Tokens.Blockquote).tokens) });
        break;
      case 'list': {
        const l = t as Tokens.List;
        out.push({ kind: 'list', loose: l.loose, items: l.items.map((item) => listItem(l, item)) });
        break;
      }
      case 'hr':
        out.push({ kind: 'rule' });
        break;
      case 'table':
        out.push(tableLines(t as Tokens.Table));
        break;
      default:
        // Block HTML, reference definitions (`[x]: url`) and anything unknown: the source, literally.
        out.push({ kind: 'paragraph', content: [text(t.raw.replace(/\n+$/, ''))] });
    }
  }
  while (out[0]?.kind === 'blank') out.shift();
  while (out[out.length - 1]?.kind === 'blank') out.pop();
  return out;
}

/**
 * One line of words and plain punctuation that no Markdown rule can touch: it starts and ends with
 * a letter, digit or closing mark, has no `*_~`[]<>&#|\\/@` or line break, and is not a list
 * marker (`1.`) or a `www.` autolink. Most chat replies are such lines.
 */
const PLAIN_LINE = /^[\p{L}\p{N}](?:[\p{L}\p{N} ,.:;!?'"()]*[\p{L}\p{N}.!?'")])?$/u;

/** Whether {@link parseMarkdown} may skip the lexer: the text is one literal paragraph. */
export function isPlainLine(md: string): boolean {
  return PLAIN_LINE.test(md) && !/^\d{1,9}[.)]/.test(md) && !/www\./i.test(md);
}

/** Parses agent Markdown (CommonMark + GFM) into the neutral tree. Never throws. */
export function parseMarkdown(md: string): MdBlock[] {
  if (isPlainLine(md)) return [{ kind: 'paragraph', content: [text(md)] }];
  return parseWithLexer(md);
}

/** The lexer's parse, whatever the text ({@link parseMarkdown} without its shortcut for plain lines). */
export function parseWithLexer(md: string): MdBlock[] {
  return blocks(lex(md.replace(/\r\n?/g, '\n')));
}

/** The visible text of inline runs, without any formatting (for link labels and plain fallbacks). */
export function plainText(content: MdInline[]): string {
  return content.map((n) => (n.kind === 'text' || n.kind === 'code' ? n.text : n.kind === 'break' ? '\n' : plainText(n.children))).join('');
}

/** Whether an href is an absolute URL of one of `schemes` (e.g. `['http:', 'https:']`), safe to link. */
export function isLinkable(href: string, schemes: readonly string[]): boolean {
  if (/[\s<>"]/.test(href)) return false;
  try {
    return schemes.includes(new URL(href).protocol);
  } catch {
    return false;
  }
}
