import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { freshDatabase } from '../helpers/db.ts';
import { eventually, startTestHub } from '../helpers/hub.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';

describe('graceful shutdown', () => {
  let agent: FakeAgent;
  const secret = newWebhookSecret();
  beforeAll(async () => {
    agent = await startFakeAgent(secret);
  });
  afterAll(() => agent.close());

  it('finishes the running turn, leaves the waiting rows pending, and a restart answers them at once', async () => {
    const db = await freshDatabase('sqlite');
    const env = { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' };
    let t = await startTestHub({ database: db, env });
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `re ${c.body.message.text}` } }, delayMs: 300 });
    const p = (await t.api('POST', '/v1/profiles', { name: 'slowpoke', agent: { kind: 'http', url: agent.url, secret } })).body.profile;
    const user = (await t.api('GET', '/v1/me')).body.user.id;
    const ids = [];
    for (const text of ['one', 'two', 'three']) {
      const [r] = await t.hub.bus.appendInbound([
        { channel: 'console', source: p.id, externalEventId: text, orderingKey: `console|${p.id}|default`, payload: { userId: user, profileId: p.id, thread: 'default', text, sentAt: Date.now() } },
      ]);
      ids.push(r.id);
    }
    await eventually(() => agent.calls.length === 1);
    await t.hub.close(5000);
    const handle = await import('../../src/store/index.ts').then((m) => m.openDatabase(db.url));
    const rows = await handle.kysely.selectFrom('inbox').select(['id', 'status']).where('id', 'in', ids).orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual(['done', 'pending', 'pending']);
    await handle.close();

    t = await startTestHub({ database: db, env });
    await eventually(() => agent.calls.length === 3, 5000);
    expect(agent.calls.map((c) => c.body.message.text)).toEqual(['one', 'two', 'three']);
    await t.close();
    await db.drop();
  });
});
