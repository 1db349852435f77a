import type { gmail_v1 } from '@googleapis/gmail';

type Part = gmail_v1.Schema$MessagePart;
type Message = gmail_v1.Schema$Message;

/** Longest body handed to the model per message, in characters: 20 000. */
export const MAX_BODY_CHARS = 20_000;

/** A header's value (case-insensitive name), or undefined. */
export function header(m: Message, name: string): string | undefined {
  const n = name.toLowerCase();
  return m.payload?.headers?.find((h) => h.name?.toLowerCase() === n)?.value ?? undefined;
}

const decode = (data: string) => Buffer.from(data, 'base64url').toString('utf8');

/** Every part of a message, depth first. */
function* partsOf(p: Part | undefined): Generator<Part> {
  if (!p) return;
  yield p;
  for (const c of p.parts ?? []) yield* partsOf(c);
}

/** The named entities mail HTML uses most; others stay as written. Numeric ones are all decoded. */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', euro: '€', pound: '£', yen: '¥', cent: '¢', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', middot: '·', bull: '•', zwnj: '', zwj: '',
};

/** HTML as plain text: scripts and styles dropped, block ends as line breaks, entities decoded. */
export function htmlToText(h: string): string {
  return h
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6]|blockquote)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
      return NAMED[e] ?? NAMED[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A file attached to a message: its metadata only (the bytes stay in Gmail). Sizes in bytes. */
export interface AttachmentMeta {
  filename: string;
  mime_type: string;
  size: number;
  attachment_id: string | null;
}

/** The readable body of a message: its text/plain part, else its HTML part stripped; capped at {@link MAX_BODY_CHARS}. */
export function bodyText(m: Message): string {
  const parts = [...partsOf(m.payload)].filter((p) => !p.filename && p.body?.data);
  const plain = parts.find((p) => p.mimeType === 'text/plain');
  const htmlPart = parts.find((p) => p.mimeType === 'text/html');
  const text = plain ? decode(plain.body!.data!) : htmlPart ? htmlToText(decode(htmlPart.body!.data!)) : '';
  return text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}… [cut]` : text.trim();
}

/** The attachments of a message (parts with a file name). */
export function attachmentsOf(m: Message): AttachmentMeta[] {
  return [...partsOf(m.payload)]
    .filter((p) => !!p.filename)
    .map((p) => ({ filename: p.filename!, mime_type: p.mimeType ?? 'application/octet-stream', size: p.body?.size ?? 0, attachment_id: p.body?.attachmentId ?? null }));
}

/** A message as the tools show it: ids, headers, labels, date, clean text and attachment metadata. */
export function messageView(m: Message) {
  return {
    id: m.id,
    thread_id: m.threadId,
    from: header(m, 'From') ?? null,
    to: header(m, 'To') ?? null,
    cc: header(m, 'Cc') ?? null,
    subject: header(m, 'Subject') ?? null,
    date: m.internalDate ? new Date(Number(m.internalDate)).toISOString() : (header(m, 'Date') ?? null),
    labels: m.labelIds ?? [],
    text: bodyText(m),
    attachments: attachmentsOf(m),
  };
}

/** A message in a search listing: headers and Gmail's snippet, no body. */
export function summaryView(m: Message) {
  return {
    id: m.id,
    thread_id: m.threadId,
    from: header(m, 'From') ?? null,
    subject: header(m, 'Subject') ?? null,
    date: m.internalDate ? new Date(Number(m.internalDate)).toISOString() : null,
    snippet: m.snippet ?? '',
    labels: m.labelIds ?? [],
  };
}

/** Whether a header value is safe to put in a header (no line breaks: no header injection). */
const oneLine = (v: string) => !/[\r\n]/.test(v);

/** A new email as an RFC 5322 message, base64url as Gmail's `raw` wants it. Throws on a header with a line break. */
export function rawEmail(input: { to: string; subject: string; body: string; cc?: string; bcc?: string; inReplyTo?: string; references?: string }): string {
  const headers: [string, string | undefined][] = [
    ['To', input.to],
    ['Cc', input.cc],
    ['Bcc', input.bcc],
    ['Subject', input.subject],
    ['In-Reply-To', input.inReplyTo],
    ['References', input.references],
  ];
  const lines: string[] = [];
  for (const [k, v] of headers) {
    if (v === undefined || v === '') continue;
    if (!oneLine(v)) throw new Error(`${k} must be one line`);
    lines.push(`${k}: ${k === 'Subject' ? encodeWord(v) : v}`);
  }
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset="UTF-8"', 'Content-Transfer-Encoding: base64', '', Buffer.from(input.body, 'utf8').toString('base64'));
  return Buffer.from(lines.join('\r\n'), 'utf8').toString('base64url');
}

/** A header value as an RFC 2047 encoded word when it is not plain ASCII. */
const encodeWord = (v: string) => (/^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v, 'utf8').toString('base64')}?=`);
