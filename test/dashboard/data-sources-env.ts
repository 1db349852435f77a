import { startFakeGoogle, type FakeGoogle } from '../fakes/google-api.ts';
import { startFakeTeller, type FakeEnrollment, type FakeTeller } from '../fakes/teller-api.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { checking, enrollment } from '../teller/data.ts';
import { makeTestPki, type TestPki } from '../teller/pki.ts';

/** Where the hub is told Teller Connect's script lives; browser tests answer it with a fake (page.route). */
export const FAKE_CONNECT_JS = 'https://cdn.teller.test/connect/connect.js';

/** A hub with Teller (mutual TLS to a fake Teller) and Gmail (a fake Google) configured, and a user. */
export interface DataSourcesEnv {
  t: TestHub;
  teller: FakeTeller;
  google: FakeGoogle;
  /** Teller accepts this enrollment's token. */
  chase: FakeEnrollment;
  /** A token Teller has never issued (it answers 403). */
  refusedToken: string;
  /** The user's API key (the dashboard signs in with it). */
  key: string;
  close(): Promise<void>;
}

/** Starts the fakes and the hub (`connectUrl`: TELLER_CONNECT_URL, default {@link FAKE_CONNECT_JS}). */
export async function startDataSourcesEnv(connectUrl = FAKE_CONNECT_JS): Promise<DataSourcesEnv> {
  const pki: TestPki = makeTestPki();
  const chase = enrollment('enr_dash_chase', 'test_token_dashboard_chase', 'Chase', [checking('acc_dash_chk', 3)]);
  const teller = await startFakeTeller({ cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert }, [chase]);
  const google = await startFakeGoogle();
  const t = await startTestHub({
    env: {
      ...google.env(),
      TELLER_API_URL: teller.url,
      TELLER_CERT: pki.clientCertPath,
      TELLER_KEY: pki.clientKeyPath,
      TELLER_CA_CERT: pki.caCert,
      TELLER_APPLICATION_ID: 'app_dash_123',
      TELLER_ENVIRONMENT: 'sandbox',
      TELLER_CONNECT_URL: connectUrl,
    },
  });
  const key = (await t.api('POST', '/v1/users', { email: `data-${Math.random().toString(36).slice(2)}@example.com` })).body.api_key;
  return {
    t,
    teller,
    google,
    chase,
    refusedToken: 'test_token_never_issued',
    key,
    async close() {
      await t.close();
      await teller.close();
      await google.close();
      pki.remove();
    },
  };
}

/** The user's rows of a type, through REST with their key. */
export async function rowsOf(env: DataSourcesEnv, type: string): Promise<any[]> {
  return (await env.t.api('GET', '/v1/integrations', undefined, env.key)).body.integrations.filter((i: any) => i.type === type);
}
