import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGmailAdapter, gmailConfig } from '../../adapters/gmail/index.ts';
import { startFakeGoogle, type FakeGoogle } from '../fakes/google-api.ts';
import { DIALECTS } from '../helpers/db.ts';
import { eventually } from '../helpers/hub.ts';
import { startTriggerEnv, type TriggerEnv } from '../triggers/env.ts';
import { connectGmail, gmailRows } from './env.ts';

describe.each(DIALECTS)('email.received from the Gmail history API on %s', (dialect) => {
  let google: FakeGoogle;
  let env: TriggerEnv;
  let integrationId: string;
  const firingsOf = (messageId: string) => env.agent.calls.filter((c) => c.body.type === 'trigger.fired' && c.body.event?.data?.message_id === messageId);

  beforeAll(async () => {
    google = await startFakeGoogle();
    env = await startTriggerEnv({ dialect, env: google.env(), extraAdapters: { gmail: { config: gmailConfig, create: (deps) => createGmailAdapter(deps, { pollMs: 40 }) } } });
    google.deliver({ from: 'old@example.com', subject: 'Before connecting', text: 'old mail' });
    expect((await connectGmail({ t: env.t, google, close: async () => {} }, env.key)).status).toBe(200);
    integrationId = (await gmailRows(env.t, env.key))[0].id;
  });
  afterAll(async () => {
    await env?.close();
    await google?.close();
  });

  it('is listed for gmail integrations and accepted as a trigger', async () => {
    const events = (await env.t.api('GET', `/v1/triggers/events?integration_id=${integrationId}`, undefined, env.key)).body.events;
    expect(events).toContainEqual(expect.objectContaining({ event: 'email.received', available: true }));
    const r = await env.t.api('POST', '/v1/triggers', { integration_id: integrationId, event: 'email.received', profile_id: env.profileId }, env.key);
    expect(r.status).toBe(201);
  });

  it('wakes the profile once per new message, never for mail older than the connection', async () => {
    // The first pass records where the mailbox stands; history is read from there on.
    await eventually(() => env.t.hub.store.state.get(integrationId, 'history_id'));
    const first = google.deliver({ from: 'Bo <bo@example.com>', subject: 'Lunch?', text: 'Friday?' });
    await eventually(() => firingsOf(first.id).length > 0);
    const fired = firingsOf(first.id)[0].body;
    expect(fired.event).toMatchObject({ type: 'email.received', integration_id: integrationId });
    expect(fired.event.data).toMatchObject({ account: 'ann@example.com', message_id: first.id, thread_id: first.threadId, from: 'Bo <bo@example.com>', subject: 'Lunch?', snippet: 'Friday?' });
    expect(fired.event.data.labels).toContain('INBOX');

    // Replaying history from before both messages (a crash before the history id was saved) wakes
    // the profile for the new one only.
    const baseline = String(Number(first.historyId) - 1);
    const second = google.deliver({ from: 'Cy <cy@example.com>', subject: 'Report', text: 'attached' });
    // A pass in flight may save its own position after ours: set it until a pass read from the baseline.
    const replayed = () => google.callsTo('/gmail/v1/users/me/history').some((c) => c.query.startHistoryId === baseline);
    await eventually(async () => replayed() || void (await env.t.hub.store.state.set(integrationId, 'history_id', baseline)));
    await eventually(() => firingsOf(second.id).length > 0);
    const third = google.deliver({ from: 'Di <di@example.com>', subject: 'Later', text: 'later' });
    await eventually(() => firingsOf(third.id).length > 0);
    expect(firingsOf(first.id)).toHaveLength(1);
    expect(firingsOf(second.id)).toHaveLength(1);
    expect(env.agent.calls.some((c) => c.body.event?.data?.subject === 'Before connecting')).toBe(false);
  });
});
