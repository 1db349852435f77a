import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseLostError } from '../../src/store/inbox.ts';
import type { Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

describe.each(DIALECTS)('the end of a turn on %s', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    ({ store, userId, close } = await freshStore(dialect, `turns-${dialect}@example.com`));
  });
  afterAll(() => close());

  async function heldRow(key: string) {
    await store.inbox.append([{ channel: 'console', source: 'p', externalEventId: key, orderingKey: key, payload: { text: key } }]);
    const [row] = await store.inbox.claimHeads([key], 60_000, 'me');
    const thread = await store.threads.upsert({ userId, profileId: null, channel: 'console', integrationId: null, scope: 'p', externalKey: key });
    return { row, thread };
  }

  const outcome = (rowId: number, threadId: string, key: string, owner: string) => ({
    log: [
      { userId, threadId, type: 'user_message' as const, direction: 'in' as const, text: `hi ${key}`, inboxId: rowId },
      { userId, threadId, type: 'agent_response' as const, direction: 'out' as const, text: `echo ${key}` },
    ],
    delivery: { idempotencyKey: `reply:${key}`, userId, channel: 'console', integrationId: null, threadId, orderingKey: key, payload: { text: `echo ${key}` }, maxAttempts: 3 },
    threadId,
    finish: { id: rowId, status: 'done' as const, owner },
  });

  it('writes the log in order, queues the reply and ends the row, together', async () => {
    const { row, thread } = await heldRow('ok');
    await store.transaction((tx) => tx.turns.write(outcome(row.id, thread.id, 'ok', 'me')));
    expect((await store.inbox.byId(row.id))?.status).toBe('done');
    const log = await store.messages.list(userId, { threadId: thread.id });
    expect(log.map((m) => m.text).reverse()).toEqual(['hi ok', 'echo ok']);
    expect((await store.outbox.enqueue([outcome(row.id, thread.id, 'ok', 'me').delivery]))[0].status).toBe('pending');
  });

  it('leaves nothing behind when another process holds the row now', async () => {
    const { row, thread } = await heldRow('lost');
    const err = await store.transaction((tx) => tx.turns.write(outcome(row.id, thread.id, 'lost', 'someone-else'))).catch((e) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect((await store.inbox.byId(row.id))?.status).toBe('processing');
    expect(await store.messages.list(userId, { threadId: thread.id })).toEqual([]);
    const [kept] = await store.outbox.enqueue([{ ...outcome(row.id, thread.id, 'lost', 'me').delivery, payload: { text: 'probe' } }]);
    expect(JSON.parse(kept.payload)).toEqual({ text: 'probe' });
  });
});
