import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { Envelope } from '../../src/crypto/envelope.ts';
import { decodeMasterKey, KeyRing } from '../../src/crypto/keyring.ts';
import { createStore, migrate, openDatabase, type Store } from '../../src/store/index.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import { createProbe, type Probe } from '../fakes/probe-adapter.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { eventually, startTestHub, TEST_MASTER_KEY, type TestHub } from '../helpers/hub.ts';

/** A console line as the console channel stores it. */
const consoleEvent = (userId: string, profileId: string, thread: string, text: string) => ({
  channel: 'console',
  source: profileId,
  externalEventId: `${thread}-${text}`,
  orderingKey: `console|${profileId}|${thread}`,
  payload: { userId, profileId, thread, text, sentAt: Date.now() },
});

/** The agent replies logged for a profile, oldest first. */
async function replies(t: TestHub, profileId: string): Promise<string[]> {
  const all = (await t.api('GET', '/v1/messages?limit=200')).body.messages as any[];
  return all.filter((m) => m.profile_id === profileId && m.type === 'agent_response').map((m) => m.text).reverse();
}

describe.each(DIALECTS)('leases of a running hub on %s', (dialect) => {
  let t: TestHub;
  let agent: FakeAgent;
  let probe: Probe;
  let userId: string;
  const secret = newWebhookSecret();
  const LEASE_MS = 600;

  beforeAll(async () => {
    agent = await startFakeAgent(secret);
    probe = createProbe();
    t = await startTestHub({ dialect, env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { leaseMs: LEASE_MS, agentTimeoutMs: 20_000 }, extraAdapters: { probe: probe.factory } });
    userId = (await t.api('GET', '/v1/me')).body.user.id;
  });
  afterAll(async () => {
    await t.close();
    await agent.close();
  });

  it('answers a newer message only after the older one, which a dead process still held, is taken back and answered', async () => {
    const p = (await t.api('POST', '/v1/profiles', { name: `order-${dialect}` })).body.profile;
    // A process that died mid-turn left the first message leased (live lease, foreign owner).
    const held = await t.hub.store.transaction(async (tx) => {
      await tx.inbox.append([consoleEvent(userId, p.id, 'chat', 'first')]);
      return tx.inbox.claim(1, LEASE_MS, 'dead-process');
    });
    expect(held.map((r) => [r.external_event_id, r.lease_owner])).toEqual([['chat-first', 'dead-process']]);
    await t.hub.bus.appendInbound([consoleEvent(userId, p.id, 'chat', 'second')]);
    await t.hub.bus.appendInbound([consoleEvent(userId, p.id, 'other', 'elsewhere')]);
    // The other conversation goes on meanwhile; this one waits behind its oldest message.
    await eventually(async () => (await replies(t, p.id)).includes('echo: elsewhere'));
    expect(await replies(t, p.id)).toEqual(['echo: elsewhere']);
    expect((await t.hub.store.inbox.byId(held[0].id))?.lease_owner).toBe('dead-process');
    // After the lease runs out, both are answered, in order.
    await eventually(async () => (await replies(t, p.id)).length === 3, 10_000);
    expect(await replies(t, p.id)).toEqual(['echo: elsewhere', 'echo: first', 'echo: second']);
    const row = await t.hub.store.inbox.byId(held[0].id);
    expect([row?.status, row?.attempts, row?.lease_owner]).toEqual(['done', 2, t.hub.bus.owner]);
  });

  it('does not take over a turn that runs longer than the lease: one agent call, one reply', async () => {
    const p = (await t.api('POST', '/v1/profiles', { name: `slow-${dialect}`, agent: { kind: 'http', url: agent.url, secret } })).body.profile;
    agent.calls.length = 0;
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `done ${c.body.message.text}` } }, delayMs: c.body.message.text === 'long' ? 4 * LEASE_MS : 0 });
    const long = await t.api('POST', `/v1/profiles/${p.id}/chat`, { text: 'long', thread: 'slow', wait_ms: 20_000 });
    expect(long.body.reply).toBe('done long');
    // The positive signal that nothing else is coming for "long": the next message of the thread is answered.
    const after = await t.api('POST', `/v1/profiles/${p.id}/chat`, { text: 'after', thread: 'slow', wait_ms: 10_000 });
    expect(after.body.reply).toBe('done after');
    expect(agent.calls.map((c) => c.body.message.text)).toEqual(['long', 'after']);
    expect(await replies(t, p.id)).toEqual(['done long', 'done after']);
    // Its lease was renewed while the agent worked: never taken back, claimed once.
    const row = await t.hub.store.inbox.byId(Number(agent.calls[0].body.message.id));
    expect([row?.status, row?.attempts, row?.lease_owner]).toEqual(['done', 1, t.hub.bus.owner]);
  });

  it('sends a delivery a dead process left in flight again, after its lease, with the same idempotency key', async () => {
    const integration = (await t.api('POST', '/v1/integrations', { type: 'probe' })).body.integration;
    probe.sent.length = 0;
    const [left] = await t.hub.store.transaction(async (tx) => {
      await tx.outbox.enqueue([
        { idempotencyKey: `notif_dead:${integration.id}`, userId, channel: 'probe', integrationId: integration.id, orderingKey: `probe|${dialect}`, payload: { text: 'in flight', target: {} }, maxAttempts: 4 },
      ]);
      return tx.outbox.claim(1, LEASE_MS, 'dead-process');
    });
    expect(left.lease_owner).toBe('dead-process');
    const sent = await eventually(async () => {
      const row = await t.hub.store.outbox.byId(left.id);
      return row?.status === 'sent' ? row : undefined;
    }, 10_000);
    expect(probe.sent.map((s) => [s.text, s.key])).toEqual([['in flight', `notif_dead:${integration.id}`]]);
    expect([sent!.idempotency_key, sent!.attempts, sent!.lease_owner]).toEqual([`notif_dead:${integration.id}`, 2, t.hub.bus.owner]);
  });
});

