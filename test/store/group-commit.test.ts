import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe('SQLite group commit', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ dialect: 'sqlite' });
  });
  afterAll(() => t.close());

  it('commits concurrent transactions together, and a failing one rolls back alone', async () => {
    const store = t.hub.store;
    const results = await Promise.allSettled([
      store.transaction(async (tx) => tx.users.create({ email: 'g1@example.com' })),
      store.transaction(async (tx) => {
        await tx.users.create({ email: 'g2@example.com' });
        throw new Error('boom');
      }),
      store.transaction(async (tx) => tx.users.create({ email: 'g3@example.com' })),
      store.transaction(async (tx) => tx.users.create({ email: 'g1@example.com' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('boom');
    expect(await store.users.byEmail('g1@example.com')).toBeDefined();
    expect(await store.users.byEmail('g2@example.com')).toBeUndefined();
    expect(await store.users.byEmail('g3@example.com')).toBeDefined();
  });
});
