import { startFakeResend } from '../fakes/resend-api.ts';
import { startTestHub } from '../helpers/hub.ts';
import { runAdapterContract } from './adapter-contract.ts';

runAdapterContract('email', async () => {
  const resend = await startFakeResend();
  const t = await startTestHub({ env: { RESEND_BASE_URL: resend.url } });
  const user = await t.api('POST', '/v1/users', { email: 'contract@example.com' });
  const created = await t.api('POST', '/v1/integrations', { type: 'email', api_key: 're_test_good', from: 'Hub <hub@example.com>' }, user.body.api_key);
  const integration = (await t.hub.store.integrations.byId(created.body.integration.id))!;
  return {
    adapter: t.hub.bus.adapters.get('email')!,
    integration,
    target: {},
    received: async () => resend.emails.map((e) => e.body.text ?? ''),
    failNext: async (how) => resend.failNext(how),
    close: async () => {
      await t.close();
      await resend.close();
    },
  };
});
