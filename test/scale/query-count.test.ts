import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { startFakeResend, type FakeResend } from '../fakes/resend-api.ts';
import { DIALECTS } from '../helpers/db.ts';
import { startWebhookReceiver } from '../fakes/webhook-receiver.ts';
import { dm, newBot, SHARED_BOT } from '../telegram/env.ts';
import { startQuietHub, statementCounter, type QuietHub } from './quiet-hub.ts';

/** Rows the busy user has before the counted calls: the counts must not depend on them. */
const SEEDED = 200;

interface Tenant {
  id: string;
  key: string;
  token: string;
  profileId: string;
}

describe.each(DIALECTS)('statements per request do not grow with a user\'s integrations (%s)', (dialect) => {
  let fake: FakeTelegram;
  let resend: FakeResend;
  let rx: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let h: QuietHub;
  let counter: ReturnType<typeof statementCounter>;
  let fresh: Tenant;
  let busy: Tenant;

  async function tenant(email: string): Promise<Tenant> {
    const created = await h.api('POST', '/v1/users', { email });
    const key = created.body.api_key as string;
    // The first call records the key's last use; later ones (within a minute) do not.
    const profile = await h.api('POST', '/v1/profiles', { name: 'scale' }, key);
    return { id: created.body.user.id, key, token: profile.body.token, profileId: profile.body.profile.id };
  }

  beforeAll(async () => {
    fake = await new FakeTelegram().start();
    fake.addBot(SHARED_BOT);
    resend = await startFakeResend();
    rx = await startWebhookReceiver();
    h = await startQuietHub(dialect, {
      TELEGRAM_API_ROOT: fake.url,
      PUBLIC_URL: 'http://127.0.0.1:9',
      TELEGRAM_SHARED_BOT_TOKEN: SHARED_BOT.token,
      RESEND_BASE_URL: resend.url,
      SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1',
    });
    fresh = await tenant('fresh@example.com');
    busy = await tenant('busy@example.com');
    await h.hub.store.transaction(async (tx) => {
      for (let i = 0; i < SEEDED; i++) {
        await tx.integrations.create({
          userId: busy.id,
          type: 'telegram',
          name: `@seeded${i}_bot`,
          externalId: String(8_100_000_000 + i),
          isDefault: true,
          config: { bot: { id: 8_100_000_000 + i, username: `seeded${i}_bot` }, mode: 'webhook', dm_policy: 'owner' },
          secrets: { token: `${8_100_000_000 + i}:AAHseededseededseeded${i}`, webhook_secret: `s${i}` },
        });
      }
    });
    counter = statementCounter(h.hub.db.kysely);
  }, 60_000);

  afterAll(async () => {
    counter?.restore();
    await h?.close();
    await fake?.close();
    await resend?.close();
    await rx?.close();
  });

  /** The statements one call of `fn` issues, for the fresh user and for the busy one. */
  async function countBoth(fn: (t: Tenant) => Promise<{ status: number; body: any }>, status: number): Promise<[string[], string[]]> {
    const out: string[][] = [];
    for (const t of [fresh, busy]) {
      // Counted cold: the read cache would hide reads that one tenant made earlier and the other did not.
      h.hub.db.cache.invalidateAll();
      const { result, sql } = await counter.during(() => fn(t));
      expect(result.status, JSON.stringify(result.body)).toBe(status);
      out.push(sql);
    }
    return out as [string[], string[]];
  }

  it('connecting the 1st Telegram bot and the 201st issue the same statements', async () => {
    const [first, later] = await countBoth((t) => h.api('POST', '/v1/integrations', { type: 'telegram', token: newBot(fake).token }, t.key), 201);
    expect(later.length).toBe(first.length);
    expect(later).toEqual(first);
    // Sanity: the busy user now has the seeded rows and one more, and still one default.
    const rows = await h.hub.store.integrations.list(busy.id, 'telegram');
    expect(rows).toHaveLength(SEEDED + 1);
    expect(rows.filter((r) => r.isDefault)).toHaveLength(1);
  });

  it('the single-row email and webhook connects issue the same statements with 0 or 201 other rows', async () => {
    const [emailA, emailB] = await countBoth((t) => h.api('POST', '/v1/integrations', { type: 'email', api_key: 're_test_good', from: 'Hub <hub@example.com>' }, t.key), 201);
    expect(emailB).toEqual(emailA);
    const [hookA, hookB] = await countBoth((t) => h.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url }, t.key), 201);
    expect(hookB).toEqual(hookA);
    // A second one is still refused, by the same indexed probe.
    const [againA, againB] = await countBoth((t) => h.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url }, t.key), 409);
    expect(againB).toEqual(againA);
  });

  it('a notify to a bare `telegram` issues the same statements with 1 or 201 bots', async () => {
    for (const t of [fresh, busy]) {
      const bot = await h.hub.store.integrations.defaultOf(t.id, 'telegram');
      await h.hub.store.grants.grant(t.profileId, bot!.id);
      await h.hub.store.links.link({ userId: t.id, channel: 'telegram', integrationId: bot!.id, externalUserId: '4242', externalChatId: '4242' });
      // Warm-up: the profile token's first use.
      expect((await h.api('POST', '/v1/notify', { channel: 'telegram', message: 'warm-up' }, t.token)).status).toBe(202);
    }
    const [a, b] = await countBoth((t) => h.api('POST', '/v1/notify', { channel: 'telegram', message: 'hello' }, t.token), 202);
    expect(b).toEqual(a);
  });

  it('pairing a chat with the shared bot, and each later message, issue the same statements with 1 or 201 bots', async () => {
    const telegram = h.hub.bus.adapters.get('telegram')!;
    let chat = 5_000_000;
    let event = 1;
    const pairAndTalk = async (t: Tenant) => {
      const pair = await h.api('POST', '/v1/integrations/telegram/pair', {}, t.key);
      expect(pair.status).toBe(201);
      const code = new URL(pair.body.deep_link).searchParams.get('start')!;
      const from = ++chat;
      const paired = await counter.during(() => telegram.interpret!({ id: event, channel: 'telegram', source: 'shared', externalEventId: String(event++), payload: dm(from, `/start ${code}`) }));
      expect(paired.result).toMatchObject({ kind: 'handled' });
      const talk = await counter.during(() => telegram.interpret!({ id: event, channel: 'telegram', source: 'shared', externalEventId: String(event++), payload: dm(from, 'hello agent') }));
      expect(talk.result).toMatchObject({ kind: 'message', userId: t.id });
      return [paired.sql, talk.sql];
    };
    // The shared bot's getMe happens once per process: before the counted calls.
    await h.hub.bus.adapters.get('telegram')!.interpret!({ id: 0, channel: 'telegram', source: 'shared', externalEventId: '0', payload: dm(1, '/help') });
    const [pairA, talkA] = await pairAndTalk(fresh);
    const [pairB, talkB] = await pairAndTalk(busy);
    expect(pairB).toEqual(pairA);
    expect(talkB).toEqual(talkA);
  });
});
