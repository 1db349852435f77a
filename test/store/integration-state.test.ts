import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Epochs } from '../../adapters/telegram/context.ts';
import { adapterServices } from '../../src/bus/services.ts';
import { createLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';
import { claim, connectBot, dm, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from '../telegram/env.ts';

describe.each(DIALECTS)('integration state and config merges on %s', (dialect) => {
  let store: Store;
  let close: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    ({ store, userId, close } = await freshStore(dialect, `state-${dialect}@example.com`));
  });
  afterAll(() => close());

  const newRow = (type = 'telegram') => store.integrations.create({ userId, type, name: `${type} row`, config: { keep: true } });

  it('keeps state beside the integration: set, get, and an unknown key is undefined', async () => {
    const row = await newRow();
    expect(await store.state.get(row.id, 'bot')).toBeUndefined();
    await store.state.set(row.id, 'bot', { id: 1, username: 'x_bot', can_join_groups: true });
    await store.state.set(row.id, 'bot', { id: 1, username: 'y_bot' });
    expect(await store.state.get(row.id, 'bot')).toEqual({ id: 1, username: 'y_bot' });
    expect((await store.integrations.byId(row.id))!.config).toEqual({ keep: true });
  });

  it('bumps a counter atomically: 40 concurrent bumps give 1..40, each once', async () => {
    const row = await newRow();
    const got = await Promise.all(Array.from({ length: 40 }, () => store.state.bump(row.id, 'epoch:chat-1')));
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(await store.state.get(row.id, 'epoch:chat-1')).toBe(40);
    expect(await store.state.bump(row.id, 'epoch:chat-2')).toBe(1);
  });

  it('drops an integration’s state with it', async () => {
    const row = await newRow();
    await store.state.bump(row.id, 'epoch:x');
    await store.integrations.delete(userId, row.id);
    expect(await store.state.get(row.id, 'epoch:x')).toBeUndefined();
  });

  it('20 concurrent config merges into one row all land', async () => {
    const row = await newRow();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.integrations.update(userId, row.id, { config: { [`k${i}`]: i } })));
    const config = (await store.integrations.byId(row.id))!.config;
    for (let i = 0; i < 20; i++) expect(config[`k${i}`]).toBe(i);
    expect(config.keep).toBe(true);
  });

  it('refuses a second row of a single-row type for a user with a conflict, storing nothing', async () => {
    const first = await store.integrations.create({ userId, type: 'email', name: 'a', singleRow: true });
    await expect(store.integrations.create({ userId, type: 'email', name: 'b', singleRow: true })).rejects.toMatchObject({ status: 409, code: 'integration_exists' });
    expect((await store.integrations.list(userId, 'email')).map((i) => i.id)).toEqual([first.id]);
  });
});

describe.each(DIALECTS)('Telegram /new keeps its epochs out of the integration on %s', (dialect) => {
  let env: TgEnv;

  beforeAll(async () => {
    env = await startTgEnv({ dialect });
  });
  afterAll(() => env.close());

  it('3,000 epoch bumps and real /new commands leave GET /v1/integrations/:id unchanged, without thread_epochs or getMe internals', async () => {
    const alice = await newUser(env.t, `epochs-${dialect}@example.com`);
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const me = 5300001;
    await claim(env, bot, c.id, c.secret, c.code, me);
    const before = (await env.t.api('GET', `/v1/integrations/${c.id}`, undefined, alice.key)).body;
    expect(before.integration.config.bot).toEqual({ id: bot.id, username: bot.username, first_name: expect.any(String) });

    for (let i = 1; i <= 2; i++) {
      await postUpdate(env, c.id, c.secret, dm(me, '/new'));
      const sent = await waitSent(env, bot.token, me, 1 + i);
      expect(sent.at(-1)!.text).toContain(`#${i}`);
    }
    const services = adapterServices(env.t.hub.store, { publicUrl: env.t.config.publicUrl, allowPrivateUrls: [], bus: { sendTimeoutMs: 15_000, retryScheduleScale: 1 }, slice: undefined }, createLogger('silent'), async () => [], () => true);
    const epochs = new Epochs(services);
    for (let batch = 0; batch < 60; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => epochs.bump(c.id, `chat-${batch * 50 + i}`)));
    }
    expect(await epochs.bump(c.id, String(me))).toBe(3);

    const after = (await env.t.api('GET', `/v1/integrations/${c.id}`, undefined, alice.key)).body;
    expect(after).toEqual(before);
    expect(JSON.stringify(after)).not.toContain('thread_epochs');
    expect(JSON.stringify(after)).not.toContain('can_join_groups');
  });
});
