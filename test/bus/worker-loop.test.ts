import { describe, expect, it } from 'vitest';
import { WorkerLoop } from '../../src/channel/worker-loop.ts';
import { createLogger } from '../../src/log.ts';
import { eventually } from '../helpers/hub.ts';

/** A logger whose lines the test reads. */
function readableLog() {
  const lines: { level: number; msg: string; [k: string]: unknown }[] = [];
  return { lines, log: createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

describe('WorkerLoop', () => {
  it('ticks again at once while the tick reports more work, then sleeps until woken', async () => {
    const { log } = readableLog();
    let work = 3;
    let ticks = 0;
    // A poll interval far beyond the test: only wake() can start the later ticks.
    const loop = new WorkerLoop({ name: 'test', pollMs: 60_000, log, tick: async () => (ticks++, work > 0 ? work-- > 1 : false) });
    loop.start();
    await eventually(() => ticks === 3);
    work = 1;
    loop.wake();
    await eventually(() => ticks === 4);
    expect(work).toBe(0);
    await loop.stop();
    expect(ticks).toBe(4);
  });

  it('sleeps at most the number of ms a tick asks for', async () => {
    const { log } = readableLog();
    const at: number[] = [];
    const loop = new WorkerLoop({ name: 'timed', pollMs: 60_000, log, tick: async () => (at.push(Date.now()), 20) });
    loop.start();
    await eventually(() => at.length >= 3);
    await loop.stop();
    expect(at.length).toBeGreaterThanOrEqual(3);
  });

  it('logs a failing tick with its name and keeps going', async () => {
    const { log, lines } = readableLog();
    let ticks = 0;
    const loop = new WorkerLoop({
      name: 'flaky',
      pollMs: 10,
      log,
      tick: async () => {
        ticks++;
        if (ticks === 1) throw new Error('database went away');
        return false;
      },
    });
    loop.start();
    await eventually(() => ticks >= 2);
    await loop.stop();
    const line = lines.find((l) => l.level >= 50);
    expect(line?.msg).toMatch(/flaky/);
    expect(JSON.stringify(line)).toMatch(/database went away/);
  });

  it('stop waits for the running tick and no tick starts after it; a wake after stop does nothing', async () => {
    const { log } = readableLog();
    let release!: () => void;
    let ticks = 0;
    let finished = false;
    const loop = new WorkerLoop({
      name: 'stopping',
      pollMs: 10,
      log,
      tick: async () => {
        ticks++;
        await new Promise<void>((r) => (release = r));
        finished = true;
        return true;
      },
    });
    loop.start();
    loop.start(); // a second start is a no-op
    await eventually(() => ticks === 1);
    const stopped = loop.stop();
    expect(loop.running).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(true);
    loop.wake();
    expect(ticks).toBe(1);
  });
});
