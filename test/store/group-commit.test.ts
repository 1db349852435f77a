import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommit, type SharedWrite } from '../../src/store/group-commit.ts';
import type { Db, Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

describe.each(DIALECTS)('group commit on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, store, close } = await freshStore(dialect));
  });
  afterAll(() => close());

  it('commits a burst together, and a failing job sinks only itself', async () => {
    const gc = new GroupCommit(store);
    const ev = (id: string) => ({ channel: 'gc', source: 's', externalEventId: id, orderingKey: id, payload: {} });
    const jobs = [
      gc.run((tx) => tx.inbox.append([ev('a')])),
      gc.run(async (tx) => {
        await tx.inbox.append([ev('b')]);
        throw new Error('this job is broken');
      }),
      gc.run((tx) => tx.inbox.append([ev('c')])),
    ];
    const settled = await Promise.allSettled(jobs);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const ids = (await db.kysely.selectFrom('inbox').select('external_event_id').where('channel', '=', 'gc').execute()).map((r) => r.external_event_id);
    expect(ids.sort()).toEqual(['a', 'c']);
  });

  it('writes the items of a shared write once per batch, after the batch\'s own jobs, and alone when the batch fails', async () => {
    const gc = new GroupCommit(store);
    const calls: string[][] = [];
    const seen: string[] = [];
    const write: SharedWrite<string> = {
      async writeAll(tx, items) {
        calls.push(items);
        if (items.includes('bad')) throw new Error('this item cannot be written');
        await tx.inbox.append(items.map((i) => ({ channel: 'gc-shared', source: 's', externalEventId: i, orderingKey: i, payload: {} })));
      },
    };
    const together = [gc.share(write, 'one'), gc.run(async () => void seen.push('own job')), gc.share(write, 'two')];
    await Promise.all(together);
    expect(calls).toEqual([['one', 'two']]);
    expect(seen).toEqual(['own job']);

    calls.length = 0;
    const settled = await Promise.allSettled([gc.share(write, 'three'), gc.share(write, 'bad'), gc.share(write, 'four')]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The batch as a whole, then each item in a transaction of its own.
    expect(calls).toEqual([['three', 'bad', 'four'], ['three'], ['bad'], ['four']]);
    const ids = (await db.kysely.selectFrom('inbox').select('external_event_id').where('channel', '=', 'gc-shared').execute()).map((r) => r.external_event_id);
    expect(ids.sort()).toEqual(['four', 'one', 'three', 'two']);
  });
});