describe.each(DIALECTS)('a hub restarting on %s', (dialect) => {
  it(
    dialect === 'sqlite'
      ? 'takes back the rows of its previous run at once, without waiting for their lease'
      : 'takes back only expired leases at start (a live lease may be another replica\'s)',
    async () => {
      const db = await freshDatabase(dialect);
      const bus = { leaseMs: 60_000 };
      const first = await startTestHub({ database: db, bus });
      const p = (await first.api('POST', '/v1/profiles', { name: 'restart' })).body.profile;
      const user = (await first.api('GET', '/v1/me')).body.user.id;
      await first.close();

      // What the previous run left: the head of a conversation leased for another minute, and a newer message.
      const handle = openDatabase(db.url);
      await migrate(handle);
      const store: Store = createStore(handle, new Envelope(new KeyRing([decodeMasterKey(TEST_MASTER_KEY)])));
      await store.inbox.append([consoleEvent(user, p.id, 'kept', 'one')]);
      const [held] = await store.inbox.claim(1, 60_000, 'previous-run');
      await store.inbox.append([consoleEvent(user, p.id, 'kept', 'two')]);
      await handle.close();

      const t = await startTestHub({ database: db, bus });
      try {
        if (dialect === 'postgres') {
          // A message of another conversation is answered: the hub is running, and the leased one waits.
          await t.hub.bus.appendInbound([consoleEvent(user, p.id, 'free', 'meanwhile')]);
          await eventually(async () => (await replies(t, p.id)).includes('echo: meanwhile'));
          expect(await replies(t, p.id)).toEqual(['echo: meanwhile']);
          expect((await t.hub.store.inbox.byId(held.id))?.status).toBe('processing');
          // The minute passes (as the sweeper sees it): the rows are taken back and answered in order.
          expect(await t.hub.store.inbox.recoverExpired(Date.now() + 60_001)).toBe(1);
          t.hub.bus.inboxWorker.wake();
          await eventually(async () => (await replies(t, p.id)).length === 3, 5000);
          expect(await replies(t, p.id)).toEqual(['echo: meanwhile', 'echo: one', 'echo: two']);
        } else {
          await eventually(async () => (await replies(t, p.id)).length === 2, 5000);
          expect(await replies(t, p.id)).toEqual(['echo: one', 'echo: two']);
        }
      } finally {
        await t.close();
        await db.drop();
      }
    },
  );
});
