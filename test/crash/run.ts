/**
 * One crash run: start the load, SIGKILL a hub once enough replies were seen (an event, not a
 * timer), let the rest recover, then stop everything and judge what the world saw.
 */
import type { HubProcess } from '../fixtures/hub-process.ts';
import { eventually } from '../helpers/hub.ts';
import { inFlight, readOpenRows } from './snapshot.ts';
import { startTraffic, type TrafficOptions } from './traffic.ts';
import { judge, type Verdict } from './verdict.ts';
import type { CrashWorld, HubSetup } from './world.ts';

/** Options of {@link crashUnderLoad}. */
export interface CrashRunOptions {
  world: CrashWorld;
  setup: HubSetup;
  /** The hubs serving now; the run reads it before every post, so a restart may replace entries. */
  hubs: HubProcess[];
  /** The hub to kill. */
  victim: HubProcess;
  /**
   * Kill once this many Telegram replies and webhook deliveries arrived, at a moment when at least
   * `openTurns` agent calls are unanswered (so the kill interrupts turns). Default openTurns 5.
   */
  killAfter: { replies: number; deliveries: number; openTurns?: number };
  /**
   * Runs right after the kill and its snapshot (restart, or nothing); resolves with the epoch ms
   * recovery is measured from.
   */
  afterKill: (killAt: number) => Promise<number>;
  /** See {@link CrashRun.exact}. */
  exact: boolean;
  /** How long after recovery began the run waits for all work to finish (ms). Default 25 000. */
  settleMs?: number;
  /** Default 15 000. */
  recoveryLimitMs?: number;
  traffic?: Partial<Omit<TrafficOptions, 'targets' | 'deadline'>>;
}

/** The verdict and a one-line summary of the run's figures. */
export interface CrashOutcome extends Verdict {
  summary: string;
}

/** Runs the load, kills, recovers, judges. Every hub of `hubs` is killed at the end. */
export async function crashUnderLoad(o: CrashRunOptions): Promise<CrashOutcome> {
  const { world, setup } = o;
  const started = Date.now();
  const traffic = startTraffic({
    targets: () => o.hubs.filter((h) => h.alive()).map((h) => h.url),
    integrationId: setup.integrationId,
    webhookSecret: setup.webhookSecret,
    token: setup.token,
    deadline: started + 50_000,
    ...o.traffic,
  });
  const chatIds = new Set(traffic.byChat.keys());
  const replies = () => world.fake.sent.filter((s) => chatIds.has(s.chat_id));
  try {
    const openTurns = () => world.agent.calls.filter((c) => c.endedAt === undefined).length;
    const ready = () => replies().length >= o.killAfter.replies && world.receiver.received.length >= o.killAfter.deliveries && openTurns() >= (o.killAfter.openTurns ?? 5);
    await eventually(ready, 20_000, 5).catch(() => {
      throw new Error(
        `the load never reached the kill point within 20 s: ${replies().length}/${o.killAfter.replies} replies, ${world.receiver.received.length}/${o.killAfter.deliveries} deliveries, ${openTurns()} open agent turns; ` +
          `${traffic.messages.filter((m) => m.ackedAt).length} updates and ${traffic.notifies.filter((n) => n.acceptedAt).length} notifies acknowledged; failures: ${traffic.failures.slice(0, 3).join('; ') || 'none'}`,
      );
    });
    const turnsOpenAtKill = openTurns();
    const killAt = await o.victim.kill();
    const atKill = inFlight(await readOpenRows(world.env.DATABASE_URL));
    const resumeFrom = await o.afterKill(killAt);
    const answered = () => {
      const got = new Set(replies().map((s) => s.reply_to));
      const delivered = new Set(world.receiver.received.map((h) => h.json?.data?.message));
      return traffic.complete() && traffic.messages.every((m) => got.has(m.messageId)) && traffic.notifies.every((n) => delivered.has(n.text));
    };
    const settleUntil = resumeFrom + (o.settleMs ?? 25_000);
    await eventually(answered, Math.max(0, settleUntil - Date.now())).catch(() => undefined);
    traffic.stop();
    await traffic.done;
    // Everything arrived; the hubs may still be marking their last sends. Wait (bounded) until the
    // database holds nothing open, then stop every hub and read it once more: that final read says
    // positively that no more work is coming.
    const empty = async () => {
      const open = await readOpenRows(world.env.DATABASE_URL);
      return open.inbox.length + open.outbox.length === 0;
    };
    await eventually(empty, Math.max(1000, settleUntil - Date.now()), 100).catch(() => undefined);
    for (const h of o.hubs) await h.kill();
    const atEnd = await readOpenRows(world.env.DATABASE_URL);
    const verdict = judge({
      traffic,
      sent: replies(),
      hooks: world.receiver.received,
      agentCalls: world.agent.calls,
      killAt,
      turnsOpenAtKill,
      resumeFrom,
      atKill,
      atEnd,
      exact: o.exact,
      recoveryLimitMs: o.recoveryLimitMs ?? 15_000,
    });
    const summary = Object.entries({ ...verdict.stats, runMs: Date.now() - started })
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    return { ...verdict, summary };
  } finally {
    traffic.stop();
    for (const h of o.hubs) await h.kill();
  }
}
