import { llmAgentView } from '../llm/settings.ts';
import { iso, parseJson } from '../store/json.ts';
import type { DeliveryRow } from '../store/outbox.ts';
import type { ProfileRow } from '../store/profiles.ts';
import type { ThreadRow } from '../store/threads.ts';
import type { UserRow } from '../store/users.ts';

/** JSON of a user. */
export const userView = (u: UserRow) => ({ id: u.id, email: u.email, name: u.name, is_admin: Number(u.is_admin) === 1, created_at: iso(u.created_at) });

/** JSON of a profile: never its token or secret. */
export const profileView = (p: ProfileRow, grants?: string[]) => ({
  id: p.id,
  name: p.name,
  agent:
    p.agent_kind === 'http'
      ? { kind: 'http', url: p.agent_url, has_secret: p.agent_secret !== null, delivery: p.agent_delivery }
      : p.agent_kind === 'llm'
        ? llmAgentView(p)
        : { kind: p.agent_kind },
  ...(grants ? { grants } : {}),
  created_at: iso(p.created_at),
  updated_at: iso(p.updated_at),
});

/** JSON of an integration: settings but never a secret. */
export { integrationView } from '../channel/index.ts';

/** JSON of a thread. */
export const threadView = (t: ThreadRow) => ({
  id: t.id,
  channel: t.channel,
  profile_id: t.profile_id,
  integration_id: t.integration_id,
  key: t.external_key,
  created_at: iso(t.created_at),
  last_message_at: iso(t.last_message_at),
});

/** JSON of a delivery. */
export const deliveryView = (d: DeliveryRow) => ({
  id: d.id,
  channel: d.channel,
  integration_id: d.integration_id,
  notification_id: d.notification_id,
  thread_id: d.thread_id,
  status: d.status,
  attempts: d.attempts,
  max_attempts: d.max_attempts,
  next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null,
  last_error: d.last_error,
  result: parseJson(d.result, null),
  created_at: iso(d.created_at),
  sent_at: iso(d.sent_at),
});
