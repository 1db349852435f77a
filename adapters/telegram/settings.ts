import { BadRequestError, type IntegrationInfo } from '../../src/channel/index.ts';
import type { DmPolicy } from './types.ts';

const POLICIES: DmPolicy[] = ['owner', 'allowlist', 'open'];

/**
 * Checks `PATCH /v1/integrations/:id` settings of a Telegram bot: `dm_policy` (`owner` default,
 * `allowlist`, `open`) and `allow_from` (Telegram user ids). Returns the config patch.
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
    } else {
      throw new BadRequestError(`unknown field: ${k} (Telegram bots accept dm_policy and allow_from)`, 'invalid_request');
    }
  }
  const policy = (patch.dm_policy ?? integration.config.dm_policy) as DmPolicy | undefined;
  const allow = (patch.allow_from ?? integration.config.allow_from) as number[] | undefined;
  if (policy === 'allowlist' && !(allow && allow.length)) throw new BadRequestError('dm_policy allowlist needs allow_from (Telegram user ids)', 'invalid_request');
  return patch;
}
