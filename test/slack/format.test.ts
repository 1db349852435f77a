import { describe, expect, it } from 'vitest';
import { markdownToMrkdwn, renderText } from '../../adapters/slack/index.ts';
import { ChannelPacer } from '../../adapters/slack/pacing.ts';

describe('Markdown to Slack mrkdwn', () => {
  it('converts emphasis, links, headings, lists and strikes', () => {
    expect(markdownToMrkdwn('**bold** and *italic* and _also_ and ~~gone~~')).toBe('*bold* and _italic_ and _also_ and ~gone~');
    expect(markdownToMrkdwn('see [the docs](https://example.com/a?b=1&c=2)')).toBe('see <https://example.com/a?b=1&amp;c=2|the docs>');
    expect(markdownToMrkdwn('# Title\n- one\n* two')).toBe('*Title*\n• one\n• two');
    expect(markdownToMrkdwn('> quoted **text**')).toBe('> quoted *text*');
  });

  it('escapes &, < and > outside links, and leaves code alone', () => {
    expect(markdownToMrkdwn('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
    expect(markdownToMrkdwn('run `a **b** <c>` now')).toBe('run `a **b** &lt;c&gt;` now');
    expect(markdownToMrkdwn('```ts\nconst x = **y**;\n```\n**after**')).toBe('```const x = **y**;```\n*after*');
  });

  it('renders from one parse: no link of a script URL, arithmetic stays, mentions and HTML are text (issue 8, item 14)', () => {
    expect(markdownToMrkdwn('[l](javascript:alert(1))')).toBe('l (javascript:alert(1))');
    expect(markdownToMrkdwn('2*3*4 and snake_case_name')).toBe('2*3*4 and snake_case_name');
    expect(markdownToMrkdwn('hi <@U0BOT> <b>x</b>')).toBe('hi &lt;@U0BOT&gt; &lt;b&gt;x&lt;/b&gt;');
    expect(markdownToMrkdwn('> a\n> > b\n\n1. one\n   - two')).toBe('> a\n> b\n\n1. one\n  • two');
    expect(markdownToMrkdwn('[a|b](https://e.x/p|q "tip") <https://auto.example>')).toBe('<https://e.x/p%7Cq|a|b> (tip) <https://auto.example>');
    expect(markdownToMrkdwn('x \u00000\u0000 y')).toContain('0');
  });

  it('escapes plain text only, and puts a subject first in bold', () => {
    expect(renderText('**not bold** <x>', 'plain')).toBe('**not bold** &lt;x&gt;');
    expect(renderText('body', 'markdown', 'Heads up')).toBe('*Heads up*\nbody');
  });
});

describe('channel pacing', () => {
  it('spaces calls on one channel and not across channels', async () => {
    const pacer = new ChannelPacer(100);
    const start = Date.now();
    await Promise.all([pacer.wait('C1'), pacer.wait('C1'), pacer.wait('C1'), pacer.wait('C2')]);
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
    const t = Date.now();
    await pacer.wait('C3');
    expect(Date.now() - t).toBeLessThan(50);
  });
});
