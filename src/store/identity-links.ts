import type { Kysely, Selectable } from 'kysely';
import { newId } from '../crypto/tokens.ts';
import type { ReadCache } from './read-cache.ts';
import type { Database, IdentityLinksTable } from './schema.ts';

/** An external account linked to a user. */
export type IdentityLinkRow = Selectable<IdentityLinksTable>;

/** External accounts (Telegram users, Slack users) linked to hub users. */
export class IdentityLinksRepo {
  constructor(
    private readonly db: Kysely<Database>,
    /** Serves {@link find} and {@link ofUser} outside transactions. */
    private readonly cache?: ReadCache,
  ) {}

  /** Links an external account; replaces an earlier link of the same account in the same scope. */
  async link(input: {
    userId: string;
    channel: string;
    integrationId: string | null;
    externalUserId: string;
    externalChatId?: string | null;
  }): Promise<IdentityLinkRow> {
    await this.unlink(input.channel, input.integrationId, input.externalUserId);
    const row: IdentityLinkRow = {
      id: newId('lnk'),
      user_id: input.userId,
      integration_id: input.integrationId,
      channel: input.channel,
      external_user_id: input.externalUserId,
      external_chat_id: input.externalChatId ?? null,
      created_at: Date.now(),
    };
    await this.db.insertInto('identity_links').values(row).execute();
    return row;
  }

  /** The link of an external account in a scope (an integration, or the channel when null). */
  async find(channel: string, integrationId: string | null, externalUserId: string): Promise<IdentityLinkRow | undefined> {
    if (this.cache) return this.cache.get('identity_links', `find:${channel}|${integrationId}|${externalUserId}`, () => this.load(channel, integrationId, externalUserId));
    return this.load(channel, integrationId, externalUserId);
  }

  private async load(channel: string, integrationId: string | null, externalUserId: string): Promise<IdentityLinkRow | undefined> {
    let q = this.db
      .selectFrom('identity_links')
      .selectAll()
      .where('channel', '=', channel)
      .where('external_user_id', '=', externalUserId);
    q = integrationId === null ? q.where('integration_id', 'is', null) : q.where('integration_id', '=', integrationId);
    return q.executeTakeFirst();
  }

  /** Links of a user, optionally for one integration. */
  async ofUser(userId: string, integrationId?: string): Promise<IdentityLinkRow[]> {
    let q = this.db.selectFrom('identity_links').selectAll().where('user_id', '=', userId);
    if (integrationId) q = q.where('integration_id', '=', integrationId);
    return this.cache ? this.cache.get('identity_links', `user:${userId}|${integrationId ?? ''}`, () => q.execute()) : q.execute();
  }

  /** Removes the link of an external account in a scope; true when it existed. */
  async unlink(channel: string, integrationId: string | null, externalUserId: string): Promise<boolean> {
    let q = this.db.deleteFrom('identity_links').where('channel', '=', channel).where('external_user_id', '=', externalUserId);
    q = integrationId === null ? q.where('integration_id', 'is', null) : q.where('integration_id', '=', integrationId);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Removes every link made through an integration. */
  async deleteForIntegration(integrationId: string): Promise<void> {
    await this.db.deleteFrom('identity_links').where('integration_id', '=', integrationId).execute();
  }
}
