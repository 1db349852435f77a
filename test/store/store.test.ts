import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, type Db, type Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

const TABLES = ['users', 'api_keys', 'agent_profiles', 'user_integrations', 'grants', 'identity_links', 'threads', 'messages', 'inbox', 'outbox', 'notifications'];

describe.each(DIALECTS)('store on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, store, close } = await freshStore(dialect));
  });
  afterAll(() => close());

  it('migrates every table once; a second run applies nothing', async () => {
    const tables = (await db.kysely.introspection.getTables()).map((t) => t.name);
    for (const t of TABLES) expect(tables).toContain(t);
    expect(await migrate(db)).toEqual([]);
  });

  it('keeps ids and timestamps portable', async () => {
    const u = await store.users.create({ email: 'Port@Example.com' });
    const back = await store.users.byId(u.id);
    expect(back?.email).toBe('port@example.com');
    expect(typeof back?.created_at).toBe('number');
    expect(Math.abs(Number(back!.created_at) - Date.now())).toBeLessThan(60_000);
  });

  it('dedupes inbox events on (channel, source, event id), also within one batch', async () => {
    const ev = (id: string) => ({ channel: 'test', source: 'int_1', externalEventId: id, orderingKey: 'k', payload: { id } });
    const first = await store.inbox.append([ev('a'), ev('b'), ev('a')]);
    expect(first.map((r) => r.duplicate)).toEqual([false, false, true]);
    expect(first[2].id).toBe(first[0].id);
    const again = await store.inbox.append([ev('b')]);
    expect(again[0]).toEqual({ id: first[1].id, duplicate: true });
    const other = await store.inbox.append([{ ...ev('a'), source: 'int_2' }]);
    expect(other[0].duplicate).toBe(false);
  });

  it('hands out inbox rows once, in arrival order, one conversation\'s next row only after the previous one ended', async () => {
    const ev = (key: string, n: number) => ({ channel: 'order', source: 's', externalEventId: `${key}-${n}`, orderingKey: key, payload: { n } });
    await store.inbox.append([ev('x', 1), ev('x', 2), ev('y', 1), ev('x', 3), ev('y', 2)]);
    const first = (await store.inbox.claim(100, 60_000, 'me')).filter((r) => r.channel === 'order');
    expect(first.map((r) => r.external_event_id)).toEqual(['x-1', 'y-1']);
    expect((await store.inbox.claim(100, 60_000, 'me')).filter((r) => r.channel === 'order')).toEqual([]);
    await store.inbox.finish(first[0].id, 'done', undefined, 'me');
    expect((await store.inbox.claim(100, 60_000, 'me')).filter((r) => r.channel === 'order').map((r) => r.external_event_id)).toEqual(['x-2']);
  });

  it('re-claims an inbox row whose lease expired (a crashed worker)', async () => {
    await store.inbox.append([{ channel: 'lease', source: 's', externalEventId: 'l1', orderingKey: 'lease', payload: {} }]);
    const [row] = (await store.inbox.claim(50, -1, 'crashed')).filter((r) => r.channel === 'lease');
    expect(row.attempts).toBe(1);
    expect((await store.inbox.claim(50, 60_000, 'me')).filter((r) => r.channel === 'lease')).toEqual([]);
    expect(await store.inbox.recoverExpired()).toBeGreaterThanOrEqual(1);
    const [again] = (await store.inbox.claim(50, 60_000, 'me')).filter((r) => r.channel === 'lease');
    expect(again.id).toBe(row.id);
    expect(again.attempts).toBe(2);
  });

  it('claims due outbox rows once, keeps one chat in order, and keeps idempotency keys unique', async () => {
    const u = await store.users.create({ email: 'outbox@example.com' });
    const d = (key: string, chat: string, notBefore?: number) => ({ idempotencyKey: key, userId: u.id, channel: 'test', integrationId: null, orderingKey: chat, payload: { text: key }, maxAttempts: 3, notBefore });
    await store.outbox.enqueue([d('o1', 'c1'), d('o2', 'c1'), d('o3', 'c2'), d('o4', 'c3', Date.now() + 60_000)]);
    await store.outbox.enqueue([d('o1', 'c1')]);
    const claimed = await store.outbox.claim(10, 60_000, 'me');
    expect(claimed.map((r) => r.idempotency_key).sort()).toEqual(['o1', 'o3']);
    expect(await store.outbox.claim(10, 60_000, 'me')).toEqual([]);
    await store.outbox.markSent(claimed[0].id, { messageIds: ['m1'] });
    const next = await store.outbox.claim(10, 60_000, 'me');
    expect(next.map((r) => r.idempotency_key)).toEqual(['o2']);
    expect(next[0].attempts).toBe(1);
    expect((await store.counts.all('outbox')).pending).toBe(1);
  });
});
