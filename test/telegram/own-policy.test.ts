import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { claim, connectBot, dm, edited, groupMsg, inboxOutcome, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

/** Policy of a bot of one's own: unclaimed bots, edited commands, what a group may see. */
describe.each(DIALECTS)('Telegram own-bot policy on %s', (dialect) => {
  let env: TgEnv;
  let alice: Awaited<ReturnType<typeof newUser>>;
  const email = `alice-p-${dialect}@example.com`;

  beforeAll(async () => {
    env = await startTgEnv({ dialect });
    alice = await newUser(env.t, email);
  });
  afterAll(() => env.close());

  it('an unclaimed bot answers only /start, /help and /link, even with dm_policy open', async () => {
    const bot = newBot(env.fake, `unclaimed_${dialect}_bot`);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    expect((await env.t.api('PATCH', `/v1/integrations/${c.id}`, { dm_policy: 'open' }, alice.key)).status).toBe(200);
    const stranger = 4310001;
    await postUpdate(env, c.id, c.secret, dm(stranger, 'hello'));
    await postUpdate(env, c.id, c.secret, dm(stranger, '/whoami'));
    const answers = await waitSent(env, bot.token, stranger, 2);
    expect(answers.map((s) => s.text)).toEqual([expect.stringMatching(/not claimed yet/), expect.stringMatching(/not claimed yet/)]);
    // In a group: a mention is ignored with the reason; the bot's own /start there is the later answer.
    const group = -1004310000;
    const mention = groupMsg(group, stranger, `@${bot.username} hi`, { entities: [{ type: 'mention', offset: 0, length: bot.username.length + 1 }] });
    await postUpdate(env, c.id, c.secret, mention);
    await postUpdate(env, c.id, c.secret, groupMsg(group, stranger, `/start@${bot.username}`));
    const inGroup = await waitSent(env, bot.token, group, 1);
    expect(inGroup[0].text).toMatch(/not claimed yet/);
    expect((await inboxOutcome(env, c.id, mention.update_id)).last_error).toMatch(/not claimed/);
    // Once claimed, the open policy lets the stranger in.
    await claim(env, bot, c.id, c.secret, c.code, 4310002);
    await postUpdate(env, c.id, c.secret, dm(stranger, 'hello again'));
    expect((await waitSent(env, bot.token, stranger, 3))[2].text).toBe('echo: hello again');
    expect(env.fake.sentBy(bot.token, group).length).toBe(1);
  });

  it('edited commands are ignored with a reason and do not count as failed /link attempts', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const owner = 4320001;
    const edits = [0, 1, 2, 3, 4].map((i) => edited(dm(owner, `/link WRONGCODE${i}`)));
    for (const e of edits) expect((await postUpdate(env, c.id, c.secret, e)).status).toBe(200);
    // Five failures would start a cool-down; the edits counted none, so the right code still links.
    await postUpdate(env, c.id, c.secret, dm(owner, `/link ${c.code}`));
    const first = await waitSent(env, bot.token, owner, 1);
    expect(first.map((s) => s.text)).toEqual([expect.stringMatching(/^Linked!/)]);
    for (const e of edits) {
      const row = await inboxOutcome(env, c.id, e.update_id);
      expect(row.status).toBe('ignored');
      expect(row.last_error).toMatch(/edited command \/link/);
    }
    // An edited /unlink does not unlink either: the owner still reaches the agent.
    const unlink = edited(dm(owner, '/unlink'));
    await postUpdate(env, c.id, c.secret, unlink);
    await postUpdate(env, c.id, c.secret, dm(owner, 'still linked?'));
    expect((await waitSent(env, bot.token, owner, 2)).map((s) => s.text)).toEqual([expect.stringMatching(/^Linked!/), 'echo: still linked?']);
    expect((await inboxOutcome(env, c.id, unlink.update_id)).last_error).toMatch(/edited command \/unlink/);
  });

  it("/whoami in a group never shows the owner's email; in the owner's DM it does", async () => {
    const bot = newBot(env.fake, `whoami_${dialect}_bot`);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const owner = 4330001;
    await claim(env, bot, c.id, c.secret, c.code, owner);
    const group = -1004330000;
    await postUpdate(env, c.id, c.secret, groupMsg(group, owner, `/whoami@${bot.username}`));
    const inGroup = (await waitSent(env, bot.token, group, 1))[0].text;
    expect(inGroup).toMatch(new RegExp(`Your Telegram id is ${owner}`));
    expect(inGroup).toMatch(/linked to a Switchboard account/);
    expect(inGroup).not.toContain('@example.com');
    await postUpdate(env, c.id, c.secret, dm(owner, '/whoami'));
    expect((await waitSent(env, bot.token, owner, 2))[1].text).toContain(email);
  });

  it('/link <code> posted in a group links nobody and cancels the code every member has seen', async () => {
    const bot = newBot(env.fake, `grouplink_${dialect}_bot`);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const owner = 4340001;
    const group = -1004340000;
    await postUpdate(env, c.id, c.secret, groupMsg(group, owner, `/link@${bot.username} ${c.code}`));
    expect((await waitSent(env, bot.token, group, 1))[0].text).toMatch(/private chat.*cancelled/s);
    const member = 4340002;
    await postUpdate(env, c.id, c.secret, dm(member, `/link ${c.code}`));
    expect((await waitSent(env, bot.token, member, 1))[0].text).toMatch(/already used/);
    const fresh = (await env.t.api('POST', `/v1/integrations/${c.id}/link-code`, {}, alice.key)).body.link.code as string;
    await postUpdate(env, c.id, c.secret, dm(owner, `/link ${fresh}`));
    expect((await waitSent(env, bot.token, owner, 1))[0].text).toMatch(/^Linked!/);
  });
});
