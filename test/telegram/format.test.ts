import { describe, expect, it } from 'vitest';
import { escapeHtml, markdownToHtml, toParts } from '../../adapters/telegram/format.ts';
import { Pacer } from '../../adapters/telegram/pacing.ts';
import { RetryAfterError } from '../../src/channel/index.ts';
import { mentions, parseUpdate } from '../../adapters/telegram/parse.ts';
import { fixture } from './env.ts';
import { wellFormed } from '../property/markdown-input.ts';

describe('Telegram formatting', () => {
  it('escapes everything that is not formatting', () => {
    expect(markdownToHtml('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(markdownToHtml('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(escapeHtml('&<>')).toBe('&amp;&lt;&gt;');
  });

  it('converts the usual Markdown', () => {
    expect(markdownToHtml('**b** __b__ *i* _i_ ~~s~~')).toBe('<b>b</b> <b>b</b> <i>i</i> <i>i</i> <s>s</s>');
    expect(markdownToHtml('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
    expect(markdownToHtml('`**not bold**`')).toBe('<code>**not bold**</code>');
    expect(markdownToHtml('[a "q"](https://x.test/?a=1&b=2)')).toBe('<a href="https://x.test/?a=1&amp;b=2">a "q"</a>');
    expect(markdownToHtml('> quoted\n> more')).toBe('<blockquote>quoted\nmore</blockquote>');
    expect(markdownToHtml('```\n<raw> **x**\n```')).toBe('<pre><code>&lt;raw&gt; **x**</code></pre>');
  });

  it('splits after formatting: every part within 4096, a plain fallback beside each', () => {
    const text = Array.from({ length: 40 }, (_, i) => `**Section ${i}** ` + Array(40).fill('<tag> &').join(' ')).join('\n\n');
    const parts = toParts(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(p.html!.length).toBeLessThanOrEqual(4096);
      expect(p.html!.split('<b>').length).toBe(p.html!.split('</b>').length);
    }
    expect(parts.map((p) => p.plain).join('\n\n')).toBe(text);
    expect(toParts('x'.repeat(5000), 'plain').map((p) => p.plain.length)).toEqual([4096, 904]);
  });

  it('keeps text that looks like the old placeholders (issue 8, item 14)', () => {
    expect(markdownToHtml('a \u00010\u0001 b')).toBe('a \u00010\u0001 b');
    expect(markdownToHtml('x \u00000\u0000 **y**')).toBe('x \u00000\u0000 <b>y</b>');
  });

  it('never cuts a character in two at the limit: an emoji or astral letter stays whole', () => {
    const text = 'a' + '𝐀'.repeat(3000);
    for (const format of ['plain', 'markdown'] as const) {
      const parts = toParts(text, format);
      expect(parts.map((p) => p.plain).join('')).toBe(text);
      for (const p of parts) {
        expect(p.plain.length).toBeLessThanOrEqual(4096);
        expect(wellFormed(p.plain)).toBe(true);
        if (p.html !== undefined) expect(wellFormed(p.html)).toBe(true);
      }
    }
  });

  it('renders nested and mixed Markdown the way Telegram allows', () => {
    expect(markdownToHtml('**bold `code` [x](https://e.x)**')).toBe('<b>bold code <a href="https://e.x">x</a></b>');
    expect(markdownToHtml('> quote\n> ```\n> a < b\n> ```')).toBe('<blockquote>quote\n<code>a &lt; b</code></blockquote>');
    expect(markdownToHtml('3. three\n3. again\n   - inner')).toBe('3. three\n3. again\n  • inner');
    expect(markdownToHtml('[relative](docs/a.md) and ![alt](https://e.x/i.png)')).toBe('relative (docs/a.md) and <a href="https://e.x/i.png">alt</a>');
    expect(markdownToHtml('# Title **bold**\n\ntext')).toBe('<b>Title bold</b>\n\ntext');
  });
});

describe('Telegram parsing', () => {
  it('reads commands, mentions and unsupported updates', () => {
    const cmd = parseUpdate(fixture('private_command'));
    expect('command' in cmd && cmd.command).toEqual({ name: 'help', botName: undefined, args: '' });
    const g = parseUpdate(fixture('group_mention'));
    expect('message' in g && mentions(g.message, { id: 1, username: 'switchboard_test_bot' })).toBe(true);
    expect('message' in g && mentions(g.message, { id: 1, username: 'other_bot' })).toBe(false);
    expect(parseUpdate(fixture('callback_query'))).toEqual({ unsupported: 'unsupported update type callback_query' });
    expect(parseUpdate({ nonsense: true })).toEqual({ unsupported: expect.stringMatching(/^not a valid Telegram update: update_id: expected number/) });
  });
});

describe('Telegram pacing', () => {
  it('spaces sends per chat without blocking other chats, and hands long waits back as retry-after', async () => {
    const pacer = new Pacer({ chatIntervalMs: 100, groupIntervalMs: 300, botIntervalMs: 0, chatBurst: 1, botBurst: 1, maxWaitMs: 250 });
    const t0 = Date.now();
    const times: Record<string, number[]> = { a: [], b: [] };
    await Promise.all([
      ...[1, 2, 3].map(() => pacer.acquire('bot', 'a', false).then(() => times.a.push(Date.now() - t0))),
      pacer.acquire('bot', 'b', false).then(() => times.b.push(Date.now() - t0)),
    ]);
    expect(times.b[0]).toBeLessThan(50);
    expect(times.a.sort((x, y) => x - y)[2]).toBeGreaterThanOrEqual(190);
    await pacer.acquire('bot', 'g', true);
    await expect(Promise.all([pacer.acquire('bot', 'g', true), pacer.acquire('bot', 'g', true)])).rejects.toBeInstanceOf(RetryAfterError);
  });

  it('caps the whole bot', async () => {
    const pacer = new Pacer({ chatIntervalMs: 0, groupIntervalMs: 0, botIntervalMs: 20, chatBurst: 1, botBurst: 2, maxWaitMs: 5000 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 12 }, (_, i) => pacer.acquire('bot', `c${i}`, false)));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
  });
});
