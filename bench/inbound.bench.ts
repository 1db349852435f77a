import type { BenchResult } from './run.ts';
import { percentile, pool } from './stats.ts';
import { startTestHub } from '../test/helpers/hub.ts';
import type { ChannelAdapter, InboundDecision, InboxEventView } from '../src/channel/index.ts';

const UPDATES = Number(process.env.BENCH_UPDATES ?? 10000);
const CHATS = 200;

/**
 * The bus alone, without a platform: events are committed to the inbox at concurrency 32 over 200
 * chats, routed to the echo agent through a granted integration, and answered through a channel
 * that only counts. Shows what the core can carry before any adapter's own cost.
 */
export async function bench(): Promise<BenchResult[]> {
  let replies = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  let owner = '';
  let integrationId = '';
  const loop: ChannelAdapter = {
    name: 'loop',
    capabilities: { category: 'chat', inbound: true, maxTextLength: 4096, threads: false, multiRow: true, authMethods: ['none'] },
    async interpret(e: InboxEventView): Promise<InboundDecision> {
      const p = e.payload as { chat: number; text: string };
      return {
        kind: 'message',
        userId: owner,
        message: { channel: 'loop', integrationId, threadKey: String(p.chat), messageId: e.externalEventId, sender: { id: String(p.chat) }, text: p.text, attachments: [], isDirect: true, replyTarget: { chat: p.chat }, sentAt: Date.now() },
      };
    },
    async send() {
      if (++replies === UPDATES) done();
      return { messageIds: [String(replies)] };
    },
    orderingKey: (m, id) => `loop|${id}|${(m.target as { chat: number }).chat}`,
    async connect() {
      return { name: 'loop', config: {}, secrets: {} };
    },
  };
  const t = await startTestHub({ dialect: 'sqlite', extraAdapters: { loop: () => loop }, bus: { pollIntervalMs: 200 } });
  try {
    owner = (await t.hub.store.users.byEmail('admin@localhost'))!.id;
    integrationId = (await t.api('POST', '/v1/integrations', { type: 'loop' })).body.integration.id;
    await t.api('PUT', `/v1/profiles/default/grants/${integrationId}`);
    const t0 = performance.now();
    const lat = await pool(UPDATES, 32, async (i) => {
      const chat = i % CHATS;
      await t.hub.bus.appendInbound([{ channel: 'loop', source: integrationId, externalEventId: String(i), orderingKey: `loop|${integrationId}|${chat}`, payload: { chat, text: `m${i}` } }]);
    });
    const ingest = (performance.now() - t0) / 1000;
    await finished;
    const secs = (performance.now() - t0) / 1000;
    return [
      { name: `bus only: ${UPDATES} events, 32 concurrent, ${CHATS} chats`, value: UPDATES / secs, unit: 'replies/s' },
      { name: 'bus only: durable ingest rate', value: UPDATES / ingest, unit: 'events/s' },
      { name: 'bus only: append p50', value: percentile(lat, 50), unit: 'ms' },
      { name: 'bus only: append p99', value: percentile(lat, 99), unit: 'ms' },
    ];
  } finally {
    await t.close();
  }
}
