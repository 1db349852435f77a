import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { eventually } from '../helpers/hub.ts';
import { fixture as slackFixture, installAndGrant, postEvent, startSlackHub, type SlackHub } from '../slack/helpers.ts';
import { connectBot, dm, fixture, inboxOutcome, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from '../telegram/env.ts';
import { runCli } from '../cli/run.ts';

/** Creates a url trigger on an integration; returns its id and signing secret. */
async function urlTrigger(api: TgEnv['t']['api'], key: string, integrationId: string, event: string, url: string): Promise<{ id: string; secret: string }> {
  const r = await api('POST', '/v1/triggers', { integration_id: integrationId, event, mode: 'url', url }, key);
  if (r.status !== 201) throw new Error(`trigger create answered ${r.status}: ${JSON.stringify(r.body)}`);
  return { id: r.body.trigger.id, secret: r.body.secret };
}

/** The body a receiver got for one trigger, its signature checked. */
async function signedFor(rx: WebhookReceiver, trigger: { id: string; secret: string }, n = 1): Promise<any[]> {
  const got = (await eventually(() => {
    const mine = rx.received.filter((r) => r.json?.trigger_id === trigger.id);
    return mine.length >= n ? mine : undefined;
  }))!;
  return got.map((g) => new Webhook(trigger.secret).verify(g.body, g.headers as Record<string, string>));
}

describe('Telegram reactions and joins fire triggers', () => {
  let env: TgEnv;
  let rx: WebhookReceiver;
  let user: Awaited<ReturnType<typeof newUser>>;
  beforeAll(async () => {
    rx = await startWebhookReceiver();
    env = await startTgEnv({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    user = await newUser(env.t, 'tg-events@example.com');
  });
  afterAll(async () => {
    await env.close();
    await rx.close();
  });

  it('a message_reaction update fires reaction.added (signed, with emoji, message, chat and user) and makes no agent turn', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, user.key, bot, user.profileId);
    const trigger = await urlTrigger(env.t.api, user.key, c.id, 'reaction.added', rx.url);
    const update = fixture('message_reaction');
    expect((await postUpdate(env, c.id, c.secret, update)).status).toBe(200);
    const [body] = await signedFor(rx, trigger);
    expect(body).toMatchObject({
      type: 'reaction.added',
      trigger_id: trigger.id,
      integration_id: c.id,
      timestamp: '2025-11-23T12:15:00.000Z',
      data: {
        channel: 'telegram',
        chat: { id: '-1001234567890', type: 'supergroup', title: 'Lab' },
        message_id: '301',
        user: { id: '5550002', name: 'Grace Hopper', username: 'grace', isBot: false },
        emoji: '👍',
        reactions: [{ type: 'emoji', emoji: '👍' }],
      },
    });
    const outcome = await inboxOutcome(env, c.id, update.update_id);
    expect(outcome).toEqual({ status: 'done', last_error: 'reaction added to message 301; 1 trigger fired' });
    expect(await env.t.hub.db.kysely.selectFrom('messages').select('id').where('type', '=', 'user_message').where('user_id', '=', user.id).execute()).toEqual([]);
    // Telegram redelivers the same update: nothing new fires. A later DM is answered, so the bus went on.
    expect((await postUpdate(env, c.id, c.secret, update)).status).toBe(200);
    const removed = { update_id: update.update_id + 1, message_reaction: { ...update.message_reaction, old_reaction: update.message_reaction.new_reaction, new_reaction: [] } };
    expect((await postUpdate(env, c.id, c.secret, removed)).status).toBe(200);
    expect(await inboxOutcome(env, c.id, removed.update_id)).toEqual({ status: 'ignored', last_error: 'message_reaction that removed reactions and added none' });
    expect(rx.received.filter((r) => r.json?.trigger_id === trigger.id)).toHaveLength(1);
  });

  it('a chat_member join fires member.joined; a leave fires nothing', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, user.key, bot, user.profileId);
    const trigger = await urlTrigger(env.t.api, user.key, c.id, 'member.joined', rx.url);
    const join = fixture('chat_member');
    const leave = { update_id: join.update_id + 1, chat_member: { ...join.chat_member, old_chat_member: join.chat_member.new_chat_member, new_chat_member: { ...join.chat_member.new_chat_member, status: 'left' } } };
    expect((await postUpdate(env, c.id, c.secret, leave)).status).toBe(200);
    expect(await inboxOutcome(env, c.id, leave.update_id)).toEqual({ status: 'ignored', last_error: 'chat_member change member → left is not a join' });
    expect((await postUpdate(env, c.id, c.secret, join)).status).toBe(200);
    const [body] = await signedFor(rx, trigger);
    expect(body).toMatchObject({
      type: 'member.joined',
      integration_id: c.id,
      data: {
        channel: 'telegram',
        chat: { id: '-1001234567890', type: 'supergroup', title: 'Lab' },
        user: { id: '5550003', name: 'Linus', username: 'linus', isBot: false },
        added_by: null,
        via: 'invite_link',
        invite_link_name: 'newsletter',
      },
    });
    expect(rx.received.filter((r) => r.json?.trigger_id === trigger.id)).toHaveLength(1);
  });

  it('asks Telegram for reactions and member updates, and a DM still gets its echo', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, user.key, bot, user.profileId);
    expect(env.fake.webhooks.get(bot.token)!.allowed_updates).toEqual(['message', 'edited_message', 'message_reaction', 'chat_member']);
    expect((await postUpdate(env, c.id, c.secret, dm(5550009, '/start'))).status).toBe(200);
    expect((await waitSent(env, bot.token, 5550009, 1))[0].text).toBeTruthy();
  });
});

