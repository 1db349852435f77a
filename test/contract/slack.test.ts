import type { InboxEventView } from '../../src/channel/index.ts';
import { fixture, installAndGrant, startSlackHub } from '../slack/helpers.ts';
import { runAdapterContract } from './adapter-contract.ts';

runAdapterContract('slack', async () => {
  const h = await startSlackHub();
  const { integration } = await installAndGrant(h, 'contract@example.com');
  const adapter = h.t.hub.bus.adapters.get('slack')!;
  const sample = (name: string, expect: 'message' | 'ignored' | 'handled', id: number) => {
    const payload = fixture(name);
    const event: InboxEventView = { id, channel: 'slack', source: 'T0001', externalEventId: `ev:${payload.event_id ?? name}`, payload };
    return { name, event, expect };
  };
  return {
    adapter,
    integration: (await h.t.hub.store.integrations.byId(integration.id))!,
    target: { channel: 'C0CONTRACT' },
    received: async () => h.fake.posted().filter((p) => p.channel === 'C0CONTRACT').map((p) => p.text),
    samples: [
      sample('message-im', 'message', 1),
      sample('app-mention', 'message', 2),
      sample('message-channel-mention', 'message', 3),
      sample('message-thread-reply', 'ignored', 4),
      sample('message-bot', 'ignored', 5),
      sample('message-changed', 'ignored', 6),
      sample('url-verification', 'ignored', 7),
    ],
    failNext: async (how) => {
      if (how === 'refused') h.fake.failNext({ kind: 'refused', error: 'channel_not_found' }, 'chat.postMessage');
      else if (how === 'unreachable') h.fake.failNext({ kind: 'drop' }, 'chat.postMessage');
      else h.fake.failNext({ kind: 'ratelimit', retryAfter: how.retryAfterSeconds }, 'chat.postMessage');
    },
    close: () => h.close(),
  };
});
