import type { AdapterServices, InboxEvent, Logger } from '../channel/index.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/index.ts';

/** Lends adapters the narrow slice of the store they may use; inbox appends wake the worker. */
export function adapterServices(store: Store, config: Config, log: Logger, wakeInbox: () => void): AdapterServices {
  return {
    config,
    log,
    inbox: {
      async append(events: InboxEvent[]) {
        const results = await store.inbox.append(events);
        if (results.some((r) => !r.duplicate)) wakeInbox();
        return results;
      },
    },
    integrations: {
      byId: (id) => store.integrations.byId(id),
      byExternalId: (type, externalId) => store.integrations.byExternalId(type, externalId),
      listByType: (type) => store.integrations.listByType(type),
      secrets: (id) => store.integrations.secrets(id),
      setSecrets: (id, secrets) => store.integrations.setSecrets(id, secrets),
      setStatus: (id, status, reason) => store.integrations.setStatus(id, status, reason),
      async create(input) {
        const existing = await store.integrations.list(input.userId, input.type);
        return store.integrations.create({ ...input, isDefault: existing.length === 0 });
      },
      async updateConfig(id, patch) {
        const row = await store.integrations.byId(id);
        if (row) await store.integrations.update(row.userId, id, { config: patch });
      },
      listForUser: (userId, type) => store.integrations.list(userId, type),
    },
    users: {
      byId: (id) => store.users.byId(id),
    },
    linkCodes: {
      issue: (input) => store.linkCodes.issue(input),
      consume: (purpose, code) => store.linkCodes.consume(purpose, code),
    },
    links: {
      find: (channel, integrationId, externalUserId) => store.links.find(channel, integrationId, externalUserId),
      link: (input) => store.links.link(input),
      unlink: (channel, integrationId, externalUserId) => store.links.unlink(channel, integrationId, externalUserId),
      ofUser: (userId, integrationId) => store.links.ofUser(userId, integrationId),
    },
  };
}
