import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

/** What the person in chat is told when the agent cannot be reached, whatever the reason. */
const APOLOGY = 'Sorry, the agent could not be reached. Please try again later.';

/** A local port with nothing listening on it: connections get ECONNREFUSED. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('agent errors in chat', () => {
  let t: TestHub;
  let owner: string;
  let stranger: string;
  const secret = newWebhookSecret();
  beforeAll(async () => {
    t = await startTestHub({ bus: { retryBaseMs: 5 } });
    owner = (await t.api('POST', '/v1/users', { email: 'owner@example.com' })).body.api_key;
    stranger = (await t.api('POST', '/v1/users', { email: 'stranger@example.com' })).body.api_key;
  });
  afterAll(() => t.close());

  const ownerId = async () => (await t.api('GET', '/v1/me', undefined, owner)).body.user.id as string;
  const errorsOf = async (key: string, thread?: string) =>
    (await t.api('GET', `/v1/messages?type=error${thread ? `&thread=${thread}` : ''}`, undefined, key)).body.messages.map((m: { text: string }) => m.text) as string[];

  it('a refused agent URL: the person gets a short apology, the owner the reason', async () => {
    // A URL stored before the guard existed; the guard refuses it when the turn runs.
    const { profile } = await t.hub.store.profiles.create(await ownerId(), 'legacy', { kind: 'http', url: 'http://127.0.0.1:9/agent', secret });
    const chat = await t.api('POST', `/v1/profiles/${profile.id}/chat`, { text: 'hello?' }, owner);
    expect(chat.status).toBe(200);
    expect(chat.body.reply).toBe(APOLOGY);
    const errors = await errorsOf(owner, chat.body.thread.id);
    expect(errors.some((e) => e.includes('agent URL refused') && e.includes('127.0.0.1'))).toBe(true);
    expect((await errorsOf(stranger)).some((e) => e.includes('127.0.0.1'))).toBe(false);
  });

  it('an unreachable agent: the person gets the same apology, not ECONNREFUSED', async () => {
    const port = await closedPort();
    const withExemption = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { retryBaseMs: 5 } });
    try {
      const me = (await withExemption.api('GET', '/v1/me')).body.user.id;
      const { profile: p } = await withExemption.hub.store.profiles.create(me, 'gone', { kind: 'http', url: `http://127.0.0.1:${port}/agent`, secret });
      const chat = await withExemption.api('POST', `/v1/profiles/${p.id}/chat`, { text: 'anyone?' });
      expect(chat.body.reply).toBe(APOLOGY);
      const errors = (await withExemption.api('GET', `/v1/messages?type=error&thread=${chat.body.thread.id}`)).body.messages.map((m: { text: string }) => m.text);
      expect(errors.some((e: string) => e.includes('ECONNREFUSED'))).toBe(true);
    } finally {
      await withExemption.close();
    }
  });
});
