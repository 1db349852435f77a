import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSlackAdapter, type SlackAdapterOptions } from '../../adapters/slack/index.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

/** The signing secret every Slack test hub uses. */
export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

/** A hub wired to a fake Slack, with a user who owns a profile. */
export interface SlackHub {
  t: TestHub;
  fake: FakeSlack;
  close(): Promise<void>;
}

/** Starts a fake Slack and a hub pointed at it (SLACK_* env), with fast pacing unless told. */
export async function startSlackHub(o: { dialect?: 'sqlite' | 'postgres'; adapter?: SlackAdapterOptions; env?: Record<string, string> } = {}): Promise<SlackHub> {
  const fake = await new FakeSlack().start();
  const t = await startTestHub({
    dialect: o.dialect,
    env: { SLACK_CLIENT_ID: fake.clientId, SLACK_CLIENT_SECRET: fake.clientSecret, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...o.env },
    extraAdapters: { slack: (deps) => createSlackAdapter(deps, { paceMs: 20, ...o.adapter }) },
  });
  return { t, fake, close: async () => (await t.close(), await fake.close()) };
}

/** A new hub user; returns their API key and id. */
export async function newUser(t: TestHub, email: string): Promise<{ key: string; id: string }> {
  const r = await t.api('POST', '/v1/users', { email });
  return { key: r.body.api_key, id: r.body.user.id };
}

/**
 * Plays "Add to Slack" end to end: asks the hub for the install URL, lets the fake's authorize
 * page approve it, and follows the redirect to the hub's callback. Returns the page.
 */
export async function installViaOAuth(h: SlackHub, userKey: string): Promise<{ status: number; html: string; state: string }> {
  const started = await h.t.api('GET', '/v1/integrations/slack/install', undefined, userKey);
  if (started.status !== 200) throw new Error(`install answered ${started.status}: ${JSON.stringify(started.body)}`);
  const approve = await fetch(started.body.url, { redirect: 'manual' });
  const location = new URL(approve.headers.get('location')!);
  return callback(h, location.search, location.searchParams.get('state')!);
}

/** GETs the hub's OAuth callback with a query string. */
export async function callback(h: SlackHub, search: string, state = ''): Promise<{ status: number; html: string; state: string }> {
  const res = await fetch(`${h.t.url}/api/slack/callback${search}`);
  return { status: res.status, html: await res.text(), state };
}

/** Signs a body the way Slack does (v0 HMAC-SHA256). */
export function sign(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** POSTs a signed Events API body to the hub; `timestamp` in seconds (default now). */
export async function postEvent(t: TestHub, payload: unknown, o: { timestamp?: number; secret?: string; headers?: Record<string, string>; signature?: string } = {}): Promise<Response> {
  const body = JSON.stringify(payload);
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(`${t.url}/api/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': o.signature ?? sign(body, ts, o.secret), ...o.headers },
    body,
  });
}

/** A fixture from `adapters/slack/fixtures`, with its `event` fields overridden. */
export function fixture(name: string, event: Record<string, unknown> = {}, top: Record<string, unknown> = {}): any {
  const f = JSON.parse(readFileSync(new URL(`../../adapters/slack/fixtures/${name}.json`, import.meta.url), 'utf8'));
  return { ...f, ...top, event: { ...f.event, ...event } };
}

let seq = 0;
/** A fresh Slack ts (unique per call). */
export const nextTs = () => `${1_800_000_000 + ++seq}.${String(seq).padStart(6, '0')}`;

/** Installs for a fresh user, creates a profile and grants it the integration. */
export async function installAndGrant(h: SlackHub, email: string): Promise<{ user: { key: string; id: string }; integration: any; profile: any; token: string }> {
  const user = await newUser(h.t, email);
  const page = await installViaOAuth(h, user.key);
  if (page.status !== 200) throw new Error(`install failed: ${page.html}`);
  const integration = (await h.t.api('GET', '/v1/integrations', undefined, user.key)).body.integrations.find((i: any) => i.type === 'slack');
  const created = await h.t.api('POST', '/v1/profiles', { name: 'slacker' }, user.key);
  await h.t.api('PUT', `/v1/profiles/${created.body.profile.id}/grants/${integration.id}`, undefined, user.key);
  return { user, integration, profile: created.body.profile, token: created.body.token };
}
