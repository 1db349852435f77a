import type { Installation, InstallationQuery, InstallationStore } from '@slack/oauth';
import type { AdapterServices, IntegrationInfo } from '../../src/channel/index.ts';
import { linkKey } from './interpret.ts';
import type { SlackConfig, SlackSecrets } from './settings.ts';
import type { InstallMetadata } from './state-store.ts';

/** Raised when a user who already has a Slack integration installs into another workspace. Safe to show. */
export class InstallConflictError extends Error {
  readonly code = 'slack_integration_exists';
}

/** Results of the last stores, so the success page can name the integration (by installing user id). */
export type StoredInstalls = Map<string, IntegrationInfo>;

/**
 * An installation store on the hub's integrations: one row per hub user, externalId = the team id
 * (the enterprise id for org-wide installs), the bot token encrypted in its secrets, and team,
 * enterprise, bot ids, scopes and the installing Slack user in its config. Installing the same
 * workspace again updates the row (and keeps its settings); the installing Slack user is linked to
 * the hub user.
 */
export function createInstallationStore(services: AdapterServices, stored: StoredInstalls): InstallationStore {
  const { integrations, links } = services;
  const externalOf = (i: { isEnterpriseInstall?: boolean; enterpriseId?: string; teamId?: string }) =>
    (i.isEnterpriseInstall ? i.enterpriseId : i.teamId) ?? i.enterpriseId ?? null;

  return {
    async storeInstallation(installation: Installation): Promise<void> {
      const meta = JSON.parse(installation.metadata ?? '{}') as Partial<InstallMetadata>;
      if (!meta.user_id) throw new Error('installation without a hub user');
      const bot = installation.bot;
      if (!bot?.token) throw new Error('Slack returned no bot token; the app must request bot scopes');
      const externalId = externalOf({ isEnterpriseInstall: installation.isEnterpriseInstall, enterpriseId: installation.enterprise?.id, teamId: installation.team?.id });
      if (!externalId) throw new Error('Slack returned neither a team nor an enterprise');
      const name = installation.team?.name ?? installation.enterprise?.name ?? externalId;
      const existing = (await integrations.listForUser(meta.user_id, 'slack'))[0];
      if (existing && existing.externalId !== externalId) {
        throw new InstallConflictError(`you already have a Slack integration for ${existing.name}; disconnect it before installing into another workspace`);
      }
      const config: SlackConfig = {
        team_id: installation.team?.id ?? null,
        team_name: installation.team?.name ?? null,
        enterprise_id: installation.enterprise?.id ?? null,
        enterprise_name: installation.enterprise?.name ?? null,
        is_enterprise_install: !!installation.isEnterpriseInstall,
        app_id: installation.appId ?? null,
        bot_user_id: bot.userId,
        bot_id: bot.id ?? null,
        scopes: bot.scopes ?? [],
        installer_user_id: installation.user.id,
      };
      const secrets: SlackSecrets = { bot_token: bot.token, ...(bot.refreshToken ? { bot_refresh_token: bot.refreshToken, bot_expires_at: bot.expiresAt } : {}) };
      let row: IntegrationInfo;
      if (existing) {
        await integrations.updateConfig(existing.id, { ...config });
        await integrations.setSecrets(existing.id, { ...secrets });
        await integrations.setStatus(existing.id, 'active', null);
        row = (await integrations.byId(existing.id))!;
      } else {
        row = await integrations.create({ userId: meta.user_id, type: 'slack', name, externalId, config: { ...config, policy: 'installer', notify_channel: null }, secrets: { ...secrets } });
      }
      const team = installation.team?.id ?? externalId;
      await links.link({ userId: meta.user_id, channel: 'slack', integrationId: row.id, externalUserId: linkKey(team, installation.user.id) });
      stored.set(meta.user_id, row);
      if (stored.size > 100) stored.delete(stored.keys().next().value as string);
      services.log.info({ channel: 'slack', integration: row.id, team: externalId, updated: !!existing }, 'Slack installation stored');
    },

    async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation> {
      const id = externalOf(query);
      const row = id ? (await integrations.byExternalId('slack', id))[0] : undefined;
      const secrets = row ? await integrations.secrets<SlackSecrets>(row.id) : undefined;
      if (!row || !secrets?.bot_token) throw new Error(`no Slack installation for ${id ?? 'that query'}`);
      const c = row.config as Partial<SlackConfig>;
      return {
        team: c.team_id ? { id: c.team_id, name: c.team_name ?? undefined } : undefined,
        enterprise: c.enterprise_id ? { id: c.enterprise_id, name: c.enterprise_name ?? undefined } : undefined,
        user: { id: String(c.installer_user_id), token: undefined, scopes: undefined },
        bot: { token: secrets.bot_token, scopes: c.scopes ?? [], id: String(c.bot_id ?? ''), userId: String(c.bot_user_id) },
        appId: c.app_id ?? undefined,
        isEnterpriseInstall: !!c.is_enterprise_install,
        authVersion: 'v2',
      } as Installation;
    },

    async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
      const id = externalOf(query);
      for (const row of id ? await integrations.byExternalId('slack', id) : []) await integrations.setSecrets(row.id, null);
    },
  };
}
