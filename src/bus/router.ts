import type { InboundMessage } from '../channel/index.ts';
import type { Store } from '../store/index.ts';
import type { ProfileRow } from '../store/profiles.ts';
import type { AgentTurn } from './runtimes/types.ts';

/** Where an inbound message goes, or why it goes nowhere. */
export type Route = { ok: true; profile: ProfileRow; claim?: AgentTurn['claim'] } | { ok: false; reason: string };

/**
 * Picks the profile that answers a message: the one the adapter named (console); else, for a reply
 * to a claimed notification, the profile that sent it; else the profile the message's integration is
 * granted to (the oldest grant owned by the integration's user).
 */
export async function routeMessage(store: Store, message: InboundMessage, userId: string, profileId?: string): Promise<Route> {
  if (profileId) {
    const profile = await store.profiles.get(userId, profileId);
    return profile ? { ok: true, profile } : { ok: false, reason: `profile ${profileId} does not exist` };
  }
  if (!message.integrationId) return { ok: false, reason: 'message has neither a profile nor an integration' };
  const claimed = message.claimKeys?.length ? await store.claims.find(message.integrationId, message.claimKeys) : undefined;
  if (claimed && claimed.userId === userId) {
    const profile = await store.profiles.byId(claimed.profileId);
    const n = await store.notifications.byId(claimed.notificationId);
    if (profile && n) return { ok: true, profile, claim: { notificationId: n.id, message: n.message, subject: n.subject } };
  }
  for (const id of await store.grants.profilesOf(message.integrationId)) {
    const profile = await store.profiles.byId(id);
    if (profile && profile.user_id === userId) return { ok: true, profile };
  }
  return { ok: false, reason: `integration ${message.integrationId} is not granted to any profile of its owner` };
}
