import { createConsoleAdapter } from '../../adapters/console/index.ts';
import type { ConsoleAdapter } from '../../adapters/console/index.ts';
import { runAdapterContract } from './adapter-contract.ts';

runAdapterContract('console', async () => {
  const adapter = createConsoleAdapter({ services: undefined as never }) as ConsoleAdapter;
  const inboxId = 4242;
  return {
    adapter,
    integration: null,
    target: { inboxId, profileId: 'prf_x', thread: 'default' },
    received: async () => (await adapter.waitForReply(inboxId, 0))?.parts ?? [],
    samples: [
      {
        name: 'a chat line',
        event: { id: 7, channel: 'console', source: 'prf_x', externalEventId: 'e1', payload: { userId: 'usr_x', profileId: 'prf_x', thread: 'default', text: 'hi', sentAt: 1 } },
        expect: 'message',
      },
      { name: 'no text', event: { id: 8, channel: 'console', source: 'prf_x', externalEventId: 'e2', payload: { userId: 'usr_x' } }, expect: 'ignored' },
    ],
    close: async () => {},
  };
});
