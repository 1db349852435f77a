import {
  BadRequestError,
  integrationView as view,
  UnavailableError,
  UnprocessableError,
  type AdapterServices,
  type TypeAction,
} from '../../src/channel/index.ts';
import { z } from 'zod';
import { TellerError, type TellerClient } from './client.ts';
import { tellerConfig } from './config.ts';
import { DASHBOARD_DATA_SOURCES } from './page.ts';
import { ConnectCallback, TellerAccount } from './schema.ts';

/** What a Teller row keeps readable in its config (never the token). */
export interface TellerRowConfig {
  enrollment_id: string;
  institution: string;
  /** Teller's id of the user who enrolled, when Connect gave it. */
  teller_user_id?: string;
}

/** The sealed part of a Teller row. */
export interface TellerSecrets {
  access_token: string;
}

const Accounts = z.array(TellerAccount);


/**
 * `GET /v1/integrations/teller/connect`: what a page needs to open Teller Connect (application id,
 * environment, Teller's script, where to post the result; `page`: the dashboard's Data sources,
 * which does all that). 503 `teller_not_configured` without TELLER_APPLICATION_ID.
 */
export function connectInfo(services: AdapterServices): TypeAction {
  return {
    method: 'get',
    async handle() {
      const s = tellerConfig.of(services);
      if (!s.applicationId) throw new UnavailableError('Teller is not configured on this hub: set TELLER_APPLICATION_ID (and TELLER_CERT, TELLER_KEY)', 'teller_not_configured');
      return {
        body: {
          application_id: s.applicationId,
          environment: s.environment,
          connect_js: s.connectUrl,
          callback: '/v1/integrations/teller/callback',
          page: `${services.config.publicUrl}${DASHBOARD_DATA_SOURCES}`,
        },
      };
    },
  };
}

/**
 * `POST /v1/integrations/teller/callback` with what Teller Connect's `onSuccess` gave. The token is
 * checked with `GET /accounts` (mutual TLS); a token Teller refuses answers 422 and stores nothing,
 * an unreachable Teller 503. A new enrollment becomes a row (201); the same enrollment connected
 * again (after a disconnect) gets the fresh token and turns healthy (200).
 */
export function connectCallback(services: AdapterServices, client: () => TellerClient): TypeAction {
  return {
    method: 'post',
    async handle(caller, body) {
      const parsed = ConnectCallback.safeParse(body);
      if (!parsed.success) {
        throw new BadRequestError(`expected Teller Connect's enrollment: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ')}`, 'invalid_request');
      }
      const { access_token: token, enrollment, user } = parsed.data;
      let accounts: TellerAccount[];
      try {
        accounts = await client().get(token, '/accounts', Accounts);
      } catch (e) {
        if (!(e instanceof TellerError)) throw e;
        if (e.kind === 'unreachable') throw new UnavailableError(`${e.message}; nothing was stored, try again`, 'teller_unavailable');
        if (e.kind === 'disconnected') throw new UnprocessableError(`Teller refused the access token; nothing was stored (${e.message})`, 'teller_token_refused');
        throw new UnprocessableError(`Teller refused the check of the token; nothing was stored (${e.message})`, 'teller_refused');
      }
      if (accounts.some((a) => a.enrollment_id !== enrollment.id)) {
        throw new UnprocessableError('the access token belongs to another enrollment than the one posted; nothing was stored', 'teller_enrollment_mismatch');
      }
      const config: TellerRowConfig = { enrollment_id: enrollment.id, institution: enrollment.institution.name, ...(user ? { teller_user_id: user.id } : {}) };
      const secrets: TellerSecrets = { access_token: token };
      const existing = (await services.integrations.listForUser(caller.userId, 'teller')).find((i) => i.externalId === enrollment.id);
      if (existing) {
        await services.integrations.setSecrets(existing.id, secrets as unknown as Record<string, unknown>);
        await services.integrations.updateConfig(existing.id, config as unknown as Record<string, unknown>);
        await services.integrations.setStatus(existing.id, 'active', null);
        return { status: 200, body: { integration: view((await services.integrations.byId(existing.id))!), accounts: accounts.length } };
      }
      const created = await services.integrations.create({
        userId: caller.userId,
        type: 'teller',
        name: enrollment.institution.name,
        externalId: enrollment.id,
        config: config as unknown as Record<string, unknown>,
        secrets: secrets as unknown as Record<string, unknown>,
      });
      return { status: 201, body: { integration: view(created), accounts: accounts.length } };
    },
  };
}
