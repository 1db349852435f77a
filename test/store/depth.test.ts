import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Store } from '../../src/store/index.ts';
import { StatusCountsRepo } from '../../src/store/status-counts.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

const INBOX = ['pending', 'processing', 'done', 'ignored', 'failed'];
const OUTBOX = ['pending', 'sending', 'sent', 'failed', 'dead'];

/** `n` rows of each status, with `n` growing by status so that the counts tell them apart. */
async function seed(db: Db): Promise<void> {
  const now = Date.now();
  const inbox = INBOX.flatMap((status, s) =>
    Array.from({ length: s + 1 }, (_, i) => ({ channel: 'console', source: 'p', external_event_id: `${status}-${i}`, ordering_key: `k-${status}-${i}`, payload: '{}', status, attempts: 1, locked_until: status === 'processing' ? now + 60_000 : null, last_error: null, received_at: now, processed_at: null })),
  );
  const outbox = OUTBOX.flatMap((status, s) =>
    Array.from({ length: s + 2 }, (_, i) => ({ idempotency_key: `${status}-${i}`, user_id: 'u', channel: 'webhook', integration_id: null, notification_id: null, thread_id: null, ordering_key: `w-${status}-${i}`, payload: '{}', status, attempts: 1, max_attempts: 8, next_attempt_at: now, locked_until: null, last_error: null, result: null, created_at: now, updated_at: now, sent_at: null })),
  );
  await db.kysely.insertInto('inbox').values(inbox).execute();
  await db.kysely.insertInto('outbox').values(outbox).execute();
}

describe.each(DIALECTS)('depth on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, store, close } = await freshStore(dialect));
    await seed(db);
  });
  afterAll(() => close());

  it('counts exactly the statuses that are work or failed for good, and leaves the finished ones out', async () => {
    const all = { inbox: await store.counts.all('inbox'), outbox: await store.counts.all('outbox') };
    expect(all.inbox).toEqual({ pending: 1, processing: 2, done: 3, ignored: 4, failed: 5 });
    expect(await store.counts.depth('inbox')).toEqual({ pending: 1, processing: 2, failed: 5 });
    expect(await store.counts.depth('outbox')).toEqual({ pending: 2, sending: 3, failed: 5, dead: 6 });
  });
});

describe('depth on sqlite reads only partial indexes', () => {
  let db: Db;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await freshStore('sqlite'));
  });
  afterAll(() => close());

  it('plans every part of the depth statements as an index search, never a scan of the table', async () => {
    const statements: string[] = [];
    const capture: KyselyPlugin = {
      transformQuery: (args) => (statements.push(db.kysely.getExecutor().compileQuery(args.node as RootOperationNode, args.queryId).sql), args.node),
      transformResult: async (args) => args.result,
    };
    const k = db.kysely.withPlugin(capture);
    const counts = new StatusCountsRepo(k);
    await counts.depth('inbox');
    await counts.depth('outbox');
    expect(statements).toHaveLength(2);
    for (const text of statements) {
      const plan = (await sql.raw<{ detail: string }>(`explain query plan ${text}`).execute(db.kysely)).rows.map((r) => r.detail);
      const reads = plan.filter((d) => /^(SCAN|SEARCH) /.test(d));
      expect(reads).toHaveLength(2);
      for (const d of reads) expect(d).toMatch(/USING COVERING INDEX (inbox_open|inbox_failed|outbox_due|outbox_failed)\b/);
    }
  });
});
