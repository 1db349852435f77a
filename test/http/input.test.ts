import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

/** Sends a raw request; resolves with status and parsed JSON (or the text). */
async function send(t: TestHub, method: string, path: string, o: { body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(t.url + path, { method, headers: { authorization: `Bearer ${t.adminKey}`, ...o.headers }, body: o.body as BodyInit | undefined });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

describe('REST input at the edge', () => {
  let t: TestHub;
  let hookId: string;

  beforeAll(async () => {
    t = await startTestHub();
    const me = (await t.api('GET', '/v1/me')).body.user.id;
    hookId = (await t.hub.store.integrations.create({ userId: me, type: 'webhook', name: 'hook' })).id;
  });
  afterAll(() => t.close());

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'])(
    'answers 404 for the action name %s (own actions only)',
    async (action) => {
      const res = await t.api('POST', `/v1/integrations/${hookId}/${action}`, {});
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    },
  );

  it('answers 404 for an unknown type action such as /v1/integrations/telegram/constructor', async () => {
    const res = await t.api('POST', '/v1/integrations/telegram/constructor', {});
    expect(res.status).toBe(404);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'name=formed'],
    ['text/plain', '{"name":"texted"}'],
    ['application/json; charset=utf-16', '{"name":"sixteen"}'],
    ['application/json; charset=latin1', '{"name":"latin"}'],
    ['multipart/form-data; boundary=x', '--x\r\ncontent-disposition: form-data; name="name"\r\n\r\nmulti\r\n--x--\r\n'],
  ])('answers 415 for a body sent as %s, and stores nothing', async (type, body) => {
    const res = await send(t, 'POST', '/v1/profiles', { body, headers: { 'content-type': type } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(res.body.error.message).toMatch(/application\/json/);
    const names = (await t.api('GET', '/v1/profiles')).body.profiles.map((p: any) => p.name);
    expect(names).toEqual(['default']);
  });

  it('answers 415 for a body without a content type', async () => {
    const res = await send(t, 'POST', '/v1/profiles', { body: Buffer.from('{"name":"untyped"}') });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('accepts application/json with or without charset=utf-8, and body-less calls', async () => {
    const a = await send(t, 'POST', '/v1/profiles', { body: '{"name":"plain-json"}', headers: { 'content-type': 'application/json' } });
    expect(a.status).toBe(201);
    const b = await send(t, 'POST', '/v1/profiles', { body: '{"name":"utf8-json"}', headers: { 'content-type': 'Application/JSON; charset=UTF-8' } });
    expect(b.status).toBe(201);
    expect((await send(t, 'GET', '/v1/profiles')).status).toBe(200);
    const emptyPost = await send(t, 'POST', `/v1/integrations/${hookId}/nothing`, { body: '' }); // fetch sends Content-Length: 0 (and text/plain)
    expect(emptyPost.status).toBe(404);
    expect((await send(t, 'DELETE', `/v1/profiles/${a.body.profile.id}`)).status).toBe(204);
  });

  it('keeps malformed JSON a 400 and an oversized body a 413', async () => {
    const bad = await send(t, 'POST', '/v1/profiles', { body: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('malformed_json');
    const big = await send(t, 'POST', '/v1/profiles', { body: JSON.stringify({ name: 'x'.repeat(1_100_000) }), headers: { 'content-type': 'application/json' } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
  });

  it('answers 401 before reading the body of an unauthenticated request', async () => {
    // Announce a 1 MB body but send only 100 bytes: an answer can only come if auth runs first.
    const url = new URL(t.url);
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/v1/profiles', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(1_000_000) } });
      const timer = setTimeout(() => (req.destroy(), reject(new Error('no answer before the body was complete'))), 5000);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => (clearTimeout(timer), req.destroy(), resolve({ status: res.statusCode!, text })));
      });
      req.on('error', (e) => (clearTimeout(timer), reject(e)));
      req.write('{"name":"' + 'x'.repeat(91));
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.text).error.code).toBe('unauthorized');
  });
});
