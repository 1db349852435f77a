/** Escapes the three characters Slack's text reserves: `&`, `<`, `>`. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const HOLD = '\u0000';

/**
 * Converts one line-oriented chunk of Markdown (no code) to Slack mrkdwn: headings and `**bold**`
 * become `*bold*`, `*italic*` becomes `_italic_`, `~~strike~~` becomes `~strike~`, links become
 * `<url|text>`, bullets become `•`, quotes keep their `>`.
 */
function convertProse(md: string): string {
  const held: string[] = [];
  const hold = (s: string) => `${HOLD}${held.push(s) - 1}${HOLD}`;
  let s = md.replace(/\u0000/g, '').replace(/`([^`\n]+)`/g, (_m, code: string) => hold(`\`${escapeSlack(code)}\``));
  s = s.replace(/!?\[([^\]\n]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (_m, label: string, url: string) =>
    hold(label ? `<${escapeSlack(url)}|${escapeSlack(label)}>` : `<${escapeSlack(url)}>`),
  );
  s = s.replace(/<(https?:\/\/[^>\s]+)>/g, (_m, url: string) => hold(`<${escapeSlack(url)}>`));
  const lines = s.split('\n').map((line) => {
    const quote = /^\s*>\s?/.exec(line);
    let body = quote ? line.slice(quote[0].length) : line;
    body = escapeSlack(body);
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(body);
    if (heading) body = hold(`*${heading[1].replace(/\*\*/g, '')}*`);
    body = body.replace(/^(\s*)[-*+]\s+/, '$1• ');
    body = body.replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, (_m, _d, inner: string) => hold(`*${inner}*`));
    body = body.replace(/(^|[^\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])/g, '$1_$2_');
    body = body.replace(/~~(?=\S)(.+?)(?<=\S)~~/g, '~$1~');
    return quote ? `> ${body}` : body;
  });
  s = lines.join('\n');
  for (let i = 0; i < 3 && s.includes(HOLD); i++) s = s.replace(/\u0000(\d+)\u0000/g, (_m, n: string) => held[Number(n)]);
  return s;
}

/**
 * Converts agent Markdown to Slack mrkdwn. Fenced code blocks are kept as ``` blocks (the language
 * tag dropped) with only `&<>` escaped; everything else goes through the prose rules.
 */
export function markdownToMrkdwn(md: string): string {
  const out: string[] = [];
  const fence = /```[^\n`]*\n?([\s\S]*?)```/g;
  let last = 0;
  for (let m = fence.exec(md); m; m = fence.exec(md)) {
    out.push(convertProse(md.slice(last, m.index)));
    out.push('```' + escapeSlack(m[1].replace(/\n$/, '')) + '```');
    last = m.index + m[0].length;
  }
  out.push(convertProse(md.slice(last)));
  return out.join('');
}

/** The text to post for a message: mrkdwn from Markdown (default) or escaped plain text; a subject becomes a bold first line. */
export function renderText(text: string, format: 'markdown' | 'plain' = 'markdown', subject?: string): string {
  const body = format === 'plain' ? escapeSlack(text) : markdownToMrkdwn(text);
  return subject ? `*${escapeSlack(subject)}*\n${body}` : body;
}
