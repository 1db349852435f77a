import type { InboundMessage } from '../../channel/index.ts';

/** One agent turn: what the agent is asked to answer. */
export interface AgentTurn {
  /** Stable id of the turn (one per inbound message); agents may dedupe on it. */
  turnId: string;
  profile: { id: string; name: string; userId: string };
  thread: { id: string; channel: string };
  message: InboundMessage & { id: string };
  /** Earlier messages of the thread, oldest first. */
  history: { role: 'user' | 'agent'; text: string; at: string }[];
  /** The notification this message answers, when it is a reply to a claimed one. */
  claim?: { notificationId: string; message: string; subject: string | null };
}

/** What an agent did with a turn. */
export type AgentResult =
  | { kind: 'reply'; text: string }
  /** The agent took the message and will reply later through the API (HTTP 202). */
  | { kind: 'accepted' }
  /** The agent had nothing to say. */
  | { kind: 'none' };

/** Runs turns for one kind of agent (`echo`, `http`…). */
export interface AgentRuntime {
  /** Whether the agent reads `history`; when false the bus skips loading it. Default true. */
  readonly wantsHistory?: boolean;
  /**
   * True for a pure function inside the hub (echo): re-running its turn after a crash has no effect
   * outside, so the bus skips the durable turn-start mark. External agents leave it false.
   */
  readonly inProcess?: boolean;
  run(turn: AgentTurn): Promise<AgentResult>;
}

/** The agent could not be reached or answered wrongly, after every retry. */
export class AgentError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
