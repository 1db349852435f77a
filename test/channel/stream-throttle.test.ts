import { describe, expect, it } from 'vitest';
import { LatestTextPump } from '../../src/channel/stream-throttle.ts';

/** A clock that only moves when the pump sleeps. */
function fakeClock() {
  let t = 1_000;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

describe('LatestTextPump', () => {
  it('pushes at most once per interval and coalesces texts that arrive in between', async () => {
    const clock = fakeClock();
    const pushes: { text: string; at: number }[] = [];
    const pump = new LatestTextPump(async (text) => void pushes.push({ text, at: clock.now() }), { intervalMs: 300, ...clock });
    pump.update('The');
    pump.update('The quick');
    await new Promise((r) => setImmediate(r));
    pump.update('The quick brown');
    pump.update('The quick brown fox');
    await pump.stop().then(() => undefined);
    expect(pushes.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < pushes.length; i++) expect(pushes[i].at - pushes[i - 1].at).toBeGreaterThanOrEqual(300);
    // Coalesced: never more pushes than texts, and the texts are prefixes in order.
    expect(pushes.length).toBeLessThanOrEqual(4);
    for (let i = 1; i < pushes.length; i++) expect(pushes[i].text.startsWith(pushes[i - 1].text)).toBe(true);
  });

  it('pushes the newest text after a pause, and stops for good after a failed push', async () => {
    const clock = fakeClock();
    const pushes: string[] = [];
    let fail = false;
    const pump = new LatestTextPump(
      async (text) => {
        if (fail) throw new Error('refused');
        pushes.push(text);
      },
      { intervalMs: 300, ...clock },
    );
    pump.update('a');
    await new Promise((r) => setImmediate(r));
    clock.advance(1_000);
    pump.update('ab');
    await new Promise((r) => setImmediate(r));
    expect(pushes).toEqual(['a', 'ab']);
    fail = true;
    pump.update('abc');
    await new Promise((r) => setImmediate(r));
    fail = false;
    pump.update('abcd');
    await pump.stop();
    expect(pushes).toEqual(['a', 'ab']);
  });
});
