import { z } from 'zod';
import { BadRequestError, type IntegrationInfo } from '../../src/channel/index.ts';
import { FREE_BOT_RATE, MAX_BROADCAST_RATE } from './pacing.ts';
import type { DmPolicy } from './types.ts';

const POLICIES: DmPolicy[] = ['owner', 'allowlist', 'open'];

/** `broadcast_rate`: the bot's per-bot send rate in msgs/s with Telegram's paid broadcasts, or null for the free 30/s. */
const BroadcastRate = z.union([z.null(), z.number().int().min(FREE_BOT_RATE).max(MAX_BROADCAST_RATE)]);

/**
 * Checks `PATCH /v1/integrations/:id` settings of a Telegram bot: `dm_policy` (`owner` default,
 * `allowlist`, `open`), `allow_from` (Telegram user ids) and `broadcast_rate` (msgs/s, 30–1000, or null
 * for the free 30/s: above 30 the bot sends with Telegram's paid broadcasts, `allow_paid_broadcast`,
 * which costs Telegram Stars per message). Returns the config patch.
 */
export function validateSettings(settings: Record<string, unknown>, integration: IntegrationInfo): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'dm_policy') {
      if (!POLICIES.includes(v as DmPolicy)) throw new BadRequestError(`dm_policy must be one of ${POLICIES.join(', ')}`, 'invalid_request');
      patch.dm_policy = v;
    } else if (k === 'allow_from') {
      const ids = Array.isArray(v) ? v.map((x) => (typeof x === 'string' && /^-?\d+$/.test(x) ? Number(x) : x)) : undefined;
      if (!ids || !ids.every((x) => Number.isSafeInteger(x))) throw new BadRequestError('allow_from must be a list of Telegram user ids (numbers)', 'invalid_request');
      patch.allow_from = ids;
    } else if (k === 'broadcast_rate') {
      if (integration.config.shared) throw new BadRequestError('broadcast_rate is a setting of your own bot; the shared bot\'s rate is the operator\'s', 'invalid_request');
      if (!BroadcastRate.safeParse(v).success) {
        throw new BadRequestError(`broadcast_rate must be a whole number of messages per second from ${FREE_BOT_RATE} to ${MAX_BROADCAST_RATE}, or null for the free rate`, 'invalid_request');
      }
      patch.broadcast_rate = v;
    } else {
      throw new BadRequestError(`unknown field: ${k} (Telegram bots accept dm_policy, allow_from and broadcast_rate)`, 'invalid_request');
    }
  }
  const policy = (patch.dm_policy ?? integration.config.dm_policy) as DmPolicy | undefined;
  const allow = (patch.allow_from ?? integration.config.allow_from) as number[] | undefined;
  if (policy === 'allowlist' && !(allow && allow.length)) throw new BadRequestError('dm_policy allowlist needs allow_from (Telegram user ids)', 'invalid_request');
  return patch;
}
