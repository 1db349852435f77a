import { describe, expect, it } from 'vitest';
import { startHubProcess, type HubProcess } from '../fixtures/hub-process.ts';
import { crashUnderLoad } from './run.ts';
import { configureHub, startCrashWorld } from './world.ts';

/**
 * Issue 9, "done means" on PostgreSQL: two replicas on one database, both taking webhooks and API
 * calls round-robin and both running workers, under the SQLite test's load. One is killed with
 * SIGKILL and not restarted; the survivor must finish everything, the dead one's rows included.
 */
describe('two PostgreSQL replicas, one killed with SIGKILL under load', () => {
  it("lose nothing, keep every conversation in order, repeat only sends in flight with their own keys, and the survivor finishes the dead replica's rows within 15 s", async (ctx) => {
    if (!process.env.TEST_DATABASE_URL) return ctx.skip('TEST_DATABASE_URL is not set: the two-replica crash test needs PostgreSQL');
    const world = await startCrashWorld('postgres');
    const hubs: HubProcess[] = [];
    try {
      // One after the other: concurrent migrations are the replicas branch's own test.
      hubs.push(await startHubProcess(world.env));
      const setup = await configureHub(world, hubs[0].url);
      hubs.push(await startHubProcess(world.env));
      const out = await crashUnderLoad({
        world,
        setup,
        hubs,
        victim: hubs[0],
        killAfter: { replies: 150, deliveries: 20 },
        traffic: { chats: 50, perChat: 12, notifies: 120 },
        exact: false,
        afterKill: async (killAt) => killAt,
      });
      console.log(`[crash postgres] ${out.summary}`);
      expect.soft(out.problems.lost, 'lost: every message answered, every notify delivered, nothing left open').toEqual([]);
      expect.soft(out.problems.replies, 'replies: the agent answered each message itself; nobody asked to send it again').toEqual([]);
      expect.soft(out.problems.order, 'order: per chat, agent turns and replies in the order the messages were sent, across replicas').toEqual([]);
      expect.soft(out.problems.repeats, 'repeats: only sends in flight at the kill, each with its original key').toEqual([]);
      expect.soft(out.problems.agent, 'agent: one webhook-id per turn, a second call only for a turn in flight at the kill').toEqual([]);
      expect.soft(out.problems.recovery, "recovery: the survivor finished the dead replica's rows within 15 s of the kill").toEqual([]);
      expect(out.stats.inboxInFlightAtKill + out.stats.outboxInFlightAtKill, 'the kill hit work in flight').toBeGreaterThan(0);
      expect(out.stats.turnsOpenAtKill, 'the kill interrupted turns at the agent').toBeGreaterThan(0);
    } finally {
      for (const h of hubs) await h.kill();
      await world.close();
    }
  }, 60_000);
});
