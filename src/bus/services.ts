import { randomUUID } from 'node:crypto';
import { MemoryRateLimiter, type AdapterServices, type AdapterSettings, type AppendResult, type HubEvent, type InboxEvent, type IntegrationInfo, type Logger } from '../channel/index.ts';
import type { Store } from '../store/index.ts';
import { draftLinkCode } from '../store/link-codes.ts';
import { DEFAULT_POLL_INTERVAL, virtualEventsOf } from './triggers/catalog.ts';

/**
 * Lends adapters the narrow slice of the store they may use; inbox appends go through the bus (group
 * commit, wake-up). `multiRow(type)` says whether a channel allows several rows per user (its
 * capabilities), so rows it creates get the single-row guarantee otherwise. `hooks` carries hub events
 * to the triggers: `emit` fires them, `statusChanged` writes the `integration.unhealthy` firings in the
 * transaction that turns an integration unhealthy, `wake` runs them after the commit. `replicaId` names this process as a lease owner (default
 * a fresh random id); send pacing is shared through the database on PostgreSQL and kept in memory on SQLite.
 */
export function adapterServices(
  store: Store,
  config: AdapterSettings,
  log: Logger,
  appendInbound: (events: InboxEvent[]) => Promise<AppendResult[]>,
  multiRow: (type: string) => boolean,
  hooks: {
    emit(event: HubEvent): Promise<number>;
    /** Writes the `integration.unhealthy` firings inside the status change's transaction `tx`. */
    statusChanged(tx: Store, before: IntegrationInfo, reason: string | null): Promise<number>;
    /** Wakes the workers after firings were committed. */
    wake(): void;
  } = { emit: async () => 0, statusChanged: async () => 0, wake: () => {} },
  replicaId: string = randomUUID(),
): AdapterServices {
  return {
    config,
    log,
    inbox: { append: appendInbound },
    integrations: {
      byId: (id) => store.integrations.byId(id),
      byExternalId: (type, externalId) => store.integrations.byExternalId(type, externalId),
      ofUserByExternalId: (userId, type, externalId) => store.integrations.ofUserByExternalId(userId, type, externalId),
      defaultOf: (userId, type) => store.integrations.defaultOf(userId, type),
      exists: async (userId, type) => (await store.integrations.exists(userId, type)) !== undefined,
      listByType: (type) => store.integrations.listByType(type),
      secrets: (id) => store.integrations.secrets(id),
      setSecrets: (id, secrets) => store.integrations.setSecrets(id, secrets),
      async setStatus(id, status, reason) {
        // The change and its `integration.unhealthy` firings commit together: a crash loses neither.
        const fired = await store.transaction(async (tx) => {
          const before = await tx.integrations.byId(id);
          await tx.integrations.setStatus(id, status, reason);
          return before && status === 'unhealthy' && before.status !== 'unhealthy' ? hooks.statusChanged(tx, before, reason) : 0;
        });
        if (fired) hooks.wake();
      },
      async create({ grantToDefaultProfile, ...input }) {
        return store.transaction(async (tx) => {
          const integration = await tx.integrations.create({ ...input, isDefault: true, singleRow: !multiRow(input.type) });
          if (!grantToDefaultProfile) return integration;
          const profile = (await tx.profiles.find(input.userId, 'default')) ?? (await tx.profiles.list(input.userId))[0];
          if (!profile) return integration;
          await tx.grants.grant(profile.id, integration.id);
          return { ...integration, grantedTo: profile.name };
        });
      },
      async updateConfig(id, patch) {
        const row = await store.integrations.byId(id);
        if (row) await store.integrations.update(row.userId, id, { config: patch });
      },
      listForUser: (userId, type) => store.integrations.list(userId, type),
    },
    state: {
      get: (integrationId, key) => store.state.get(integrationId, key),
      set: (integrationId, key, value) => store.state.set(integrationId, key, value),
      bump: (integrationId, key) => store.state.bump(integrationId, key),
      moveKeys: (integrationId, fromPrefix, toPrefix) => store.transaction((tx) => tx.state.moveKeys(integrationId, fromPrefix, toPrefix)),
    },
    events: { emit: (event) => hooks.emit(event) },
    triggers: {
      async pollSchedule(type) {
        const rows = await store.triggers.pollSchedule(virtualEventsOf(type), type, DEFAULT_POLL_INTERVAL);
        return rows.map((r) => ({ integrationId: r.integrationId, intervalMs: r.intervalMinutes * 60_000, activeSince: r.activeSince }));
      },
    },
    users: {
      byId: (id) => store.users.byId(id),
    },
    conversations: {
      async known(channel, integrationId, key) {
        if (await store.threads.byKey(`${channel}|${integrationId}|${key}`)) return true;
        return (await store.claims.find(integrationId, [key])) !== undefined;
      },
      rekey: (channel, integrationId, oldKeyPrefix, newKeyPrefix) =>
        store.transaction(async (tx) => ({
          threads: await tx.threads.rekey(channel, integrationId, oldKeyPrefix, newKeyPrefix),
          claims: await tx.claims.rekey(integrationId, oldKeyPrefix, newKeyPrefix),
        })),
    },
    linkCodes: {
      draft: (input) => draftLinkCode(input),
      issue: (input) => store.linkCodes.issue(input),
      consume: (purpose, code) => store.linkCodes.consume(purpose, code),
    },
    links: {
      find: (channel, integrationId, externalUserId) => store.links.find(channel, integrationId, externalUserId),
      link: (input) => store.links.link(input),
      unlink: (channel, integrationId, externalUserId) => store.links.unlink(channel, integrationId, externalUserId),
      ofUser: (userId, integrationId) => store.links.ofUser(userId, integrationId),
    },
    leases: {
      acquire: (name, ttlMs) => store.leases.acquire(name, replicaId, ttlMs),
      release: (name) => store.leases.release(name, replicaId),
    },
    rates: store.dialect === 'postgres' ? store.rateLimits : new MemoryRateLimiter(),
  };
}
