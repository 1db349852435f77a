import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { connectBot, dm, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from '../telegram/env.ts';

/** The fast lane inside a running hub: Telegram's webhook through it, everything else through express. */
describe.each(DIALECTS)('webhooks of a hub on %s', (dialect) => {
  let env: TgEnv;
  let bot: Awaited<ReturnType<typeof connectBot>>;
  let token: string;

  beforeAll(async () => {
    env = await startTgEnv({ dialect });
    const owner = await newUser(env.t, `lane-${dialect}@example.com`);
    const fake = newBot(env.fake);
    token = fake.token;
    bot = await connectBot(env, owner.key, fake, owner.profileId);
  });
  afterAll(async () => {
    await env?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${env.t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('takes an update to a reply, with a request id on the answer', async () => {
    const r = await post(`/api/telegram/${bot.id}/webhook`, JSON.stringify(dm(4242, `/link ${bot.code}`)), { 'x-telegram-bot-api-secret-token': bot.secret, 'x-request-id': 'tg-lane-1' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-request-id')).toBe('tg-lane-1');
    expect((await r.json()).ok).toBe(true);
    expect((await waitSent(env, token, 4242, 1)).length).toBeGreaterThanOrEqual(1);
  });

  it('answers the adapter: 400 malformed JSON, 401 wrong secret, 404 unknown bot', async () => {
    const malformed = await post(`/api/telegram/${bot.id}/webhook`, '{"update_id":', { 'x-telegram-bot-api-secret-token': bot.secret });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('malformed_json');
    expect((await postUpdate(env, bot.id, 'wrong-secret', dm(4242, 'hi'))).status).toBe(401);
    const unknown = await postUpdate(env, '00000000-0000-4000-8000-000000000000', bot.secret, dm(4242, 'hi'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });

  it('answers 413 for an update above 256 KiB', async () => {
    const r = await post(`/api/telegram/${bot.id}/webhook`, JSON.stringify({ update_id: 1, pad: 'x'.repeat(300 * 1024) }), { 'x-telegram-bot-api-secret-token': bot.secret });
    expect(r.status).toBe(413);
    expect((await r.json()).error.code).toBe('payload_too_large');
  });

  it('leaves an unknown /api path and a GET on a POST webhook to express: 404 route_not_found JSON', async () => {
    const unknown = await post('/api/nothing/here', '{}');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await unknown.json()).toEqual({ error: { code: 'route_not_found', message: 'No route for POST /api/nothing/here' } });
    const get = await fetch(`${env.t.url}/api/telegram/${bot.id}/webhook`);
    expect(get.status).toBe(404);
    expect((await get.json()).error.code).toBe('route_not_found');
  });

  it('counts webhook answers in /metrics under the telegram channel', async () => {
    const text = await (await fetch(`${env.t.url}/metrics`)).text();
    expect(text).toMatch(/switchboard_inbound_request_duration_seconds_count\{channel="telegram",status="400"\} [1-9]/);
    expect(text).toMatch(/switchboard_inbound_request_duration_seconds_count\{channel="other",status="404"\} [1-9]/);
  });
});
