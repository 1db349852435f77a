import { CompiledQuery, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { RetentionJob } from '../../src/retention-job.ts';
import { migrate, openDatabase, type Db } from '../../src/store/index.ts';
import { pruneInBatches, RetentionRepo, type PrunedTable } from '../../src/store/retention.ts';
import { freshDatabase } from '../helpers/db.ts';
import { eventually, startTestHub } from '../helpers/hub.ts';
import { parseProm } from './prom-text.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const OLD = NOW - 40 * DAY;
const RECENT = NOW - 5 * DAY;
const CUTOFF = NOW - 30 * DAY;
const log = { debug() {}, info() {}, warn() {}, error() {} };

/** Rows of every kind and age; the tag says whether retention may delete it (`go:`) or must keep it (`stay:`). */
async function seed(db: Db): Promise<void> {
  const k = db.kysely;
  await k.insertInto('users').values({ id: 'u1', email: 'r@example.com', name: null, is_admin: 0, created_at: OLD }).execute();
  const inbox = (tag: string, status: string, received: number, processed: number | null) => ({
    channel: 'console',
    source: 'p1',
    external_event_id: tag,
    ordering_key: 'console|p1|t',
    payload: '{}',
    status,
    attempts: 1,
    locked_until: status === 'processing' ? NOW + 60_000 : null,
    last_error: null,
    received_at: received,
    processed_at: processed,
  });
  await k
    .insertInto('inbox')
    .values([
      inbox('go:done-1', 'done', OLD, OLD),
      inbox('go:done-2', 'done', OLD, OLD),
      inbox('stay:pending-old', 'pending', OLD, null),
      inbox('go:done-3', 'done', OLD, OLD),
      inbox('go:ignored', 'ignored', OLD, OLD),
      inbox('stay:processing-old', 'processing', OLD, null),
      inbox('go:failed', 'failed', OLD, OLD),
      inbox('go:done-4', 'done', OLD, OLD),
      inbox('stay:done-recent', 'done', RECENT, RECENT),
      inbox('stay:done-finished-recently', 'done', OLD, RECENT),
    ])
    .execute();
  for (const [id, at] of [['n-open', OLD], ['n-closed', OLD]] as const) {
    await k.insertInto('notifications').values({ id, user_id: 'u1', profile_id: 'p1', idempotency_key: null, message: 'm', subject: null, claim: 1, channels: '["webhook"]', created_at: at }).execute();
  }
  await k.insertInto('claims').values({ claim_key: 'i1|42', notification_id: 'n-closed', profile_id: 'p1', user_id: 'u1', created_at: OLD }).execute();
  const outbox = (tag: string, status: string, updated: number, notification: string | null = null) => ({
    idempotency_key: tag,
    user_id: 'u1',
    channel: 'webhook',
    integration_id: null,
    notification_id: notification,
    thread_id: null,
    ordering_key: `webhook|${tag}`,
    payload: '{}',
    status,
    attempts: 1,
    max_attempts: 8,
    next_attempt_at: updated,
    locked_until: null,
    last_error: null,
    result: null,
    created_at: updated,
    updated_at: updated,
    sent_at: status === 'sent' ? updated : null,
  });
  await k
    .insertInto('outbox')
    .values([
      outbox('go:sent-1', 'sent', OLD),
      outbox('stay:pending-old', 'pending', OLD),
      outbox('go:sent-2', 'sent', OLD),
      outbox('go:failed', 'failed', OLD),
      outbox('stay:sending-old', 'sending', OLD),
      outbox('go:dead', 'dead', OLD),
      outbox('go:sent-3', 'sent', OLD),
      outbox('stay:sent-recent', 'sent', RECENT),
      outbox('stay:sent-sibling-of-pending', 'sent', OLD, 'n-open'),
      outbox('stay:pending-of-notification', 'pending', OLD, 'n-open'),
      outbox('go:sent-of-finished-notification', 'sent', OLD, 'n-closed'),
      outbox('go:dead-of-finished-notification', 'dead', OLD, 'n-closed'),
    ])
    .execute();
  const code = (tag: string, expires: number, used: number | null) => ({ code_hash: tag, purpose: 'telegram_link', user_id: 'u1', integration_id: null, expires_at: expires, used_at: used, created_at: OLD });
  await k
    .insertInto('link_codes')
    .values([
      code('go:used-old', OLD + 600_000, OLD + 60_000),
      code('go:expired-old', OLD + 600_000, null),
      code('stay:used-recent', RECENT + 600_000, RECENT),
      code('stay:expired-recent', RECENT, null),
      code('stay:usable', NOW + 600_000, null),
    ])
    .execute();
}

async function survivors(db: Db): Promise<Record<PrunedTable, string[]>> {
  const k = db.kysely;
  return {
    inbox: (await k.selectFrom('inbox').select('external_event_id as t').orderBy('id').execute()).map((r) => r.t),
    outbox: (await k.selectFrom('outbox').select('idempotency_key as t').orderBy('id').execute()).map((r) => r.t),
    link_codes: (await k.selectFrom('link_codes').select('code_hash as t').orderBy('code_hash').execute()).map((r) => r.t),
  };
}

describe.each(['sqlite', 'postgres'] as const)('retention on %s', (dialect) => {
  let db: Db;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    if (dialect === 'postgres' && !process.env.TEST_DATABASE_URL) return;
    const fresh = await freshDatabase(dialect);
    drop = fresh.drop;
    db = openDatabase(fresh.url);
    await migrate(db);
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  it('prunes old finished rows in batches and keeps recent, unfinished and still-referenced ones', async (ctx) => {
    if (!db) return ctx.skip('TEST_DATABASE_URL is not set: retention on PostgreSQL not tested');
    await seed(db);
    const before = await survivors(db);
    const batches: [PrunedTable, number][] = [];
    const pauses: number[] = [];
    const report = await pruneInBatches(new RetentionRepo(db.kysely), {
      cutoff: CUTOFF,
      batchSize: 3,
      pauseMs: 250,
      onBatch: (table, n) => batches.push([table, n]),
      // Between two statements another writer gets the database (no transaction spans the batches).
      sleep: async (ms) => {
        pauses.push(ms);
        await db.kysely.insertInto('inbox').values({ channel: 'console', source: 'p1', external_event_id: `stay:written-during-pause-${pauses.length}`, ordering_key: 'k', payload: '{}', status: 'pending', attempts: 0, locked_until: null, last_error: null, received_at: OLD, processed_at: null }).execute();
      },
    });

    expect(report).toEqual({ inbox: 6, outbox: 7, link_codes: 2, statements: 7 });
    expect(batches).toEqual([['inbox', 3], ['inbox', 3], ['inbox', 0], ['outbox', 3], ['outbox', 3], ['outbox', 1], ['link_codes', 2]]);
    expect(pauses).toEqual([250, 250, 250, 250]);
    const after = await survivors(db);
    for (const table of ['inbox', 'outbox', 'link_codes'] as const) {
      expect(after[table].filter((t) => t.startsWith('go:'))).toEqual([]);
      expect(after[table].filter((t) => !t.includes('written-during-pause'))).toEqual(before[table].filter((t) => t.startsWith('stay:')));
    }
    expect(after.inbox.filter((t) => t.includes('written-during-pause'))).toHaveLength(4);
    // The claim of the finished notification still routes replies.
    expect(await db.kysely.selectFrom('claims').select('notification_id').execute()).toEqual([{ notification_id: 'n-closed' }]);

    // A second pass finds nothing more: one short statement per table.
    expect(await pruneInBatches(new RetentionRepo(db.kysely), { cutoff: CUTOFF, batchSize: 3, sleep: async () => {} })).toEqual({ inbox: 0, outbox: 0, link_codes: 0, statements: 3 });
  });

  it('bounds its scan at the first row created after the cutoff, found by a binary search over the ids', async (ctx) => {
    if (!db) return ctx.skip('TEST_DATABASE_URL is not set: retention on PostgreSQL not tested');
    const k = db.kysely;
    const repo = new RetentionRepo(k);
    await k.deleteFrom('inbox').execute();
    expect(await repo.firstNewId('inbox', CUTOFF)).toBe(0);
    // 40 rows a day apart (ids in time order), then every third one deleted: gaps in the ids.
    const at = (i: number) => OLD + i * DAY;
    const row = (i: number) => ({ channel: 'console', source: 'bound', external_event_id: `b-${i}`, ordering_key: 'kb', payload: '{}', status: 'done', attempts: 1, locked_until: null, last_error: null, received_at: at(i), processed_at: at(i) });
    const ids = (await k.insertInto('inbox').values(Array.from({ length: 40 }, (_, i) => row(i))).returning('id').execute()).map((r) => Number(r.id));
    await k.deleteFrom('inbox').where('id', 'in', ids.filter((_, i) => i % 3 === 0)).execute();
    const kept = ids.map((id, i) => ({ id, at: at(i) })).filter((_, i) => i % 3 !== 0);
    for (const cutoff of [at(0), at(10), at(12), at(25) - 1, at(39), at(39) + 1, NOW + 365 * DAY]) {
      const bound = await repo.firstNewId('inbox', cutoff);
      // Every row below the bound is older than the cutoff, every row from it on is not.
      expect(kept.filter((r) => r.id < bound).map((r) => r.at < cutoff)).not.toContain(false);
      expect(kept.filter((r) => r.id >= bound).map((r) => r.at >= cutoff)).not.toContain(false);
      expect(bound).toBeLessThanOrEqual(ids[39] + 1);
    }
    // A pass prunes exactly the old finished rows below the bound, and nothing from the bound on.
    const report = await pruneInBatches(repo, { cutoff: at(25), batchSize: 4, sleep: async () => {} });
    expect(report.inbox).toBe(kept.filter((r) => r.at < at(25)).length);
    const left = (await k.selectFrom('inbox').select('id').where('source', '=', 'bound').orderBy('id').execute()).map((r) => Number(r.id));
    expect(left).toEqual(kept.filter((r) => r.at >= at(25)).map((r) => r.id));
  });

  it('a row whose clock was behind (older than rows before it) goes by this pass or a later one, and no recent row goes with it', async (ctx) => {
    if (!db) return ctx.skip('TEST_DATABASE_URL is not set: retention on PostgreSQL not tested');
    const k = db.kysely;
    const repo = new RetentionRepo(k);
    await k.deleteFrom('outbox').execute();
    const row = (tag: string, created: number) => ({ idempotency_key: tag, user_id: 'u1', channel: 'webhook', integration_id: null, notification_id: null, thread_id: null, ordering_key: `webhook|${tag}`, payload: '{}', status: 'sent', attempts: 1, max_attempts: 8, next_attempt_at: created, locked_until: null, last_error: null, result: null, created_at: created, updated_at: created, sent_at: created });
    // Written by a replica whose clock was 20 days behind, between rows of the others.
    await k.insertInto('outbox').values([row('old', OLD), row('new-1', RECENT), row('behind', OLD), row('new-2', RECENT), row('new-3', RECENT)]).execute();
    const tags = async () => (await k.selectFrom('outbox').select('idempotency_key as t').orderBy('id').execute()).map((r) => r.t);
    await pruneInBatches(repo, { cutoff: CUTOFF, sleep: async () => {} });
    // Whether the search probed past it decides if it went now; the recent rows stay either way.
    expect((await tags()).filter((t) => t !== 'behind')).toEqual(['new-1', 'new-2', 'new-3']);
    // Once the cutoff passes the rows around it, it goes for sure.
    await pruneInBatches(repo, { cutoff: RECENT + 1, sleep: async () => {} });
    expect(await tags()).toEqual([]);
  });

  it('the job prunes what is older than its days on its clock, and stops between statements', async (ctx) => {
    if (!db) return ctx.skip('TEST_DATABASE_URL is not set: retention on PostgreSQL not tested');
    const k = db.kysely;
    await k.deleteFrom('inbox').execute();
    const rows = Array.from({ length: 5 }, (_, i) => ({ channel: 'console', source: 'p2', external_event_id: `job-${i}`, ordering_key: 'k2', payload: '{}', status: 'done', attempts: 1, locked_until: null, last_error: null, received_at: NOW - 3 * DAY, processed_at: NOW - 3 * DAY }));
    await k.insertInto('inbox').values(rows).execute();
    const left = async () => (await k.selectFrom('inbox').select('id').where('source', '=', 'p2').execute()).length;

    // Kept 7 days: nothing of 3 days ago goes.
    const keep = new RetentionJob({ repo: new RetentionRepo(k), log, days: 7, now: () => NOW, sleep: async () => {} });
    expect((await keep.runOnce())?.inbox).toBe(0);
    expect(await left()).toBe(5);

    // Kept 2 days, stopped during the first pause: one batch of 2 went, the rest waits for the next start.
    let job: RetentionJob;
    job = new RetentionJob({ repo: new RetentionRepo(k), log, days: 2, now: () => NOW, batchSize: 2, sleep: async () => void job.stop() });
    expect((await job.runOnce())?.inbox).toBe(2);
    expect(await left()).toBe(3);
    const again = new RetentionJob({ repo: new RetentionRepo(k), log, days: 2, now: () => NOW, batchSize: 2, sleep: async () => {} });
    expect((await again.runOnce())?.inbox).toBe(3);
    expect(await left()).toBe(0);
  });
});

describe('a retention pass on sqlite', () => {
  it('reads the inbox and outbox by id range below the bound, never by a scan of the table', async () => {
    const fresh = await freshDatabase('sqlite');
    const db = openDatabase(fresh.url);
    try {
      await migrate(db);
      // 10 old finished rows, then 10 recent ones, in each table.
      const times = [...Array(10).fill(OLD), ...Array(10).fill(RECENT)] as number[];
      await db.kysely.insertInto('inbox').values(times.map((t, i) => ({ channel: 'console', source: 'p', external_event_id: `r-${i}`, ordering_key: 'k', payload: '{}', status: 'done', attempts: 1, locked_until: null, last_error: null, received_at: t, processed_at: t }))).execute();
      await db.kysely.insertInto('outbox').values(times.map((t, i) => ({ idempotency_key: `r-${i}`, user_id: 'u', channel: 'webhook', integration_id: null, notification_id: null, thread_id: null, ordering_key: `w-${i}`, payload: '{}', status: 'sent', attempts: 1, max_attempts: 8, next_attempt_at: t, locked_until: null, last_error: null, result: null, created_at: t, updated_at: t, sent_at: t }))).execute();
      const repo = new RetentionRepo(db.kysely);
      const bounds = { inbox: await repo.firstNewId('inbox', CUTOFF), outbox: await repo.firstNewId('outbox', CUTOFF) };
      const maxOf = async (table: 'inbox' | 'outbox') => Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow()).m);
      expect(bounds.inbox).toBeLessThan(await maxOf('inbox'));
      expect(bounds.outbox).toBeLessThan(await maxOf('outbox'));
      const statements: { sql: string; parameters: readonly unknown[] }[] = [];
      const capture: KyselyPlugin = {
        transformQuery: (args) => (statements.push(db.kysely.getExecutor().compileQuery(args.node as RootOperationNode, args.queryId)), args.node),
        transformResult: async (args) => args.result,
      };
      await pruneInBatches(new RetentionRepo(db.kysely.withPlugin(capture)), { cutoff: CUTOFF, sleep: async () => {} });
      const deletes = statements.filter((q) => /^delete from "(inbox|outbox)"/.test(q.sql));
      expect(deletes.length).toBeGreaterThanOrEqual(2);
      for (const q of deletes) {
        expect(q.parameters).toContain(bounds[/^delete from "(\w+)"/.exec(q.sql)![1] as 'inbox' | 'outbox']);
        const plan = (await db.kysely.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]))).rows.map((r) => r.detail);
        expect(plan.filter((d) => /^SCAN (inbox|outbox|d)\b/.test(d))).toEqual([]);
        expect(plan).toContainEqual(expect.stringMatching(/^SEARCH (inbox|d) USING INTEGER PRIMARY KEY \(rowid<\?\)/));
      }
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
});

