import { Histogram } from 'prom-client';
import { processRegistry } from './registry.ts';

/** Sends held back by a channel's pacing, and for how long, in seconds (`switchboard_pacing_wait_seconds`). */
export const pacingWaits = new Histogram({
  name: 'switchboard_pacing_wait_seconds',
  help: 'Sends held back by pacing (platform rate limits kept before a 429), by channel, and how long they waited',
  labelNames: ['channel'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
  registers: [processRegistry],
});

/**
 * Records that a send on `channel` waited `ms` milliseconds for its pacing slot. Adapters call it
 * only when they actually wait; 0 or less does nothing.
 */
export function observePacingWait(channel: string, ms: number): void {
  if (ms > 0) pacingWaits.observe({ channel }, ms / 1000);
}
