import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage, SendContext } from '../../src/channel/index.ts';
import { DIALECTS } from '../helpers/db.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';
import { statementCounter } from '../scale/quiet-hub.ts';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';

/**
 * On SQLite a message whose chat has nothing open goes into the inbox already leased and is handled
 * at once, and a reply whose chat has nothing open is queued already leased and sent at once, with
 * no claim. Either way each chat's order, the workers' limits and "answered and sent once" must hold.
 */
describe.each(DIALECTS)('messages and replies of chats through the bus on %s', (dialect) => {
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
    // Every reply row ends as sent, on its first attempt (the last sent marks commit just after their sends).
    const sentFirstTime = async () => (await t.hub.store.outbox.recentForUser(me, 100)).filter((r) => r.status === 'sent' && r.attempts === 1);
    await eventually(async () => (await sentFirstTime()).length >= 48, 5_000);
    expect(await sentFirstTime()).toHaveLength(48);
  });

  it.runIf(dialect === 'sqlite')('answers a quiet chat without a claim of the inbox or the outbox', async () => {
    delayMs = 0;
    const counter = statementCounter(t.hub.db.kysely);
    try {
      const { sql } = await counter.during(async () => {
        await post([{ thread: 'quiet', text: 'hello' }]);
        await eventually(() => sends.some((s) => s.thread === 'quiet'));
      });
      expect(sql.filter((s) => /^\s*update (outbox|inbox) set status = '(sending|processing)'/i.test(s))).toEqual([]);
      expect(sql.some((s) => /^insert into "outbox"/i.test(s))).toBe(true);
    } finally {
      counter.restore();
    }
    expect(sends.filter((s) => s.thread === 'quiet').map((s) => s.text)).toEqual(["echo: hello"]);
  });
});

describe.each(DIALECTS)('turns of many chats at once on %s', (dialect) => {
  const secret = newWebhookSecret();
  let agent: FakeAgent;
  let t: TestHub;
  let profileId: string;
  let me: string;

  beforeAll(async () => {
    agent = await startFakeAgent(secret);
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `ok ${c.body.message.text}` } }, delayMs: 10 + Math.floor(Math.random() * 20) });
    t = await startTestHub({ dialect, env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { inboxConcurrency: 6, pollIntervalMs: 60_000 } });
    profileId = (await t.api('POST', '/v1/profiles', { name: 'remote', agent: { kind: 'http', url: agent.url, secret } })).body.profile.id;
    me = (await t.api('GET', '/v1/me')).body.user.id;
  });
  afterAll(async () => {
    await t.close();
    await agent.close();
  });

  /** Appends round `i` of a line per thread, together, as a burst of webhooks would; resolves after the commit. */
  const round = (threads: string[], i: number) =>
    t.hub.bus.appendInbound(
      threads.map((thread) => ({
        channel: 'console',
        source: profileId,
        externalEventId: `${thread}-${i}`,
        orderingKey: `console|${profileId}|${thread}`,
        payload: { userId: me, profileId, thread, text: `${thread}${i}`, sentAt: Date.now() },
      })),
    );

  /** The agent saw each thread's lines in order, one call at a time. */
  const inOrder = (threads: string[], rounds: number) => {
    for (const thread of threads) {
      const calls = agent.calls.filter((c) => c.body.message.threadKey === thread);
      expect(calls.map((c) => c.body.message.text)).toEqual(Array.from({ length: rounds }, (_, i) => `${thread}${i}`));
      for (let i = 1; i < calls.length; i++) expect(calls[i].startedAt).toBeGreaterThanOrEqual(calls[i - 1].endedAt!);
    }
  };

  it('never runs more turns at once than the inbox allows, and each chat one at a time, in order', async () => {
    agent.calls.length = 0;
    const threads = ['p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'o'];
    for (let i = 0; i < 3; i++) await round(threads, i);
    await eventually(() => agent.calls.filter((c) => c.endedAt).length === 36, 15_000);
    const edges = agent.calls.flatMap((c) => [
      { at: c.startedAt, d: 1 },
      { at: c.endedAt!, d: -1 },
    ]);
    let now = 0;
    let most = 0;
    for (const e of edges.sort((a, b) => a.at - b.at || a.d - b.d)) most = Math.max(most, (now += e.d));
    expect(most).toBeLessThanOrEqual(6);
    expect(most).toBeGreaterThan(1);
    inOrder(threads, 3);
  });

  it('handles the next line of a chat, appended while its head runs, as soon as the head ends', async () => {
    agent.calls.length = 0;
    const threads = ['head-a', 'head-b'];
    // Room to spare: the later lines are probed at once, find their heads running, and wait for them to end.
    for (let i = 0; i < 4; i++) await round(threads, i);
    await eventually(() => agent.calls.filter((c) => c.endedAt).length === 8, 15_000);
    inOrder(threads, 4);
  });

  it.runIf(dialect === 'sqlite')('handles a line appended pending (no place free) behind a head leased at append, once the head ends', async () => {
    agent.calls.length = 0;
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `ok ${c.body.message.text}` } }, delayMs: c.body.message.text.endsWith('0') ? 150 : 5 });
    await round(['full'], 0);
    await eventually(() => agent.calls.length === 1);
    // Every place taken: the next line goes in pending, and its probe finds the head still running.
    const held = t.hub.bus.inboxWorker.reserve(100);
    await round(['full'], 1);
    t.hub.bus.inboxWorker.release(held);
    await eventually(() => agent.calls.filter((c) => c.endedAt).length === 2, 5_000);
    inOrder(['full'], 2);
  });
});
