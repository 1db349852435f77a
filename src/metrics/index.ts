/** Prometheus metrics: the registry, the metric definitions and the `/metrics` route. */
export { processRegistry, ensureDefaultMetrics } from './registry.ts';
export { countDelivery, countLeaseTakeovers, timeTurn, watchDeliveries, deliveries, agentTurns, leaseTakeovers, retentionPruned, type DeliveryOutcome } from './bus-metrics.ts';
export { observePacingWait, pacingWaits } from './pacing.ts';
export { inboundLatency, inboundTimer, inboundRequests, type InboundTimer } from './inbound-latency.ts';
export { DepthGauges, type DepthCounts, type DepthOptions } from './depth.ts';
export { metricsRoutes, type MetricsRouteOptions } from './route.ts';