describe('retention in a running hub', () => {
  it('prunes at start-up and counts what it pruned in /metrics', async () => {
    // The first start keeps everything; the rows are written while it runs, as a hub of last month would have.
    const first = await startTestHub({ env: { RETENTION_DAYS: 'off' } });
    const database = { url: first.config.databaseUrl, dataDir: first.dataDir };
    const k = first.hub.db.kysely;
    const old = Date.now() - 31 * DAY;
    const row = (id: string, status: string) => ({ channel: 'console', source: 'p', external_event_id: id, ordering_key: 'k', payload: '{}', status, attempts: 1, locked_until: null, last_error: null, received_at: old, processed_at: status === 'pending' ? null : old });
    await k.insertInto('inbox').values([row('old-done', 'done'), row('old-ignored', 'ignored')]).execute();
    const pruned = async (url: string) => parseProm(await (await fetch(`${url}/metrics`)).text()).value('switchboard_retention_pruned_total', { table: 'inbox' })!;
    const before = await pruned(first.url);
    await first.hub.close(2000);

    const second = await startTestHub({ database, env: { RETENTION_DAYS: '30' } });
    try {
      // The counter is per process (this test file's other passes count too): it moves by the two rows
      // once their delete is committed and on disk.
      await eventually(async () => (await pruned(second.url)) - before === 2);
      expect(await second.hub.db.kysely.selectFrom('inbox').select('id').execute()).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

describe('RETENTION_DAYS', () => {
  it('defaults to 30 days; 0 and "off" turn retention off', () => {
    expect(loadConfig({}).retentionDays).toBe(30);
    expect(loadConfig({ RETENTION_DAYS: '7' }).retentionDays).toBe(7);
    expect(loadConfig({ RETENTION_DAYS: ' 90 ' }).retentionDays).toBe(90);
    expect(loadConfig({ RETENTION_DAYS: '0' }).retentionDays).toBe(0);
    expect(loadConfig({ RETENTION_DAYS: 'OFF' }).retentionDays).toBe(0);
    expect(loadConfig({ RETENTION_DAYS: '' }).retentionDays).toBe(30);
  });

  it.each(['-1', '1.5', 'thirty', '30d', 'never'])('%s stops start-up with the allowed values', (value) => {
    expect(() => loadConfig({ RETENTION_DAYS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ RETENTION_DAYS: value })).toThrow(/RETENTION_DAYS: must be a whole number of days \(default 30\), or 0 or "off" to keep everything/);
  });

  it('a job refuses 0 days: off means no job at all', () => {
    expect(() => new RetentionJob({ repo: {} as RetentionRepo, log, days: 0 })).toThrow(/days >= 1/);
  });
});