describe('Slack reactions and joins fire triggers through the signed events route', () => {
  let h: SlackHub;
  let rx: WebhookReceiver;
  let owner: Awaited<ReturnType<typeof installAndGrant>>;
  beforeAll(async () => {
    rx = await startWebhookReceiver();
    h = await startSlackHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    owner = await installAndGrant(h, 'slack-events@example.com');
  });
  afterAll(async () => {
    await h.close();
    await rx.close();
  });

  it('reaction_added fires reaction.added', async () => {
    const trigger = await urlTrigger(h.t.api, owner.user.key, owner.integration.id, 'reaction.added', rx.url);
    expect((await postEvent(h.t, slackFixture('reaction-added'))).status).toBe(200);
    const [body] = await signedFor(rx, trigger);
    expect(body).toMatchObject({
      type: 'reaction.added',
      integration_id: owner.integration.id,
      timestamp: '2023-11-14T22:18:20.000Z',
      data: { channel: 'slack', chat: { id: 'C0GENERAL' }, message_id: '1700000200.000300', message_author: 'U0BOT', user: { id: 'U0INSTALL' }, emoji: 'thumbsup' },
    });
  });

  it('member_joined_channel fires member.joined; the bot joining fires nothing', async () => {
    const trigger = await urlTrigger(h.t.api, owner.user.key, owner.integration.id, 'member.joined', rx.url);
    const botJoin = slackFixture('member-joined-channel', { user: 'U0BOT', inviter: undefined }, { event_id: 'Ev0BOTJOIN' });
    expect((await postEvent(h.t, botJoin)).status).toBe(200);
    expect((await postEvent(h.t, slackFixture('member-joined-channel'))).status).toBe(200);
    const [body] = await signedFor(rx, trigger);
    expect(body).toMatchObject({
      type: 'member.joined',
      data: { channel: 'slack', chat: { id: 'C0GENERAL', type: 'public' }, user: { id: 'U0NEWBIE', team: 'T0001' }, added_by: { id: 'U0INSTALL' }, via: 'added' },
    });
    const rows = await h.t.hub.db.kysely.selectFrom('inbox').select(['external_event_id', 'status', 'last_error']).where('external_event_id', '=', 'ev:Ev0BOTJOIN').execute();
    expect(rows).toEqual([{ external_event_id: 'ev:Ev0BOTJOIN', status: 'ignored', last_error: 'the bot itself joined a channel' }]);
    expect(rx.received.filter((r) => r.json?.trigger_id === trigger.id)).toHaveLength(1);
  });

  it('a revoked token turns the integration unhealthy: integration.unhealthy fires and its triggers show 🔴 in the API and the CLI', async () => {
    const sick = await urlTrigger(h.t.api, owner.user.key, owner.integration.id, 'integration.unhealthy', rx.url);
    expect((await postEvent(h.t, slackFixture('tokens-revoked'))).status).toBe(200);
    const [body] = await signedFor(rx, sick);
    expect(body).toMatchObject({ type: 'integration.unhealthy', data: { integration_id: owner.integration.id, type: 'slack', reason: 'the Slack bot token was revoked' } });
    const list = (await h.t.api('GET', '/v1/triggers', undefined, owner.user.key)).body;
    expect(list.total).toBe(3);
    for (const t of list.triggers) expect(t).toMatchObject({ status: 'unhealthy', status_reason: `integration ${owner.integration.id} is unhealthy: the Slack bot token was revoked` });
    const cli = await runCli({ ...process.env, SWITCHBOARD_URL: h.t.url, SWITCHBOARD_API_KEY: owner.user.key, SWITCHBOARD_ADMIN_KEY: '' }, ['triggers', 'list']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain('🔴 reaction.added (unhealthy: integration');
    expect(cli.stdout).toContain('🔴 member.joined (unhealthy: integration');
  });
});
