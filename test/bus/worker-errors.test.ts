import { afterEach, describe, expect, it } from 'vitest';
import { Bus } from '../../src/bus/index.ts';
import { InboxWorker } from '../../src/bus/inbox-worker.ts';
import type { AdapterDeps } from '../../src/channel/index.ts';
import { loadConfig, type BusTuning } from '../../src/config.ts';
import { Envelope } from '../../src/crypto/envelope.ts';
import { decodeMasterKey, KeyRing } from '../../src/crypto/keyring.ts';
import { createLogger } from '../../src/log.ts';
import { createStore, migrate, openDatabase, type Store } from '../../src/store/index.ts';
import type { InboxRow } from '../../src/store/inbox.ts';
import { createProbe, type Probe } from '../fakes/probe-adapter.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { eventually, FAST_BUS, TEST_MASTER_KEY } from '../helpers/hub.ts';
import { flakyStore } from './flaky-store.ts';

/** A migrated store on a fresh database, the bus timings of the test hub, and a log we can read. */
async function setUp(dialect: 'sqlite' | 'postgres') {
  const fresh = await freshDatabase(dialect);
  const db = openDatabase(fresh.url);
  await migrate(db);
  const store = createStore(db, new Envelope(new KeyRing([decodeMasterKey(TEST_MASTER_KEY)])));
  const tuning: BusTuning = loadConfig({ DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.url, SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY }, FAST_BUS).bus;
  const logs: { level: number; msg: string; [k: string]: unknown }[] = [];
  const log = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) });
  return { store, tuning, log, logs, close: async () => (await db.close(), await fresh.drop()) };
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe.each(DIALECTS)('outbox worker on %s, when the database blips', (dialect) => {
  /** A bus over `store` with the probe channel; only its outbox worker runs. */
  async function outbox(make: (s: Store) => Store) {
    const env = await setUp(dialect);
    const probe: Probe = createProbe();
    const user = await env.store.users.create({ email: `blip-${dialect}@example.com` });
    const integration = await env.store.integrations.create({ userId: user.id, type: 'probe', name: 'probe' });
    const bus = new Bus(make(env.store), new Map([['probe', probe.factory({} as AdapterDeps)]]), env.tuning, env.log);
    bus.outboxWorker.start();
    cleanups.push(async () => {
      await bus.stop(1000);
      await env.close();
    });
    const sent: string[] = [];
    bus.outboxWorker.events.on('delivery.sent', (row: { idempotency_key: string }) => sent.push(row.idempotency_key));
    const send = async (key: string, text: string) => {
      await env.store.outbox.enqueue([
        { idempotencyKey: key, userId: user.id, channel: 'probe', integrationId: integration.id, orderingKey: 'probe|one-chat', payload: { text, target: {} }, maxAttempts: 4 },
      ]);
      bus.outboxWorker.wake();
    };
    return { ...env, probe, sent, send };
  }

  it('a failed read before the send is retried and the message goes out once, with no unhandled rejection', async () => {
    let blip = { rejected: 0 };
    const o = await outbox((s) => {
      const f = flakyStore(s, 'integrations', 'byId', 1);
      blip = f.blip;
      return f.store;
    });
    await o.send('first', 'first');
    // Well within the 5 s lease: the row must not wait for lease expiry to be tried again.
    await eventually(() => o.sent.includes('first'), 3000);
    await o.send('second', 'second');
    await eventually(() => o.sent.includes('second'), 3000);
    expect(blip.rejected).toBe(1);
    expect(o.probe.sent.map((s) => s.text)).toEqual(['first', 'second']);
    expect(o.logs.some((l) => /could not prepare delivery/.test(l.msg))).toBe(true);
  });

  it('a failed "sent" mark after the platform accepted is retried as bookkeeping, never sent again', async () => {
    let blip = { rejected: 0 };
    // The group commit retries a failed job once on its own, so 4 rejections reach the worker twice.
    const o = await outbox((s) => {
      const f = flakyStore(s, 'outbox', 'markSent', 4);
      blip = f.blip;
      return f.store;
    });
    await o.send('first', 'first');
    await eventually(() => o.sent.includes('first'), 3000);
    // A later message of the same chat goes out only after the first is finished: the positive signal.
    await o.send('second', 'second');
    await eventually(() => o.sent.includes('second'), 3000);
    expect(blip.rejected).toBe(4);
    expect(o.probe.sent.map((s) => s.text)).toEqual(['first', 'second']);
    const rows = await Promise.all([1, 2].map((id) => o.store.outbox.byId(id)));
    expect(rows.map((r) => [r?.idempotency_key, r?.status, r?.attempts])).toEqual([
      ['first', 'sent', 1],
      ['second', 'sent', 1],
    ]);
    expect(o.logs.some((l) => /recording a sent delivery failed/.test(l.msg) && l.level >= 50)).toBe(true);
  });
});

describe.each(DIALECTS)('inbox worker on %s, when another process took a row over', (dialect) => {
  it('drops its own outcome for that row: no retry, no failure mark, the other process keeps it', async () => {
    const env = await setUp(dialect);
    cleanups.push(env.close);
    const [taken, other] = await env.store.inbox.append(
      ['taken', 'other'].map((text) => ({ channel: 'console', source: 'p', externalEventId: text, orderingKey: `console|p|${text}`, payload: { text } })),
    );
    const handled: string[] = [];
    const handler = async (row: InboxRow) => {
      handled.push(row.external_event_id);
      if (row.id === taken.id) {
        // Meanwhile this process stalled, its lease ran out and another process claimed the row.
        await env.store.inbox.recoverExpired(Date.now() + 10 * env.tuning.leaseMs);
        await env.store.inbox.claim(1, env.tuning.leaseMs, 'other-process');
      } else {
        await new Promise<void>((r) => setTimeout(r, 0));
      }
      await env.store.inbox.finish(row.id, 'done', undefined, row.lease_owner);
    };
    const worker = new InboxWorker(env.store, handler, env.tuning, env.log, 'this-process');
    worker.start();
    await eventually(() => env.logs.some((l) => /taken over by another process/.test(l.msg)));
    await eventually(async () => (await env.store.inbox.byId(other.id))?.status === 'done');
    await worker.stop(1000);
    expect(handled.filter((h) => h === 'taken')).toHaveLength(1);
    const row = await env.store.inbox.byId(taken.id);
    expect([row?.status, row?.lease_owner]).toEqual(['processing', 'other-process']);
  });
});
