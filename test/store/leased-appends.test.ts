import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboxEvent } from '../../src/channel/index.ts';
import type { AppendLease } from '../../src/store/leased-inserts.ts';
import type { Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

describe.each(DIALECTS)('inbound events appended with the heads of quiet conversations leased, on %s', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ store, close } = await freshStore(dialect));
  });
  afterAll(() => close());

  const event = (chat: string, n: number): InboxEvent => ({ channel: 'telegram', source: 'int_1', externalEventId: `${chat}-${n}`, orderingKey: `chat:${chat}`, payload: { update_id: n, message: { text: `m${n}` } } });
  const lease = (places: number): AppendLease => ({ owner: 'me', leaseMs: 60_000, places, rows: [], behind: [] });

  it.runIf(dialect === 'sqlite')('leases the first event of each quiet conversation, and leaves the rest pending in order behind it', async () => {
    const l = lease(10);
    const before = Date.now();
    const results = await store.transaction((tx) => tx.inbox.append([event('a', 1), event('b', 1), event('a', 2)], l));
    expect(l.rows.map((r) => r.id)).toEqual([results[0].id, results[1].id]);
    expect(l.rows[0]).toMatchObject({ status: 'processing', attempts: 1, lease_owner: 'me', ordering_key: 'chat:a', external_event_id: 'a-1' });
    expect(l.rows[0].locked_until).toBeGreaterThanOrEqual(before + 60_000);
    // What the worker is handed is the stored row.
    expect(await store.inbox.byId(l.rows[1].id)).toEqual(l.rows[1]);
    expect(JSON.parse(l.rows[1].payload)).toEqual({ update_id: 1, message: { text: 'm1' } });
    expect(l.behind).toEqual(['chat:a']);
    expect(await store.inbox.byId(results[2].id)).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null });
    // The second of a stays behind its head, whoever claims.
    expect(await store.inbox.claimHeads(['chat:a'], 60_000, 'other')).toEqual([]);
    await store.inbox.finish(results[0].id, 'done', undefined, 'me');
    expect((await store.inbox.claimHeads(['chat:a'], 60_000, 'other')).map((r) => r.id)).toEqual([results[2].id]);
  });

  it.runIf(dialect === 'sqlite')('leases no more rows than places, nor behind an open row, nor a duplicate', async () => {
    await store.inbox.append([event('open', 1)]);
    const l = lease(1);
    const results = await store.transaction((tx) => tx.inbox.append([event('open', 2), event('c', 1), event('d', 1)], l));
    expect(l.rows.map((r) => r.ordering_key)).toEqual(['chat:c']);
    expect(l.behind.sort()).toEqual(['chat:d', 'chat:open']);
    expect((await store.inbox.byId(results[2].id))?.status).toBe('pending');
    const again = lease(5);
    const dup = await store.transaction((tx) => tx.inbox.append([event('c', 1)], again));
    expect(dup[0]).toEqual({ id: results[1].id, duplicate: true });
    expect(again.rows).toEqual([]);
  });

  it.runIf(dialect === 'sqlite')('is taken back at the next start when its process died, like a claimed row', async () => {
    const l = lease(1);
    await store.transaction((tx) => tx.inbox.append([event('crash', 1)], l));
    expect(await store.inbox.takeBackAll()).toBeGreaterThanOrEqual(1);
    const [again] = await store.inbox.claimHeads(['chat:crash'], 60_000, 'restarted');
    expect(again).toMatchObject({ id: l.rows[0].id, status: 'processing', attempts: 2, lease_owner: 'restarted' });
  });

  it.runIf(dialect === 'postgres')('appends pending on PostgreSQL, where another replica could append between probe and insert', async () => {
    const l = lease(5);
    const [r] = await store.transaction((tx) => tx.inbox.append([event('pg', 1)], l));
    expect(l.rows).toEqual([]);
    expect((await store.inbox.byId(r.id))?.status).toBe('pending');
  });
});
