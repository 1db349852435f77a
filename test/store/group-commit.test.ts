import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/store/group-commit.ts';
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
});
