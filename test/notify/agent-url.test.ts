import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe('http agents behind the URL guard', () => {
  let agent: http.Server;
  let agentUrl: string;
  let hits = 0;
  let lastVerified = false;
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

  beforeAll(async () => {
    agent = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hits++;
        const body = Buffer.concat(chunks).toString('utf8');
        lastVerified = !!new Webhook(secret).verify(body, req.headers as Record<string, string>);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reply: { text: `pong: ${JSON.parse(body).message.text}` } }));
      });
    });
    await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
    agentUrl = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/agent`;
  });
  afterAll(() => new Promise<void>((r) => agent.close(() => r())));

  describe('with 127.0.0.1 allowed', () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    });
    afterAll(() => t.close());

    it('reaches the agent through the guarded client, signed', async () => {
      const p = await t.api('POST', '/v1/profiles', { name: 'remote', agent: { kind: 'http', url: agentUrl, secret } });
      expect(p.status).toBe(201);
      const chat = await t.api('POST', `/v1/profiles/${p.body.profile.id}/chat`, { text: 'ping' });
      expect(chat.body.reply).toBe('pong: ping');
      expect(lastVerified).toBe(true);
    });
  });

  describe('without an exemption', () => {
    let t: TestHub;
    beforeAll(async () => {
      t = await startTestHub();
    });
    afterAll(() => t.close());

    it('refuses the profile (422), and refuses at call time a URL that slipped in before', async () => {
      const refused = await t.api('POST', '/v1/profiles', { name: 'remote', agent: { kind: 'http', url: agentUrl, secret } });
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toContain('loopback');
      const me = (await t.api('GET', '/v1/me')).body.user.id;
      const { profile } = await t.hub.store.profiles.create(me, 'legacy', { kind: 'http', url: agentUrl, secret });
      const before = hits;
      const chat = await t.api('POST', `/v1/profiles/${profile.id}/chat`, { text: 'ping' });
      expect(chat.body.reply).toBe('Sorry, the agent could not be reached. Please try again later.');
      const errors = (await t.api('GET', `/v1/messages?type=error&thread=${chat.body.thread.id}`)).body.messages.map((m: { text: string }) => m.text);
      expect(errors.some((e: string) => e.includes('agent URL refused'))).toBe(true);
      expect(hits).toBe(before);
    });
  });
});
