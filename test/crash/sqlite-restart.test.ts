import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubProcess, type HubProcess } from '../fixtures/hub-process.ts';
import { crashUnderLoad } from './run.ts';
import { configureHub, startCrashWorld, type CrashWorld } from './world.ts';

/**
 * Issue 9, "done means" on SQLite: one hub process under load (50 Telegram chats × 12 messages
 * through an HTTP agent, 120 notifies to a webhook) is killed with SIGKILL mid-flow and restarted
 * on the same data dir.
 */
describe('a SQLite hub killed with SIGKILL under load and restarted', () => {
  let world: CrashWorld;
  const hubs: HubProcess[] = [];

  beforeAll(async () => {
    world = await startCrashWorld('sqlite');
  });
  afterAll(async () => {
    for (const h of hubs) await h.kill();
    await world?.close();
  });

  it('loses nothing, keeps every conversation in order, repeats only sends in flight with their own keys, and resumes within 15 s', async () => {
    const first = await startHubProcess(world.env);
    hubs.push(first);
    const setup = await configureHub(world, first.url);
    const out = await crashUnderLoad({
      world,
      setup,
      hubs,
      victim: first,
      killAfter: { replies: 150, deliveries: 20 },
        traffic: { chats: 50, perChat: 12, notifies: 120 },
      exact: true,
      // Recovery is measured from the new process's READY: its boot here is mostly tsx compiling the
      // sources (printed as restartToReadyMs); a start that hangs fails startHubProcess after 20 s.
      afterKill: async () => {
        const again = await startHubProcess(world.env);
        hubs.push(again);
        return again.readyAt;
      },
    });
    console.log(`[crash sqlite] ${out.summary} restartToReadyMs=${hubs[1] ? hubs[1].readyAt - hubs[1].startedAt : -1}`);
    // One soft assertion per promise, so a failure lists every broken one with its chats and keys.
    expect.soft(out.problems.lost, 'lost: every message answered, every notify delivered, nothing left open').toEqual([]);
    expect.soft(out.problems.replies, 'replies: the agent answered each message itself; nobody asked to send it again').toEqual([]);
    expect.soft(out.problems.order, 'order: per chat, agent turns and replies in the order the messages were sent').toEqual([]);
    expect.soft(out.problems.repeats, 'repeats: only sends in flight at the kill, each with its original key').toEqual([]);
    expect.soft(out.problems.agent, 'agent: interrupted turns delivered again with the same webhook-id, no others').toEqual([]);
    expect.soft(out.problems.recovery, 'recovery: rows in flight at the kill finished within 15 s of the restart').toEqual([]);
    expect(out.stats.inboxInFlightAtKill + out.stats.outboxInFlightAtKill, 'the kill hit work in flight').toBeGreaterThan(0);
    expect(out.stats.turnsOpenAtKill, 'the kill interrupted turns at the agent').toBeGreaterThan(0);
  }, 60_000);
});
