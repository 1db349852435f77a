import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';

const SECRET = 'whsec_c2NoZWR1bGUtYWdlbnQtc2VjcmV0LTAwMDAw';
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/** A hub on `db` whose schedule clock reads `clock.now`; the background pass is effectively off. */
const hubOn = (db: { url: string; dataDir: string }, clock: { now: number }) =>
  startTestHub({ database: db, env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, triggers: { clock: () => clock.now, schedulerPollMs: 3_600_000 } });

/** Ticks the agent was woken for, in order. */
const ticks = (agent: FakeAgent) => agent.calls.map((c) => c.body.event.data.scheduled_at as string);

describe('schedules', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  async function setUp(dialect: 'sqlite' | 'postgres') {
    const db = await freshDatabase(dialect);
    open.push({ close: db.drop });
    const agent = await startFakeAgent(SECRET);
    open.push(agent);
    agent.answer = () => ({ status: 204 });
    const clock = { now: T0 };
    const first = await hubOn(db, clock);
    const profile = (await first.api('POST', '/v1/profiles', { name: 'cron', agent: { kind: 'http', url: agent.url, secret: SECRET } })).body.profile;
    const r = await first.api('POST', '/v1/triggers', { event: 'schedule.tick', interval: 60, profile_id: profile.id });
    expect(r.status).toBe(201);
    expect(r.body.trigger).toMatchObject({ interval: 60, next_fire_at: new Date(T0 + HOUR).toISOString(), integration_id: null });
    return { db, agent, clock, first, trigger: r.body.trigger };
  }

  it('fires once per tick across a restart (two hubs on one SQLite database in turn)', async () => {
    const { db, agent, clock, first, trigger } = await setUp('sqlite');
    expect(await first.hub.bus.triggers!.scheduler.runDue()).toBe(0);
    clock.now = T0 + HOUR + 1000;
    expect(await first.hub.bus.triggers!.scheduler.runDue()).toBe(1);
    expect(await first.hub.bus.triggers!.scheduler.runDue()).toBe(0);
    await waitCalls(agent, 1);
    await first.close();

    // The second hub starts while the same tick is still "now": it must not fire it again.
    const second = await hubOn(db, clock);
    open.push(second);
    expect(await second.hub.bus.triggers!.scheduler.runDue()).toBe(0);
    clock.now = T0 + 2 * HOUR + 5;
    expect(await second.hub.bus.triggers!.scheduler.runDue()).toBe(1);
    await waitCalls(agent, 2);
    expect(ticks(agent)).toEqual([new Date(T0 + HOUR).toISOString(), new Date(T0 + 2 * HOUR).toISOString()]);
    expect(agent.calls.every((c) => c.verified && c.body.type === 'trigger.fired' && c.body.trigger.id === trigger.id)).toBe(true);

    // Down for three ticks: they collapse into one firing, and the schedule keeps its phase.
    clock.now = T0 + 5 * HOUR + 30_000;
    expect(await second.hub.bus.triggers!.scheduler.runDue()).toBe(1);
    await waitCalls(agent, 3);
    expect(agent.calls[2].body.event.data).toMatchObject({ scheduled_at: new Date(T0 + 3 * HOUR).toISOString(), missed_ticks: 2, next_at: new Date(T0 + 6 * HOUR).toISOString() });
  });

  it('never fires a tick twice with two hubs at once on PostgreSQL', async (ctx) => {
    if (!process.env.TEST_DATABASE_URL) return ctx.skip('TEST_DATABASE_URL is not set: the replica test needs PostgreSQL');
    const { db, agent, clock, first } = await setUp('postgres');
    const second = await hubOn(db, clock);
    open.push(second, first);
    for (let k = 1; k <= 5; k++) {
      clock.now = T0 + k * HOUR;
      const fired = await Promise.all([first.hub.bus.triggers!.scheduler.runDue(), second.hub.bus.triggers!.scheduler.runDue(), first.hub.bus.triggers!.scheduler.runDue()]);
      expect(fired.reduce((a, b) => a + b, 0)).toBe(1);
    }
    await waitCalls(agent, 5);
    expect(new Set(ticks(agent)).size).toBe(5);
    const rows = await first.hub.db.kysely.selectFrom('inbox').select('id').where('channel', '=', 'trigger').execute();
    expect(rows).toHaveLength(5);
  });

  afterAll(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });
});

async function waitCalls(agent: FakeAgent, n: number): Promise<void> {
  const until = Date.now() + 5000;
  while (agent.calls.length < n) {
    if (Date.now() > until) throw new Error(`agent got ${agent.calls.length} calls, expected ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
