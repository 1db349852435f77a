import type { AdapterServices } from '../../src/channel/index.ts';
import type { BotPool } from './bots.ts';
import type { AttemptLimiter } from './link-attempts.ts';
import type { TelegramConfig } from './types.ts';

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

/**
 * Thread generations per conversation (chat or forum topic), bumped by `/new`, kept in the
 * integration's config. Bumps of one integration are serialised in process so none is lost.
 */
export class Epochs {
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly services: AdapterServices) {}

  /** The current generation of a conversation (0 before the first `/new`). */
  of(config: TelegramConfig, conv: string): number {
    return config.thread_epochs?.[conv] ?? 0;
  }

  /** The thread key of a conversation at its current generation. */
  threadKey(config: TelegramConfig, conv: string): string {
    const n = this.of(config, conv);
    return n ? `${conv}#${n}` : conv;
  }

  /** Starts a new generation; resolves with it. */
  bump(integrationId: string, conv: string): Promise<number> {
    return this.update(integrationId, (epochs) => (epochs[conv] = (epochs[conv] ?? 0) + 1));
  }

  /**
   * Moves the generations of a chat (and its topics) to a new chat id, for a group that became a
   * supergroup; a generation the new id has already is kept. Resolves with how many moved.
   */
  move(integrationId: string, fromChat: string, toChat: string): Promise<number> {
    return this.update(integrationId, (epochs) => {
      let moved = 0;
      for (const conv of Object.keys(epochs)) {
        if (conv !== fromChat && !conv.startsWith(`${fromChat}:`)) continue;
        const next = toChat + conv.slice(fromChat.length);
        epochs[next] ??= epochs[conv];
        delete epochs[conv];
        moved++;
      }
      return moved;
    });
  }

  /** Changes an integration's generations, one change at a time per integration in this process. */
  private update<T>(integrationId: string, change: (epochs: Record<string, number>) => T): Promise<T> {
    const prev = this.chains.get(integrationId) ?? Promise.resolve();
    const next = prev.then(async () => {
      const row = await this.services.integrations.byId(integrationId);
      const epochs = { ...((row?.config as TelegramConfig | undefined)?.thread_epochs ?? {}) };
      const result = change(epochs);
      await this.services.integrations.updateConfig(integrationId, { thread_epochs: epochs });
      return result;
    });
    const settled = next.catch(() => undefined);
    this.chains.set(integrationId, settled);
    void settled.then(() => {
      if (this.chains.get(integrationId) === settled) this.chains.delete(integrationId);
    });
    return next;
  }
}
