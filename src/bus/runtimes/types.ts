import type { InboundMessage } from '../../channel/index.ts';

/** A live preview of the reply being written; see src/bus/turn-stream.ts. */
export interface TurnStream {
  /** The whole reply text so far. Best effort; never throws. */
  update(text: string): void;
}

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
  /** For `trigger.fired` turns: the event that fired, as its payload. */
  event?: { type: string; payload: unknown };
  /** Present when the channel can preview the reply while it is written (and the profile streams). */
  stream?: TurnStream;
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
  /**
   * True when a turn interrupted by a crash may simply run again (the built-in `llm` agent: the
   * model keeps no state, and tool calls already made are replayed from the log). Default false:
   * the person is told the turn was interrupted instead.
   */
  readonly resumable?: boolean;
  /** How many earlier messages to load into `history`. Default 20. */
  readonly historyLimit?: number;
  /** Whether this runtime writes into {@link AgentTurn.stream} (the bus opens one only then). Default false. */
  readonly streams?: boolean;
  run(turn: AgentTurn): Promise<AgentResult>;
}

/** The agent could not be reached or answered wrongly, after every retry. */
export class AgentError extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    /** What the person is told instead of the generic apology (the reason stays in the log). */
    readonly apology?: string,
  ) {
    super(message);
    this.name = 'AgentError';
  }
}
