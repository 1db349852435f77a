import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, SendContext } from '../../src/channel/index.ts';
import { DIALECTS } from '../helpers/db.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';
import { statementCounter } from '../scale/quiet-hub.ts';

/**
 * Replies the echo agent writes go out through the outbox worker; on SQLite a reply whose chat has
 * nothing open is queued already leased and sent at once. Either way the chat's order, the
 * worker's limit of sends at once and "sent once" must hold.
 */
describe.each(DIALECTS)('replies of chats through the outbox on %s', (dialect) => {
  let t: TestHub;
  let profileId: string;
  let me: string;
  const sends: { thread: string; text: string; key: string }[] = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  let delayMs = 0;

  beforeAll(async () => {
    // No poll to fall back on: every row that becomes claimable must wake the worker.
    t = await startTestHub({ dialect, bus: { inboxConcurrency: 16, outboxConcurrency: 3, pollIntervalMs: 60_000 } });
    profileId = (await t.api('GET', '/v1/profiles')).body.profiles.find((p: any) => p.name === 'default').id;
    me = (await t.api('GET', '/v1/me')).body.user.id;
    const consoleAdapter = t.hub.bus.adapters.get('console')!;
    const send = consoleAdapter.send.bind(consoleAdapter);
    consoleAdapter.send = async (m: OutboundMessage, ctx: SendContext) => {
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      try {
        if (delayMs) await new Promise((r) => setTimeout(r, 1 + Math.floor(Math.random() * delayMs)));
        sends.push({ thread: String((m.target as { thread?: string }).thread), text: m.text, key: ctx.idempotencyKey });
        return await send(m, ctx);
      } finally {
        inFlight--;
      }
    };
  });
  afterAll(() => t.close());

  /** Commits console lines to the inbox together, as a burst of webhooks would. */
  const post = (lines: { thread: string; text: string }[]) =>
    t.hub.bus.appendInbound(
      lines.map((l) => ({
        channel: 'console',
        source: profileId,
        externalEventId: `${l.thread}-${l.text}`,
        orderingKey: `console|${profileId}|${l.thread}`,
        payload: { userId: me, profileId, thread: l.thread, text: l.text, sentAt: Date.now() },
      })),
    );

  it('answers each chat in order, each reply once, never more sends at once than the worker allows', async () => {
    delayMs = 15;
    const threads = ['A', 'B', 'C', 'D', 'E', 'F'];
    for (let i = 0; i < 8; i++) await post(threads.map((thread) => ({ thread, text: `m${i}` })));
    await eventually(() => sends.length >= 48, 15_000);
    for (const thread of threads) {
      expect(sends.filter((s) => s.thread === thread).map((s) => s.text)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `echo: m${i}`));
    }
    expect(new Set(sends.map((s) => s.key)).size).toBe(48);
    expect(mostAtOnce).toBeLessThanOrEqual(3);
    expect(mostAtOnce).toBeGreaterThan(1);
    // Every reply row ended as sent, on its first attempt.
    const rows = await t.hub.store.outbox.recentForUser(me, 100);
    expect(rows.filter((r) => r.status === 'sent' && r.attempts === 1)).toHaveLength(48);
  });

  it.runIf(dialect === 'sqlite')('sends the reply of a quiet chat without a claim of the outbox', async () => {
    delayMs = 0;
    const counter = statementCounter(t.hub.db.kysely);
    try {
      const { sql } = await counter.during(async () => {
        await post([{ thread: 'quiet', text: 'hello' }]);
        await eventually(() => sends.some((s) => s.thread === 'quiet'));
      });
      expect(sql.filter((s) => /^\s*update outbox set status = 'sending'/i.test(s))).toEqual([]);
      expect(sql.some((s) => /^insert into "outbox"/i.test(s))).toBe(true);
    } finally {
      counter.restore();
    }
    expect(sends.filter((s) => s.thread === 'quiet').map((s) => s.text)).toEqual(["echo: hello"]);
  });
});
