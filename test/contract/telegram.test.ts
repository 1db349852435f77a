import { createTelegramAdapter, NO_PACING } from '../../adapters/telegram/index.ts';
import type { InboxEventView } from '../../src/channel/index.ts';
import { claim, connectBot, fixture, newBot, newUser, startTgEnv } from '../telegram/env.ts';
import { runAdapterContract } from './adapter-contract.ts';

const SAMPLES: [string, 'message' | 'ignored' | 'handled'][] = [
  ['private_text', 'message'],
  ['private_command', 'handled'],
  ['group_mention', 'message'],
  ['forum_topic', 'message'],
  ['photo_caption', 'message'],
  ['document', 'message'],
  ['reply', 'message'],
  ['edited', 'message'],
  ['callback_query', 'ignored'],
  ['my_chat_member', 'ignored'],
];

runAdapterContract('telegram', async () => {
  const env = await startTgEnv({ extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing: NO_PACING }) } });
  const user = await newUser(env.t, 'contract@example.com');
  const bot = newBot(env.fake, 'switchboard_test_bot');
  const c = await connectBot(env, user.key, bot, user.profileId);
  await env.t.api('PATCH', `/v1/integrations/${c.id}`, { dm_policy: 'open' }, user.key);
  // An unclaimed bot answers only /start, /help and /link, whatever its policy: claim it first.
  await claim(env, bot, c.id, c.secret, c.code, 777002);
  const integration = (await env.t.hub.store.integrations.byId(c.id))!;
  const chat = 777001;
  const samples = SAMPLES.map(([name, expect], i) => ({
    name,
    expect,
    event: { id: 9000 + i, channel: 'telegram', source: c.id, externalEventId: String(i), payload: fixture(name) } satisfies InboxEventView,
  }));
  return {
    adapter: env.t.hub.bus.adapters.get('telegram')!,
    integration,
    target: { chat_id: chat, chat_type: 'private' },
    received: async () => env.fake.sentBy(bot.token, chat).map((s) => s.text),
    samples,
    async failNext(how) {
      if (how === 'refused') env.fake.fail({ method: 'sendMessage', error_code: 403, description: 'Forbidden: bot was blocked by the user' });
      else if (how === 'unreachable') env.fake.fail({ method: 'sendMessage', error_code: 502, description: 'Bad Gateway' });
      else env.fake.fail({ method: 'sendMessage', error_code: 429, description: `Too Many Requests: retry after ${how.retryAfterSeconds}`, retry_after: how.retryAfterSeconds });
    },
    close: () => env.close(),
  };
});
