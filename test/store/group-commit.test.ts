import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envelope } from '../../src/crypto/envelope.ts';
import { KeyRing, decodeMasterKey, generateMasterKey } from '../../src/crypto/keyring.ts';
import { GroupCommit } from '../../src/store/group-commit.ts';
import { createStore, migrate, openDatabase, type Db, type Store } from '../../src/store/index.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';

describe.each(DIALECTS)('group commit on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const f = await freshDatabase(dialect);
    drop = f.drop;
    db = openDatabase(f.url);
    await migrate(db);
    store = createStore(db, new Envelope(new KeyRing([decodeMasterKey(generateMasterKey())])));
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

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
