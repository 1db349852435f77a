import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import type { TestHubOptions } from '../helpers/hub.ts';
import { startAgentBotEnv, type AgentBotEnv } from '../telegram/agent-bot.ts';

/** A hub wired to a fake Bot API, with a linked bot whose profile is an `http` agent (the fake agent). */
export interface AgentTgEnv extends AgentBotEnv {
  agent: FakeAgent;
}

/** Starts the env; `hub` options go to the test hub (127.0.0.1 is allowed for the agent's URL). */
export async function startAgentTgEnv(hub: TestHubOptions = {}): Promise<AgentTgEnv> {
  const secret = newWebhookSecret();
  const agent = await startFakeAgent(secret);
  const env = await startAgentBotEnv({ kind: 'http', url: agent.url, secret }, hub, () => agent.close());
  return { ...env, agent };
}
