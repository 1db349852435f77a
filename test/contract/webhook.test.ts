import { startWebhookReceiver } from '../fakes/webhook-receiver.ts';
import { startTestHub } from '../helpers/hub.ts';
import { runAdapterContract } from './adapter-contract.ts';

runAdapterContract('webhook', async () => {
  const receiver = await startWebhookReceiver();
  const t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
  const user = await t.api('POST', '/v1/users', { email: 'contract@example.com' });
  const created = await t.api('POST', '/v1/integrations', { type: 'webhook', url: receiver.url, secret: true }, user.body.api_key);
  const integration = (await t.hub.store.integrations.byId(created.body.integration.id))!;
  return {
    adapter: t.hub.bus.adapters.get('webhook')!,
    integration,
    target: {},
    received: async () => receiver.received.map((r) => r.json?.data?.message ?? ''),
    failNext: async (how) => {
      if (how === 'refused') receiver.answerNext({ status: 400 });
      else if (how === 'unreachable') receiver.answerNext('drop');
      else receiver.answerNext({ status: 429, headers: { 'retry-after': String(how.retryAfterSeconds) } });
    },
    close: async () => {
      await t.close();
      await receiver.close();
    },
  };
});
