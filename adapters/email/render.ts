import { Marked, type Tokens } from 'marked';

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Only these link schemes survive; anything else (javascript:, data:…) is shown as text. */
const SAFE_HREF = /^(https?:|mailto:)/i;

/**
 * Markdown → HTML for email: raw HTML in the source is escaped (shown, never interpreted), and
 * links or images with unsafe schemes lose their URL.
 */
const markdown = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(token.text);
    },
    link(this: { parser: { parseInline(t: Tokens.Generic[]): string } }, token: Tokens.Link): string {
      const text = this.parser.parseInline(token.tokens);
      if (!SAFE_HREF.test(token.href)) return text;
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      return `<a href="${escapeHtml(token.href)}"${title}>${text}</a>`;
    },
    image(token: Tokens.Image): string {
      if (!/^https:/i.test(token.href)) return escapeHtml(token.text);
      return `<img src="${escapeHtml(token.href)}" alt="${escapeHtml(token.text)}">`;
    },
  },
});

/** The two bodies of an email. */
export interface EmailBodies {
  html: string;
  text: string;
}

/** Renders a message as safe HTML plus a plain-text part. `plain` texts are escaped, line breaks kept. */
export function renderEmail(text: string, format: 'markdown' | 'plain' = 'markdown'): EmailBodies {
  const inner =
    format === 'plain'
      ? `<p>${escapeHtml(text).replace(/\r?\n/g, '<br>\n')}</p>`
      : (markdown.parse(text, { async: false }) as string);
  const html = `<!doctype html><html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;line-height:1.5">\n${inner}\n</body></html>`;
  return { html, text };
}

/** A subject from the first line of the text when the call gave none: Markdown marks removed, ≤ 78 characters. */
export function defaultSubject(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim()) ?? '';
  const clean = first.replace(/^[#>\-*\s]+/, '').replace(/[*_`~]/g, '').trim();
  if (!clean) return 'Notification from Switchboard';
  return clean.length > 78 ? `${clean.slice(0, 75).trimEnd()}…` : clean;
}
