import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PACING, Pacer } from '../../adapters/telegram/pacing.ts';
import { ChannelPacer } from '../../adapters/slack/pacing.ts';
import { MemoryRateLimiter, RetryAfterError } from '../../src/channel/index.ts';
import { migrate, openDatabase } from '../../src/store/index.ts';
import { RateLimitsRepo } from '../../src/store/rate-limits.ts';
import type { Database } from '../../src/store/schema.ts';
import { freshDatabase } from '../helpers/db.ts';
import { needPostgres } from './pg.ts';

/** A clock that moves only when told, and a sleep that records what it was asked to wait. */
function fakeTime() {
  const t = { now: 1_000_000, waits: [] as number[] };
  return { t, clock: () => t.now, sleep: async (ms: number) => void t.waits.push(ms) };
}

describe('Telegram pacing (injected clock)', () => {
  it('lets a burst of 3 go to a private chat, then one a second, while other chats of the bot go at once', async () => {
    const { t, clock, sleep } = fakeTime();
    const pacer = new Pacer(DEFAULT_PACING, { limiter: new MemoryRateLimiter(clock), sleep });
    for (let i = 0; i < 5; i++) await pacer.acquire('bot', '42', false);
    await pacer.acquire('bot', '43', false);
    expect(t.waits).toEqual([1000, 2000]);
  });

  it('spaces a group 3 s apart (20 a minute) with no burst', async () => {
    const { t, clock, sleep } = fakeTime();
    const pacer = new Pacer(DEFAULT_PACING, { limiter: new MemoryRateLimiter(clock), sleep });
    await pacer.acquire('bot', '-100', true);
    t.now += 1000;
    await pacer.acquire('bot', '-100', true);
    expect(t.waits).toEqual([2000]);
  });

  it('holds a bot to 30 a second across chats, and a broadcast_rate of 1000 raises that', async () => {
    const { t, clock, sleep } = fakeTime();
    const pacer = new Pacer(DEFAULT_PACING, { limiter: new MemoryRateLimiter(clock), sleep });
    for (let i = 0; i < 32; i++) await pacer.acquire('free', `c${i}`, false);
    expect(t.waits).toEqual([34, 68]);
    t.waits.length = 0;
    for (let i = 0; i < 1000; i++) await pacer.acquire('paid', `c${i}`, false, 1000);
    expect(t.waits).toEqual([]);
    await pacer.acquire('paid', 'one-more', false, 1000);
    expect(t.waits).toEqual([1]);
  });

  it('hands a chat booked beyond maxWaitMs back as a retry-after, reserving nothing', async () => {
    const { t, clock, sleep } = fakeTime();
    const pacer = new Pacer({ ...DEFAULT_PACING, chatBurst: 1, maxWaitMs: 2500 }, { limiter: new MemoryRateLimiter(clock), sleep });
    for (let i = 0; i < 3; i++) await pacer.acquire('bot', '7', false);
    const refused = await pacer.acquire('bot', '7', false).catch((e) => e);
    expect(refused).toBeInstanceOf(RetryAfterError);
    expect(refused.retryAfterMs).toBe(3000);
    t.now += 1000;
    await pacer.acquire('bot', '7', false);
    // The refused send took no slot: the next one waits 2 s (slot at +3 s), not 3 s.
    expect(t.waits).toEqual([1000, 2000, 2000]);
  });

  it('spaces Slack posts per channel with the same limiter', async () => {
    const { t, clock, sleep } = fakeTime();
    const pacer = new ChannelPacer(1000, new MemoryRateLimiter(clock), sleep);
    await Promise.all([pacer.wait('C1'), pacer.wait('C1'), pacer.wait('C2'), pacer.wait('C1')]);
    expect(t.waits.sort((a, b) => a - b)).toEqual([1000, 2000]);
  });
});

describe('the shared limiter on PostgreSQL', () => {
  it('gives two replicas distinct slots of one bucket, one statement per reservation', async (ctx) => {
    needPostgres(ctx);
    const fresh = await freshDatabase('postgres');
    const db = openDatabase(fresh.url);
    let statements = 0;
    // pg-pool's end() can resolve before a client's socket has closed; the database's forced drop then
    // ends that backend, and an error on a client nobody listens to would crash the run (as in the hub, see db.ts).
    const pool = () => {
      const p = new pg.Pool({ connectionString: fresh.url, max: 4 });
      p.on('connect', (client) => client.on('error', () => undefined));
      p.on('error', () => undefined);
      return p;
    };
    const replicas = [0, 1].map(
      () =>
        new Kysely<Database>({
          dialect: new PostgresDialect({ pool: pool() }),
          log: (e) => void (e.level === 'query' && statements++),
        }),
    );
    try {
      await migrate(db);
      const limiters = replicas.map((k) => new RateLimitsRepo(k));
      const bucket = { key: 'telegram|chat|bot|1', intervalMs: 100, burst: 1 };
      const t0 = Date.now();
      const waits = await Promise.all(Array.from({ length: 10 }, (_, i) => limiters[i % 2].reserve([bucket]).then((r) => ('waitMs' in r ? r.waitMs : -1))));
      const spread = Date.now() - t0;
      expect(statements).toBe(10);
      const sorted = [...waits].sort((a, b) => a - b);
      sorted.forEach((w, i) => expect(w).toBeGreaterThanOrEqual(i * 100 - spread));

      // A chain: the bot's slot is never before the chat's; a chat booked too far is refused, reserving nothing.
      const chain = [
        { key: 'g', intervalMs: 1000, burst: 1 },
        { key: 'b', intervalMs: 50, burst: 1 },
      ];
      const a = await limiters[0].reserve(chain, 1500);
      const b = await limiters[1].reserve(chain, 1500);
      const c = await limiters[0].reserve(chain, 1500);
      expect(a).toEqual({ waitMs: 0 });
      expect('waitMs' in b && b.waitMs).toBeGreaterThan(900);
      // The bot's slot is left for after the chat's wait, so it holds back no other chat meanwhile.
      expect('waitMs' in b && b.rest?.map((x) => x.key)).toEqual(['b']);
      expect('retryAfterMs' in c && c.retryAfterMs).toBeGreaterThan(1500);
      const rows = await db.kysely.withTables<{ rate_limits: { key: string; tat: number } }>().selectFrom('rate_limits').select(['key', 'tat']).where('key', 'in', ['g', 'b']).execute();
      const tat = Object.fromEntries(rows.map((r) => [r.key, Number(r.tat)]));
      // Two reservations of the chat, one of the bot (the second is the caller's after its wait), none for the refused one.
      expect(tat.g - tat.b).toBeGreaterThan(1800);
    } finally {
      await Promise.all(replicas.map((k) => k.destroy()));
      await db.close();
      await fresh.drop();
    }
  });
});
