import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.ts';
import { LeaseLostError } from '../../src/store/inbox.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

/** Leases as the database keeps them: what two processes (a dead one and a live one) see through the store. */
describe.each(DIALECTS)('leases on %s', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;
  let userId: string;
  const LEASE = 10_000;
  const T = 1_900_000_000_000;
  beforeAll(async () => {
    ({ store, userId, close } = await freshStore(dialect, `leases-${dialect}@example.com`));
  });
  afterAll(() => close());

  const inbound = (key: string, n: number) => ({ channel: 'lease', source: 's', externalEventId: `${key}-${n}`, orderingKey: key, payload: { n } });
  const mine = <R extends { channel: string }>(rows: R[]) => rows.filter((r) => r.channel === 'lease');

  it('does not claim a newer row of a conversation while an older one is leased by another process, and claims it in order after that lease expires', async () => {
    await store.inbox.append([inbound('chat-a', 1), inbound('chat-a', 2), inbound('chat-a', 3), inbound('chat-b', 1)]);
    // The process that dies: it holds the head of chat-a.
    const dead = mine(await store.inbox.claim(1, LEASE, 'dead-process', T));
    expect(dead.map((r) => [r.external_event_id, r.lease_owner])).toEqual([['chat-a-1', 'dead-process']]);

    // The live process, while the lease holds: only the other conversation, never chat-a-2.
    const live = mine(await store.inbox.claim(100, LEASE, 'live-process', T + 5_000));
    expect(live.map((r) => r.external_event_id)).toEqual(['chat-b-1']);
    expect(await store.inbox.recoverExpired(T + 5_000)).toBe(0);
    expect(mine(await store.inbox.claim(100, LEASE, 'live-process', T + 5_000))).toEqual([]);

    // The lease runs out: the old row comes back first, and the next one only after it is finished.
    expect(await store.inbox.recoverExpired(T + LEASE + 1)).toBe(1);
    const again = mine(await store.inbox.claim(100, LEASE, 'live-process', T + LEASE + 2));
    expect(again.map((r) => [r.external_event_id, r.attempts, r.lease_owner])).toEqual([['chat-a-1', 2, 'live-process']]);
    await store.inbox.finish(again[0].id, 'done', undefined, 'live-process');
    await store.inbox.finish(live[0].id, 'done', undefined, 'live-process');
    const next = mine(await store.inbox.claim(100, LEASE, 'live-process', T + LEASE + 3));
    expect(next.map((r) => r.external_event_id)).toEqual(['chat-a-2']);
    await store.inbox.finish(next[0].id, 'done', undefined, 'live-process');
    expect(mine(await store.inbox.claim(100, LEASE, 'live-process', T + LEASE + 4)).map((r) => r.external_event_id)).toEqual(['chat-a-3']);
  });

  it('claims the head row of many conversations in one statement, up to the limit', async () => {
    const events = [];
    for (let c = 0; c < 5; c++) for (let n = 1; n <= 3; n++) events.push({ ...inbound(`many-${c}`, n), channel: 'many' });
    await store.inbox.append(events);
    const first = (await store.inbox.claim(3, LEASE, 'p')).filter((r) => r.channel === 'many');
    expect(first.map((r) => r.external_event_id)).toEqual(['many-0-1', 'many-1-1', 'many-2-1']);
    const second = (await store.inbox.claim(100, LEASE, 'p')).filter((r) => r.channel === 'many');
    expect(second.map((r) => r.external_event_id)).toEqual(['many-3-1', 'many-4-1']);
  });

  it('a finish by a process that lost its lease to another changes nothing', async () => {
    await store.inbox.append([{ ...inbound('fence', 1), channel: 'fence' }]);
    const [row] = (await store.inbox.claim(100, LEASE, 'slow', T)).filter((r) => r.channel === 'fence');
    await store.inbox.recoverExpired(T + LEASE + 1);
    await store.inbox.claim(100, LEASE, 'fast', T + LEASE + 2);
    await expect(store.inbox.finish(row.id, 'done', undefined, 'slow')).rejects.toBeInstanceOf(LeaseLostError);
    expect((await store.inbox.byId(row.id))?.status).toBe('processing');
    await store.inbox.finish(row.id, 'done', undefined, 'fast');
    expect((await store.inbox.byId(row.id))?.status).toBe('done');
  });

  it('a heartbeat renews every row this process holds, inbox and outbox, and no one else\'s', async () => {
    await store.inbox.append([{ ...inbound('hb-mine', 1), channel: 'hb' }]);
    const [held] = (await store.inbox.claim(100, LEASE, 'me', T)).filter((r) => r.channel === 'hb');
    await store.inbox.append([{ ...inbound('hb-theirs', 1), channel: 'hb' }]);
    const [theirs] = (await store.inbox.claim(100, LEASE, 'other', T)).filter((r) => r.channel === 'hb');
    await store.outbox.enqueue([{ idempotencyKey: 'hb-out', userId, channel: 'test', integrationId: null, orderingKey: 'hb-out', payload: { text: 'x' }, maxAttempts: 3, notBefore: T }]);
    const [out] = (await store.outbox.claim(100, LEASE, 'me', T)).filter((r) => r.idempotency_key === 'hb-out');

    expect(await store.inbox.heartbeat('me', LEASE, T + 5_000)).toBe(1);
    expect(await store.outbox.heartbeat('me', LEASE, T + 5_000)).toBe(1);
    expect(Number((await store.inbox.byId(held.id))?.locked_until)).toBe(T + 5_000 + LEASE);
    expect(Number((await store.outbox.byId(out.id))?.locked_until)).toBe(T + 5_000 + LEASE);
    expect(Number((await store.inbox.byId(theirs.id))?.locked_until)).toBe(T + LEASE);

    // Past the first lease: the renewed rows stay; the other process's row is taken back.
    await store.inbox.recoverExpired(T + LEASE + 1);
    await store.outbox.recoverExpired(T + LEASE + 1);
    expect((await store.inbox.byId(held.id))?.status).toBe('processing');
    expect((await store.outbox.byId(out.id))?.status).toBe('sending');
    expect((await store.inbox.byId(theirs.id))?.status).toBe('pending');
    await store.inbox.finish(held.id, 'done', undefined, 'me');
    await store.outbox.markSent(out.id, { messageIds: ['m'] });
  });

  it('takes back every row in flight at once (a single process restarting)', async () => {
    await store.inbox.append([{ ...inbound('all', 1), channel: 'all' }]);
    await store.outbox.enqueue([{ idempotencyKey: 'all-out', userId, channel: 'test', integrationId: null, orderingKey: 'all-out', payload: { text: 'x' }, maxAttempts: 3 }]);
    const [row] = (await store.inbox.claim(100, 60_000, 'previous-run')).filter((r) => r.channel === 'all');
    const [out] = (await store.outbox.claim(100, 60_000, 'previous-run')).filter((r) => r.idempotency_key === 'all-out');
    expect(await store.inbox.takeBackAll()).toBeGreaterThanOrEqual(1);
    expect(await store.outbox.takeBackAll()).toBeGreaterThanOrEqual(1);
    expect((await store.inbox.byId(row.id))?.status).toBe('pending');
    expect((await store.outbox.byId(out.id))?.status).toBe('pending');
    const [back] = (await store.outbox.claim(100, 60_000, 'this-run')).filter((r) => r.idempotency_key === 'all-out');
    expect(back.id).toBe(out.id);
    await store.outbox.markSent(back.id, {});
  });

  it('an outbox row taken over after its lease expired keeps its idempotency key; the new owner records it sent, the old one can no longer reschedule it', async () => {
    await store.outbox.enqueue([{ idempotencyKey: 'notif_1:int_1', userId, channel: 'test', integrationId: null, orderingKey: 'takeover', payload: { text: 'x' }, maxAttempts: 5, notBefore: T }]);
    const [first] = (await store.outbox.claim(100, LEASE, 'dead-process', T)).filter((r) => r.ordering_key === 'takeover');
    expect(first.lease_owner).toBe('dead-process');
    expect(await store.outbox.recoverExpired(T + LEASE + 1)).toBe(1);
    const [second] = (await store.outbox.claim(100, LEASE, 'live-process', T + LEASE + 2)).filter((r) => r.ordering_key === 'takeover');
    expect([second.id, second.idempotency_key, second.attempts, second.lease_owner]).toEqual([first.id, 'notif_1:int_1', 2, 'live-process']);
    await store.outbox.reschedule(first.id, T + LEASE + 100, 'late failure of the dead process', 'dead-process');
    expect((await store.outbox.byId(first.id))?.status).toBe('sending');
    await store.outbox.markSent(second.id, { messageIds: ['m1'] });
    const done = await store.outbox.byId(first.id);
    expect([done?.status, done?.idempotency_key]).toEqual(['sent', 'notif_1:int_1']);
  });
});
