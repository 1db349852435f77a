import { RefusedError, RetryAfterError, UnreachableError, type AdapterFactory, type ChannelAdapter, type OutboundMessage } from '../../src/channel/index.ts';

/** What the probe adapter should do on its next sends, in order; then it succeeds. */
export type ProbeOutcome = 'ok' | 'refused' | 'unhealthy' | 'unreachable' | { retryAfterMs: number };

/** A test channel: records every send and fails on command, so bus behaviour can be observed. */
export interface Probe {
  factory: AdapterFactory;
  sent: { text: string; key: string; attempt: number; at: number }[];
  plan: ProbeOutcome[];
  /** Outcome of every send once the plan is used up. Default 'ok'. */
  always?: ProbeOutcome;
}

/** Creates a probe channel named `probe`. */
export function createProbe(): Probe {
  const probe: Probe = {
    sent: [],
    plan: [],
    factory: () => adapter,
  };
  const adapter: ChannelAdapter = {
    name: 'probe',
    capabilities: { category: 'notification', inbound: false, maxTextLength: 1000, threads: false, multiRow: false, authMethods: ['none'] },
    async send(m: OutboundMessage, ctx) {
      const outcome = probe.plan.shift() ?? probe.always ?? 'ok';
      probe.sent.push({ text: m.text, key: ctx.idempotencyKey, attempt: ctx.attempt, at: Date.now() });
      if (outcome === 'refused') throw new RefusedError('probe refused');
      if (outcome === 'unhealthy') throw new RefusedError('probe token revoked', true);
      if (outcome === 'unreachable') throw new UnreachableError('probe unreachable');
      if (typeof outcome === 'object') throw new RetryAfterError('probe rate limited', outcome.retryAfterMs);
      return { messageIds: [`p${probe.sent.length}`] };
    },
    async connect() {
      return { name: 'probe', config: {}, secrets: { token: 'probe-secret' } };
    },
  };
  return probe;
}
