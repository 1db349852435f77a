import type { AdapterServices } from '../../src/channel/index.ts';
import type { BotPool } from './bots.ts';
import type { AttemptLimiter } from './link-attempts.ts';

/** What the adapter's parts share. */
export interface TgContext {
  services: AdapterServices;
  pool: BotPool;
  attempts: AttemptLimiter;
  epochs: Epochs;
}

/** Link-code purposes (a bot's own `/link` codes are scoped to the bot, so a code never works on another). */
export const linkPurpose = (integrationId: string) => `telegram_link:${integrationId}`;
export const PAIR_PURPOSE = 'telegram_pair';
/** Identity-link channel of chats paired with the shared bot (scope: the whole shared bot). */
export const SHARED_LINK_CHANNEL = 'telegram-shared';

/** The state key of a conversation's thread generation. */
const epochKey = (conv: string) => `epoch:${conv}`;

/**
 * Thread generations per conversation (chat or forum topic), bumped by `/new`. Each is one row of
 * the integration's state (never its config), bumped in SQL, so concurrent `/new`s, also on other
 * replicas, never lose one.
 */
export class Epochs {
  constructor(private readonly services: AdapterServices) {}

  /** The current generation of a conversation (0 before the first `/new`). */
  async of(integrationId: string, conv: string): Promise<number> {
    return Number((await this.services.state.get<number>(integrationId, epochKey(conv))) ?? 0);
  }

  /** The thread key of a conversation at its current generation. */
  async threadKey(integrationId: string, conv: string): Promise<string> {
    const n = await this.of(integrationId, conv);
    return n ? `${conv}#${n}` : conv;
  }

  /** Starts a new generation; resolves with it. */
  bump(integrationId: string, conv: string): Promise<number> {
    return this.services.state.bump(integrationId, epochKey(conv));
  }

  /**
   * Moves the generations of a chat (and its topics) to a new chat id, for a group that became a
   * supergroup; a generation the new id has already is kept. Resolves with how many moved.
   */
  move(integrationId: string, fromChat: string, toChat: string): Promise<number> {
    return this.services.state.moveKeys(integrationId, epochKey(fromChat), epochKey(toChat));
  }
}
