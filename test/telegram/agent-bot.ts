import type { FakeBot, FakeSent } from '../fakes/telegram-api.ts';
import type { TestHubOptions } from '../helpers/hub.ts';
import { claim, connectBot, dm, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

/** A hub wired to a fake Bot API, with a bot linked to its owner, whose profile runs the given agent. */
export interface AgentBotEnv {
  env: TgEnv;
  user: { key: string; id: string; profileId: string };
  bot: FakeBot;
  integration: { id: string; secret: string };
  /** The Telegram user linked to the bot's owner (their DM is chat `tgUser`). */
  tgUser: number;
  /** Posts a DM from the linked user. */
  say(text: string): Promise<void>;
  /** Waits until the linked user's chat has `n` messages from the bot after the link confirmation. */
  replies(n: number, ms?: number): Promise<FakeSent[]>;
  close(): Promise<void>;
}

/**
 * Starts a test hub (127.0.0.1 allowed for agent URLs), a user whose profile runs `agent`, and a bot
 * granted to it and claimed with `/link` from a random Telegram user. `close` also runs `alsoClose`.
 */
export async function startAgentBotEnv(agent: Record<string, unknown>, hub: TestHubOptions, alsoClose: () => Promise<void>): Promise<AgentBotEnv> {
  const e = await startTgEnv({ ...hub, env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1', ...hub.env } });
  const user = await newUser(e.t, `${agent.kind}${Math.random().toString(36).slice(2)}@example.com`);
  const patched = await e.t.api('PATCH', `/v1/profiles/${user.profileId}`, { agent }, user.key);
  if (patched.status !== 200) throw new Error(`profile patch failed: ${patched.status} ${JSON.stringify(patched.body)}`);
  const bot = newBot(e.fake);
  const c = await connectBot(e, user.key, bot, user.profileId);
  const tgUser = 500_000 + Math.floor(Math.random() * 1e6);
  await claim(e, bot, c.id, c.secret, c.code, tgUser);
  const base = e.fake.sentBy(bot.token, tgUser).length;
  return {
    env: e,
    user,
    bot,
    integration: { id: c.id, secret: c.secret },
    tgUser,
    async say(text) {
      const r = await postUpdate(e, c.id, c.secret, dm(tgUser, text));
      if (r.status !== 200) throw new Error(`update post failed: ${r.status}`);
    },
    async replies(n, ms = 8000) {
      return (await waitSent(e, bot.token, tgUser, base + n, ms)).slice(base);
    },
    async close() {
      await e.close();
      await alsoClose();
    },
  };
}
