import type { AgentResult, AgentRuntime, AgentTurn } from './types.ts';

/** The built-in agent: answers `echo: <text>`. Useful on first start and in tests. */
export const echoRuntime: AgentRuntime = {
  wantsHistory: false,
  inProcess: true,
  async run(turn: AgentTurn): Promise<AgentResult> {
    return { kind: 'reply', text: `echo: ${turn.message.text}` };
  },
};
