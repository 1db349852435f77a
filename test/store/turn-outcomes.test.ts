import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENT_MARKS, TURN_OUTCOMES } from '../../src/bus/shared-writes.ts';
import { GroupCommit } from '../../src/store/group-commit.ts';
import { LeaseLostError } from '../../src/store/inbox.ts';
import type { Db, Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';
import { statementCounter } from '../scale/quiet-hub.ts';

describe.each(DIALECTS)('the end of a turn on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let close: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    ({ db, store, userId, close } = await freshStore(dialect, `turns-${dialect}@example.com`));
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

  it('writes several turns at once as each alone would: logs in order, replies queued, rows ended', async () => {
    const a = await heldRow('many-a');
    const b = await heldRow('many-b');
    // A reply whose key exists already keeps its row.
    const [existing] = await store.outbox.enqueue([{ ...outcome(b.row.id, b.thread.id, 'many-b', 'me').delivery, payload: { text: 'queued before' } }]);
    await store.transaction((tx) => tx.turns.writeMany([outcome(a.row.id, a.thread.id, 'many-a', 'me'), outcome(b.row.id, b.thread.id, 'many-b', 'me')]));
    for (const [h, key] of [[a, 'many-a'], [b, 'many-b']] as const) {
      expect((await store.inbox.byId(h.row.id))?.status).toBe('done');
      const log = await store.messages.list(userId, { threadId: h.thread.id });
      expect(log.map((m) => m.text).reverse()).toEqual([`hi ${key}`, `echo ${key}`]);
      expect(log.find((m) => m.text === `hi ${key}`)?.inbox_id).toBe(h.row.id);
    }
    const [queuedA] = await store.outbox.enqueue([{ ...outcome(a.row.id, a.thread.id, 'many-a', 'me').delivery, payload: { text: 'probe' } }]);
    expect(JSON.parse(queuedA.payload)).toEqual({ text: 'echo many-a' });
    expect(queuedA).toMatchObject({ status: 'pending', attempts: 0, max_attempts: 3, ordering_key: 'many-a', thread_id: a.thread.id });
    const [keptB] = await store.outbox.enqueue([{ ...outcome(b.row.id, b.thread.id, 'many-b', 'me').delivery, payload: { text: 'probe' } }]);
    expect(keptB.id).toBe(existing.id);
    expect(JSON.parse(keptB.payload)).toEqual({ text: 'queued before' });
  });

  it('leaves nothing of any of several turns when one row is held by another process now', async () => {
    const a = await heldRow('many-kept');
    const b = await heldRow('many-lost');
    const err = await store
      .transaction((tx) => tx.turns.writeMany([outcome(a.row.id, a.thread.id, 'many-kept', 'me'), outcome(b.row.id, b.thread.id, 'many-lost', 'someone-else')]))
      .catch((e) => e);
    expect(err).toBeInstanceOf(LeaseLostError);
    expect((err as LeaseLostError).message).toContain(String(b.row.id));
    for (const h of [a, b]) {
      expect((await store.inbox.byId(h.row.id))?.status).toBe('processing');
      expect(await store.messages.list(userId, { threadId: h.thread.id })).toEqual([]);
    }
  });

  it('marks several sends sent, each with its own result, and leaves a row that is no longer being sent', async () => {
    const key = (k: string) => ({ idempotencyKey: `sent-many:${k}`, userId, channel: 'console', integrationId: null, orderingKey: `sent-many:${k}`, payload: { text: k }, maxAttempts: 3 });
    await store.outbox.enqueue([key('x'), key('y'), key('z')]);
    const rows = (await store.outbox.claim(10, 60_000, 'me')).filter((r) => r.idempotency_key.startsWith('sent-many:'));
    expect(rows).toHaveLength(3);
    const [x, y, z] = rows;
    await store.outbox.markFailed(z.id, 'failed', 'refused', 'me');
    await store.transaction((tx) => tx.outbox.markSentMany([x, y, z].map((r) => ({ id: r.id, result: { messageIds: [`m-${r.id}`] } }))));
    const after = await Promise.all([x, y, z].map((r) => store.outbox.byId(r.id)));
    expect(after.map((r) => r?.status)).toEqual(['sent', 'sent', 'failed']);
    expect(JSON.parse(after[1]!.result!)).toEqual({ messageIds: [`m-${y.id}`] });
    expect(after[0]!.sent_at).toBeGreaterThan(0);
  });

  it.runIf(dialect === 'postgres')('ends ten turns that finish together, and records their sends, with one statement each', async () => {
    const held = await Promise.all(upTo10.map((i) => heldRow(`burst-${i}`)));
    const gc = new GroupCommit(store);
    const counter = statementCounter(db.kysely);
    try {
      const { sql } = await counter.during(() => Promise.all(held.map((h, i) => gc.share(TURN_OUTCOMES, outcome(h.row.id, h.thread.id, `burst-${upTo10[i]}`, 'me')))));
      expect(sql.filter((s) => /insert into "?messages"?/i.test(s))).toHaveLength(1);
    } finally {
      counter.restore();
    }
    for (const h of held) expect((await store.inbox.byId(h.row.id))?.status).toBe('done');
    const queued = (await store.outbox.claim(50, 60_000, 'me')).filter((r) => r.idempotency_key.startsWith('reply:burst-'));
    expect(queued).toHaveLength(10);
    const marks = statementCounter(db.kysely);
    try {
      const { sql } = await marks.during(() => Promise.all(queued.map((r) => gc.share(SENT_MARKS, { id: r.id, result: { messageIds: [`m${r.id}`] } }))));
      expect(sql.filter((s) => /^update "?outbox"?/i.test(s))).toHaveLength(1);
    } finally {
      marks.restore();
    }
    for (const r of queued) expect((await store.outbox.byId(r.id))?.status).toBe('sent');
  });
});

const upTo10 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
