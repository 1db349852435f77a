import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { markdownToMrkdwn, renderText } from '../../adapters/slack/index.ts';
import { lostLetters, markdownInput, owedText, RUNS } from './markdown-input.ts';

/** Links the renderer makes itself: `<https://…|label>`, `<mailto:…>`. */
const OWN_LINK = /<(?:https?|mailto):[^<>|\s]*(?:\|[^<>]*)?>/g;

/** Why `mrkdwn` is not safe Slack text, or '' when it is: `<`, `>` and `&` escaped outside its own links and quote marks. */
export function mrkdwnProblem(mrkdwn: string): string {
  const rest = mrkdwn.replace(OWN_LINK, ' ').replace(/^> ?/gm, '');
  if (/[<>]/.test(rest)) return `raw ${/[<>]/.exec(rest)![0]} in ${JSON.stringify(rest)}`;
  if (/&(?!(?:amp|lt|gt);)/.test(rest)) return `unescaped & in ${JSON.stringify(rest)}`;
  return '';
}

/** Text with Slack's three entities decoded. */
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

describe('Slack mrkdwn over random Markdown (fast-check, seeded)', () => {
  it('never throws, never loses a letter or digit, and escapes &, < and > outside its own links', () => {
    fc.assert(
      fc.property(markdownInput, (md) => {
        const out = markdownToMrkdwn(md);
        expect(mrkdwnProblem(out), JSON.stringify({ md, out })).toBe('');
        expect(lostLetters(owedText(md), unescape(out)), JSON.stringify({ md, out })).toBe('');
      }),
      RUNS,
    );
  });

  it('renders plain text escaped and whole, with a subject', () => {
    fc.assert(
      fc.property(markdownInput, fc.option(markdownInput, { nil: undefined }), (text, subject) => {
        const out = renderText(text, 'plain', subject);
        expect(mrkdwnProblem(out), out).toBe('');
        expect(unescape(out).endsWith(text)).toBe(true);
      }),
      RUNS,
    );
  });
});
