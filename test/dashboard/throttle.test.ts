import { describe, expect, it } from 'vitest';
import { BASE_DELAY_MS, FREE_FAILURES, MAX_DELAY_MS, SignInThrottle } from '../../src/dashboard/throttle.ts';

describe('sign-in throttle', () => {
  it('lets 4 failures pass, then waits 1 s, 2 s, 4 s… up to 15 min; a success forgets the IP', () => {
    let now = 1_000_000;
    const th = new SignInThrottle(() => now);
    for (let i = 1; i < FREE_FAILURES; i++) {
      th.failed('1.2.3.4');
      expect(th.waitMs('1.2.3.4')).toBe(0);
    }
    th.failed('1.2.3.4');
    expect(th.waitMs('1.2.3.4')).toBe(BASE_DELAY_MS);
    expect(th.waitMs('5.6.7.8')).toBe(0);
    now += BASE_DELAY_MS;
    expect(th.waitMs('1.2.3.4')).toBe(0);
    th.failed('1.2.3.4');
    expect(th.waitMs('1.2.3.4')).toBe(2 * BASE_DELAY_MS);
    for (let i = 0; i < 30; i++) th.failed('1.2.3.4');
    expect(th.waitMs('1.2.3.4')).toBe(MAX_DELAY_MS);
    th.succeeded('1.2.3.4');
    expect(th.waitMs('1.2.3.4')).toBe(0);
  });
});
