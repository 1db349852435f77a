import { createHmac } from 'node:crypto';
import { signedHeaders } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { startTestHub, type TestHub, type TestHubOptions } from '../helpers/hub.ts';

/** A hub whose URL guard lets 127.0.0.1 through, a webhook receiver, and a user with an HTTP-agent profile. */
export interface TriggerEnv {
  t: TestHub;
  rx: WebhookReceiver;
  agent: FakeAgent;
  key: string;
  userId: string;
  profileId: string;
  /** The user's webhook integration (granted to the profile), where trigger answers are sent. */
  webhookId: string;
  close(): Promise<void>;
}

const AGENT_SECRET = 'whsec_dHJpZ2dlci1hZ2VudC1zZWNyZXQtMTIzNDU2';

/** Starts the environment most trigger tests share. */
export async function startTriggerEnv(o: TestHubOptions = {}): Promise<TriggerEnv> {
  const rx = await startWebhookReceiver();
  const agent = await startFakeAgent(AGENT_SECRET);
  agent.answer = (c) => ({ status: 200, body: { reply: { text: `agent saw ${c.body.event?.type ?? c.body.type}` } } });
  const t = await startTestHub({ ...o, env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1', ...o.env }, bus: { retryScheduleScale: 0.0001, sendTimeoutMs: 1000, ...o.bus } });
  const user = (await t.api('POST', '/v1/users', { email: `trig-${Math.random().toString(36).slice(2)}@example.com` })).body;
  const key = user.api_key;
  const profile = (await t.api('POST', '/v1/profiles', { name: 'watcher', agent: { kind: 'http', url: agent.url, secret: AGENT_SECRET } }, key)).body.profile;
  const webhook = (await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url }, key)).body.integration;
  await t.api('PUT', `/v1/profiles/${profile.id}/grants/${webhook.id}`, undefined, key);
  return {
    t,
    rx,
    agent,
    key,
    userId: user.user.id,
    profileId: profile.id,
    webhookId: webhook.id,
    async close() {
      await t.close();
      await rx.close();
      await agent.close();
    },
  };
}

/** Headers that pass a hook's check of kind `verify` for `body` (a wrong secret makes them fail). */
export function hookHeaders(verify: string, secret: string, body: string, deliveryId: string): Record<string, string> {
  if (verify === 'standard') return signedHeaders(secret, deliveryId, body);
  if (verify === 'github') return { 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`, 'x-github-delivery': deliveryId, 'x-github-event': 'workflow_run' };
  return { authorization: `Bearer ${secret}`, 'idempotency-key': deliveryId };
}

/** POSTs to a hook URL. */
export async function callHook(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** How many rows the inbox and outbox hold (for "nothing stored"). */
export async function rowCounts(t: TestHub): Promise<{ inbox: number; outbox: number }> {
  const n = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  return { inbox: n(await t.hub.store.counts.all('inbox')), outbox: n(await t.hub.store.counts.all('outbox')) };
}
