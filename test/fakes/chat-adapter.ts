import type { AdapterFactory, ChannelAdapter, OutboundMessage } from '../../src/channel/index.ts';

/** A chat adapter standing in for telegram/slack (built on other branches): records sends in memory. */
export function fakeChatAdapter(name: string, sent: OutboundMessage[]): AdapterFactory {
  return (): ChannelAdapter => ({
    name,
    capabilities: { category: 'chat', inbound: true, maxTextLength: 4096, threads: false, multiRow: name === 'telegram', authMethods: ['token'] },
    async interpret() {
      return { kind: 'ignored', reason: 'fake' };
    },
    async notifyTarget(integration) {
      return { chat: `owner-of-${integration.id}` };
    },
    async send(message) {
      sent.push(message);
      return { messageIds: [`m${sent.length}`], claimKeys: [`k${sent.length}`] };
    },
  });
}
