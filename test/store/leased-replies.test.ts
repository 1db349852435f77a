import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TURN_OUTCOMES } from '../../src/bus/shared-writes.ts';
import { GroupCommit } from '../../src/store/group-commit.ts';
import { LeaseLostError } from '../../src/store/inbox.ts';
import type { ReplyLease } from '../../src/store/leased-inserts.ts';
import type { Store } from '../../src/store/index.ts';
import type { TurnOutcomeWrite } from '../../src/store/turn-outcomes.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

describe.each(DIALECTS)('a reply queued already leased to its process, on %s', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    ({ store, userId, close } = await freshStore(dialect, `leased-${dialect}@example.com`));
  });
  afterAll(() => close());

  const delivery = (key: string, chat: string, text = `echo ${key}`) => ({
    idempotencyKey: `reply:${key}`,
    userId,
    channel: 'console',
    integrationId: null,
    orderingKey: `chat:${chat}`,
    payload: { text },
    maxAttempts: 3,
  });

  /** An inbox row held by `me`, and the outcome of its turn: its reply into `chat`, asked to go in leased. */
  async function turn(key: string, chat: string, owner = 'me'): Promise<TurnOutcomeWrite & { lease: ReplyLease }> {
    await store.inbox.append([{ channel: 'console', source: 'p', externalEventId: key, orderingKey: key, payload: { text: key } }]);
    const [row] = await store.inbox.claimHeads([key], 60_000, 'me');
    const thread = await store.threads.upsert({ userId, profileId: null, channel: 'console', integrationId: null, scope: 'p', externalKey: key });
    return {
      log: [{ userId, threadId: thread.id, type: 'agent_response', direction: 'out', text: `echo ${key}` }],
      delivery: { ...delivery(key, chat), threadId: thread.id },
      lease: { owner: 'me', leaseMs: 60_000 },
      threadId: thread.id,
      finish: { id: row.id, status: 'done', owner },
    };
  }

  it.runIf(dialect === 'sqlite')('goes in as the first attempt of a send held by this process when its chat has nothing open', async () => {
    const o = await turn('lone', 'lone');
    const before = Date.now();
    await store.transaction((tx) => tx.turns.write(o));
    const row = o.lease.row!;
    expect(row).toMatchObject({ status: 'sending', attempts: 1, lease_owner: 'me', idempotency_key: 'reply:lone', ordering_key: 'chat:lone' });
    expect(row.locked_until).toBeGreaterThanOrEqual(before + 60_000);
    // What the worker is handed is the stored row.
    expect(await store.outbox.byId(row.id)).toEqual(row);
    // Nobody claims it again while it is held.
    expect((await store.outbox.claim(50, 60_000, 'other')).some((r) => r.id === row.id)).toBe(false);
  });

  it('goes in pending behind an older open send of its chat, whoever holds that one', async () => {
    for (const [chat, older] of [
      ['behind-pending', 'pending'],
      ['behind-sending', 'sending'],
    ] as const) {
      const [first] = await store.outbox.enqueue([delivery(`${chat}-first`, chat)]);
      if (older === 'sending') expect((await store.outbox.claim(50, 60_000, 'other')).map((r) => r.id)).toContain(first.id);
      const o = await turn(`${chat}-second`, chat);
      await store.transaction((tx) => tx.turns.write(o));
      expect(o.lease.row).toBeUndefined();
      const [second] = await store.outbox.enqueue([delivery(`${chat}-second`, chat, 'probe')]);
      expect(second).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null });
      // The chat's order holds: the second is claimable only once the first has ended.
      expect((await store.outbox.claim(50, 60_000, 'me')).some((r) => r.id === second.id)).toBe(false);
      if (older === 'pending') expect((await store.outbox.byId(first.id))?.status).toBe('sending');
      await store.outbox.markSent(first.id, {});
      expect((await store.outbox.claim(50, 60_000, 'me')).map((r) => r.id)).toContain(second.id);
    }
  });

  it('keeps a reply whose idempotency key exists as it was, and hands nothing over', async () => {
    const [existing] = await store.outbox.enqueue([delivery('kept', 'kept', 'queued before')]);
    await store.outbox.markSent(existing.id, {});
    const o = await turn('kept', 'kept');
    await store.transaction((tx) => tx.turns.write(o));
    expect(o.lease.row).toBeUndefined();
    const row = await store.outbox.byId(existing.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 0 });
    expect(JSON.parse(row!.payload)).toEqual({ text: 'queued before' });
  });

  it.runIf(dialect === 'sqlite')('after a rolled-back batch, says what the turn\'s own transaction wrote', async () => {
    const kept = await turn('batch-kept', 'batch-kept');
    const lost = await turn('batch-lost', 'batch-lost', 'someone-else');
    const gc = new GroupCommit(store);
    const [a, b] = await Promise.allSettled([gc.share(TURN_OUTCOMES, kept), gc.share(TURN_OUTCOMES, lost)]);
    expect(a.status).toBe('fulfilled');
    expect(b.status === 'rejected' && b.reason).toBeInstanceOf(LeaseLostError);
    // The batch wrote both, rolled back, and wrote the kept turn alone: its reply is the row that exists now.
    expect(await store.outbox.byId(kept.lease.row!.id)).toMatchObject({ idempotency_key: 'reply:batch-kept', status: 'sending', lease_owner: 'me' });
    expect(lost.lease.row).toBeUndefined();
    const [probe] = await store.outbox.enqueue([delivery('batch-lost', 'batch-lost', 'probe')]);
    expect(JSON.parse(probe.payload)).toEqual({ text: 'probe' });
  });

  it.runIf(dialect === 'sqlite')('is taken back at the next start when its process died before sending, and keeps its idempotency key', async () => {
    const o = await turn('crashed', 'crashed');
    await store.transaction((tx) => tx.turns.write(o));
    expect(await store.outbox.takeBackAll()).toBeGreaterThanOrEqual(1);
    const again = (await store.outbox.claim(50, 60_000, 'restarted')).find((r) => r.id === o.lease.row!.id);
    expect(again).toMatchObject({ status: 'sending', attempts: 2, lease_owner: 'restarted', idempotency_key: 'reply:crashed' });
  });

  it.runIf(dialect === 'postgres')('goes in pending on PostgreSQL, where another replica could queue into the chat between probe and insert', async () => {
    const o = await turn('pg', 'pg');
    await store.transaction((tx) => tx.turns.write(o));
    expect(o.lease.row).toBeUndefined();
    const [row] = await store.outbox.enqueue([delivery('pg', 'pg', 'probe')]);
    expect(row).toMatchObject({ status: 'pending', attempts: 0 });
  });
});
