import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { SHARED_BOT, dm, edited, eventually, groupMsg, inboxOutcome, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

const AT = `@${SHARED_BOT.username}`;

/** Policy of the shared bot: pairing only in private chats, the sender policy of paired chats, edited commands. */
describe.each(DIALECTS)('Telegram shared-bot policy on %s', (dialect) => {
  let env: TgEnv;
  let secret: string;

  beforeAll(async () => {
    env = await startTgEnv({ dialect, shared: true });
    secret = (await eventually(() => env.fake.webhooks.get(SHARED_BOT.token)))!.secret_token!;
  });
  afterAll(() => env.close());

  const post = (update: unknown) => postUpdate(env, 'shared', secret, update);
  async function pairCode(key: string): Promise<string> {
    const p = await env.t.api('POST', '/v1/integrations/telegram/pair', {}, key);
    return p.body.deep_link.split('start=')[1];
  }
  async function sharedRowOf(key: string): Promise<any> {
    return (await env.t.api('GET', '/v1/integrations', undefined, key)).body.integrations.find((i: any) => i.config.shared);
  }

  it('/start <code> in a group pairs nothing: it asks for a private chat and cancels the code the group has seen', async () => {
    const email = `gina-${dialect}@example.com`;
    const gina = await newUser(env.t, email);
    const person = 6200001;
    const supergroup = -1006200000;
    const leaked = await pairCode(gina.key);
    const basic = groupMsg(-6200000, person, `/start${AT} ${await pairCode(gina.key)}`);
    basic.message.chat = { id: -6200000, title: 'Family', type: 'group', all_members_are_administrators: true };
    await post(groupMsg(supergroup, person, `/start${AT} ${leaked}`));
    await post(basic);
    for (const chat of [supergroup, -6200000]) {
      const answer = (await waitSent(env, SHARED_BOT.token, chat, 1))[0].text;
      expect(answer).toMatch(/private chat/);
      expect(answer).toMatch(/cancelled/);
      expect(answer).not.toContain('@example.com');
    }
    expect(await sharedRowOf(gina.key)).toBeUndefined();
    // A member who saw the code cannot use it in their own private chat.
    const member = 6200002;
    await post(dm(member, `/start ${leaked}`));
    expect((await waitSent(env, SHARED_BOT.token, member, 1))[0].text).toMatch(/already used/);
    expect(await sharedRowOf(gina.key)).toBeUndefined();
    // A fresh link, opened privately, pairs the person.
    await post(dm(person, `/start ${await pairCode(gina.key)}`));
    expect((await waitSent(env, SHARED_BOT.token, person, 1))[0].text).toMatch(new RegExp(`Paired with ${email}`));
  });

  it("a paired group obeys the owner's sender policy; only the linked person can /unlink; no email in the group", async () => {
    const hank = await newUser(env.t, `hank-${dialect}@example.com`);
    const person = 6300001;
    await post(dm(person, `/start ${await pairCode(hank.key)}`));
    await waitSent(env, SHARED_BOT.token, person, 1);
    const row = await sharedRowOf(hank.key);
    // A group paired before pairing was limited to private chats (as the earlier code stored it).
    const group = -1006300000;
    await env.t.hub.store.links.link({ userId: hank.id, channel: 'telegram-shared', integrationId: null, externalUserId: String(group), externalChatId: String(group) });
    const member = 6300002;
    const mention = groupMsg(group, member, `${AT} hi`, { entities: [{ type: 'mention', offset: 0, length: AT.length }] });
    await post(mention);
    await post(groupMsg(group, member, `/unlink${AT}`));
    await post(groupMsg(group, member, `/whoami${AT}`));
    const answers = (await waitSent(env, SHARED_BOT.token, group, 2)).map((s) => s.text);
    expect(answers[0]).toMatch(/Only the person who paired this chat/);
    expect(answers[1]).toMatch(new RegExp(`Your Telegram id is ${member}`));
    expect(answers.join('\n')).not.toContain('@example.com');
    expect((await inboxOutcome(env, 'shared', mention.update_id)).last_error).toMatch(/not allowed by dm_policy owner/);
    expect(await env.t.hub.store.links.find('telegram-shared', null, String(group))).toBeDefined();
    // The owner opens the policy: members reach the agent.
    expect((await env.t.api('PATCH', `/v1/integrations/${row.id}`, { dm_policy: 'open' }, hank.key)).status).toBe(200);
    await post(groupMsg(group, member, `${AT} hi again`, { entities: [{ type: 'mention', offset: 0, length: AT.length }] }));
    expect((await waitSent(env, SHARED_BOT.token, group, 3))[2].text).toBe('echo: hi again');
    // The linked person unpairs their own chat.
    await post(dm(person, '/unlink'));
    expect((await waitSent(env, SHARED_BOT.token, person, 2))[1].text).toMatch(/^Unpaired/);
  });

  it('edited /start <code> is ignored with a reason: no pairing, no failed attempt counted', async () => {
    const ivy = await newUser(env.t, `ivy-${dialect}@example.com`);
    const code = await pairCode(ivy.key);
    const person = 6400001;
    const edits = [0, 1, 2, 3, 4].map((i) => edited(dm(person, `/start wrongpairingcode${i}`)));
    edits.push(edited(dm(person, `/start ${code}`)));
    for (const e of edits) await post(e);
    await post(dm(person, `/start ${code}`));
    expect((await waitSent(env, SHARED_BOT.token, person, 1)).map((s) => s.text)).toEqual([expect.stringMatching(/^Paired with/)]);
    for (const e of edits) expect((await inboxOutcome(env, 'shared', e.update_id)).last_error).toMatch(/edited command \/start/);
  });
});
