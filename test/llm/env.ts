import { FakeOpenAI } from '../fakes/openai-api.ts';
import type { TestHubOptions } from '../helpers/hub.ts';
import { startAgentBotEnv, type AgentBotEnv } from '../telegram/agent-bot.ts';

/** A hub wired to a fake Bot API and a fake model, with a linked bot whose profile is an `llm` agent. */
export interface LlmTgEnv extends AgentBotEnv {
  model: FakeOpenAI;
}

/** Starts the env; `agent` is merged into the llm agent (model `test-model`, base_url of the fake). */
export async function startLlmTgEnv(agent: Record<string, unknown> = {}, env: Record<string, string> = {}, hub: TestHubOptions = {}): Promise<LlmTgEnv> {
  const model = await new FakeOpenAI().start();
  const e = await startAgentBotEnv({ kind: 'llm', model: 'test-model', base_url: model.baseUrl, ...agent }, { ...hub, env: { OPENAI_API_KEY: 'sk-env-default-key', ...env } }, () => model.close());
  return { ...e, model };
}
