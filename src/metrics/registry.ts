import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The process-wide registry: counters and histograms of what this process did (deliveries, agent
 * turns, inbound requests, lease takeovers, pacing waits, pruned rows) and prom-client's default
 * process metrics. Per process, not per database: with several replicas, sum them in PromQL.
 * The database-wide depth gauges live in a per-hub registry instead (see `depth.ts`).
 */
export const processRegistry = new Registry();

let defaultsOn = false;

/**
 * Starts prom-client's default metrics (CPU, memory, heap, event-loop lag, GC, handles) on
 * {@link processRegistry}, once per process; later calls do nothing.
 */
export function ensureDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: processRegistry });
}
