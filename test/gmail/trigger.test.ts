import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGmailAdapter, gmailConfig } from '../../adapters/gmail/index.ts';
import type { PollPass } from '../../adapters/gmail/poller.ts';
import { startFakeGoogle, type FakeGoogle } from '../fakes/google-api.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';
import { startTriggerEnv, type TriggerEnv } from '../triggers/env.ts';
import { connectGmail, gmailRows, newUser } from './env.ts';

const MIN = 60_000;

describe.each(DIALECTS)('email.received, a virtual trigger polled at its interval, on %s', (dialect) => {
  let google: FakeGoogle;
  let env: TriggerEnv;
  let integrationId: string;
  /** The poller's clock: only the test moves it. */
  let now = Date.now();
  let passes = 0;
  const firingsOf = (messageId: string) => env.agent.calls.filter((c) => c.body.type === 'trigger.fired' && c.body.event?.data?.message_id === messageId);
  /** Gmail calls made with the access token of an integration (its mailbox). */
  const callsOf = async (id: string, path: string) => {
    const token = (await env.t.hub.store.integrations.secrets<{ access_token: string }>(id))!.access_token;
    return google.callsTo(`/gmail/v1/users/me/${path}`).filter((c) => c.token === token).length;
  };
  /** Resolves once the poller has finished two more passes (one may have been under way). */
  const twoPasses = async () => {
    const target = passes + 2;
    await eventually(() => passes >= target);
  };
  const api = (method: string, path: string, body?: unknown) => env.t.api(method, path, body, env.key);

  beforeAll(async () => {
    google = await startFakeGoogle();
    const onPass = (_: PollPass) => void passes++;
    env = await startTriggerEnv({ dialect, env: google.env(), extraAdapters: { gmail: { config: gmailConfig, create: (deps) => createGmailAdapter(deps, { tickMs: 20, clock: () => now, onPass }) } } });
    google.deliver({ from: 'old@example.com', subject: 'Before connecting', text: 'old mail' });
    expect((await connectGmail({ t: env.t, google, close: async () => {} }, env.key)).status).toBe(200);
    integrationId = (await gmailRows(env.t, env.key))[0].id;
  });
  afterAll(async () => {
    await env?.close();
    await google?.close();
  });

  it('is listed as virtual with its intervals', async () => {
    const events = (await api('GET', `/v1/triggers/events?integration_id=${integrationId}`)).body.events;
    expect(events).toContainEqual(expect.objectContaining({ event: 'email.received', available: true, virtual: true, intervals: [1, 5, 15, 30, 60], default_interval: 5 }));
  });

  it('refuses an interval outside the list, and an interval on events that take none', async () => {
    const bad = await api('POST', '/v1/triggers', { integration_id: integrationId, event: 'email.received', interval: 7 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_interval' });
    expect(bad.body.error.message).toContain('1, 5, 15, 30, 60');
    const hub = await api('POST', '/v1/triggers', { event: 'delivery.failed', interval: 5 });
    expect(hub.status).toBe(400);
    expect(hub.body.error.message).toMatch(/interval is only for email\.received and schedule\.tick triggers/);
    expect((await api('GET', '/v1/triggers')).body.total).toBe(0);
  });

  it('polls no mailbox while it has no trigger', async () => {
    const profileCalls = await callsOf(integrationId, 'profile'); // connecting reads the profile once
    now += 120 * MIN;
    await twoPasses();
    expect(await callsOf(integrationId, 'history')).toBe(0);
    expect(await callsOf(integrationId, 'profile')).toBe(profileCalls);
  });

  it('polls a mailbox with a 5-minute trigger once per 5 minutes of clock, and only that mailbox', async () => {
    // A second user's mailbox, connected but without a trigger.
    const other = await newUser(env.t);
    google.approveAs = { email: 'cy@example.com', scopes: undefined };
    expect((await connectGmail({ t: env.t, google, close: async () => {} }, other.key)).status).toBe(200);
    const otherId = (await gmailRows(env.t, other.key))[0].id;
    const otherProfile = await callsOf(otherId, 'profile');

    const made = await api('POST', '/v1/triggers', { integration_id: integrationId, event: 'email.received', profile_id: env.profileId });
    expect(made.status).toBe(201);
    expect(made.body.trigger).toMatchObject({ interval: 5, virtual: true });
    // The first poll, at once, records where the mailbox stands.
    await eventually(() => env.t.hub.store.state.get(integrationId, 'history_id'));
    expect(await callsOf(integrationId, 'history')).toBe(0);

    for (let round = 1; round <= 3; round++) {
      now += 4 * MIN;
      await twoPasses();
      expect(await callsOf(integrationId, 'history')).toBe(round - 1);
      now += 1 * MIN;
      await eventually(async () => (await callsOf(integrationId, 'history')) === round);
      await twoPasses();
      expect(await callsOf(integrationId, 'history')).toBe(round);
    }
    expect(await callsOf(otherId, 'history')).toBe(0);
    expect(await callsOf(otherId, 'profile')).toBe(otherProfile);
  });

  it('wakes the profile once per new message, never for mail older than the trigger', async () => {
    const first = google.deliver({ from: 'Bo <bo@example.com>', subject: 'Lunch?', text: 'Friday?' });
    now += 5 * MIN;
    await eventually(() => firingsOf(first.id).length > 0);
    const fired = firingsOf(first.id)[0].body;
    expect(fired.event).toMatchObject({ type: 'email.received', integration_id: integrationId });
    expect(fired.event.data).toMatchObject({ account: 'ann@example.com', message_id: first.id, thread_id: first.threadId, from: 'Bo <bo@example.com>', subject: 'Lunch?', snippet: 'Friday?' });
    expect(fired.event.data.labels).toContain('INBOX');

    // Replaying history from before both messages (a crash before the history id was saved) wakes
    // the profile for the new one only.
    const baseline = String(Number(first.historyId) - 1);
    const second = google.deliver({ from: 'Cy <cy@example.com>', subject: 'Report', text: 'attached' });
    await twoPasses(); // no pass is left that could save its own position after ours
    await env.t.hub.store.state.set(integrationId, 'history_id', baseline);
    now += 5 * MIN;
    await eventually(() => firingsOf(second.id).length > 0);
    expect(google.callsTo('/gmail/v1/users/me/history').some((c) => c.query.startHistoryId === baseline)).toBe(true);
    const third = google.deliver({ from: 'Di <di@example.com>', subject: 'Later', text: 'later' });
    now += 5 * MIN;
    await eventually(() => firingsOf(third.id).length > 0);
    await twoPasses();
    expect(firingsOf(first.id)).toHaveLength(1);
    expect(firingsOf(second.id)).toHaveLength(1);
    expect(env.agent.calls.some((c) => c.body.event?.data?.subject === 'Before connecting')).toBe(false);
  });

  it('follows the shortest interval, stops while paused, and takes changes without a restart', async () => {
    const [trigger] = (await api('GET', `/v1/triggers?integration_id=${integrationId}`)).body.triggers;
    const fast = await api('POST', '/v1/triggers', { integration_id: integrationId, event: 'email.received', mode: 'url', url: env.rx.url, interval: 1 });
    expect(fast.status).toBe(201);
    await twoPasses();
    const before = await callsOf(integrationId, 'history');
    now += 1 * MIN;
    await eventually(async () => (await callsOf(integrationId, 'history')) === before + 1);

    // Pausing every trigger of the mailbox stops its polling at once.
    expect((await api('POST', `/v1/integrations/${integrationId}/triggers/pause`, { reason: 'holiday' })).body.changed).toBe(2);
    const paused = await callsOf(integrationId, 'history');
    now += 30 * MIN;
    await twoPasses();
    expect(await callsOf(integrationId, 'history')).toBe(paused);

    // Deleting the 1-minute trigger and resuming leaves the 5-minute one; a PATCH to 15 takes effect.
    expect((await api('DELETE', `/v1/triggers/${fast.body.trigger.id}`)).status).toBe(204);
    await api('POST', `/v1/triggers/${trigger.id}/resume`);
    await eventually(async () => (await callsOf(integrationId, 'history')) === paused + 1);
    const patched = await api('PATCH', `/v1/triggers/${trigger.id}`, { interval: 15 });
    expect(patched.body.trigger.interval).toBe(15);
    expect((await api('PATCH', `/v1/triggers/${trigger.id}`, { interval: 120 })).status).toBe(400);
    now += 10 * MIN;
    await twoPasses();
    expect(await callsOf(integrationId, 'history')).toBe(paused + 1);
    now += 5 * MIN;
    await eventually(async () => (await callsOf(integrationId, 'history')) === paused + 2);
  });
});

describe.each(DIALECTS)('the last Gmail poll survives a restart on %s', (dialect) => {
  let google: FakeGoogle;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const open = new Set<TestHub>();
  let now = Date.now();
  let passes = 0;
  const start = async () => {
    const t = await startTestHub({ dialect, database, env: google.env(), extraAdapters: { gmail: { config: gmailConfig, create: (deps) => createGmailAdapter(deps, { tickMs: 20, clock: () => now, onPass: () => void passes++ }) } } });
    open.add(t);
    return t;
  };
  const twoPasses = async () => {
    const target = passes + 2;
    await eventually(() => passes >= target);
  };
  const history = () => google.callsTo('/gmail/v1/users/me/history').length;
  const gmailCalls = () => google.callsTo(/^\/gmail\/v1\//).length;

  beforeAll(async () => {
    google = await startFakeGoogle();
    database = await freshDatabase(dialect);
  });
  afterAll(async () => {
    for (const t of open) await t.close();
    await database?.drop();
    await google?.close();
  });

  it('neither polls early nor skips a poll after a restart', async () => {
    const first = await start();
    const user = await newUser(first);
    expect((await connectGmail({ t: first, google, close: async () => {} }, user.key)).status).toBe(200);
    const id = (await gmailRows(first, user.key))[0].id;
    expect((await first.api('POST', '/v1/triggers', { integration_id: id, event: 'email.received', interval: 15 }, user.key)).status).toBe(201);
    await eventually(() => first.hub.store.state.get(id, 'history_id'));
    now += 15 * MIN;
    await eventually(() => history() === 1);
    await first.hub.close(2000); // the database stays
    open.delete(first);
    const calls = gmailCalls();

    const second = await start();
    now += 10 * MIN;
    await twoPasses();
    expect(gmailCalls()).toBe(calls); // no early poll, nor a fresh start from the profile
    expect(history()).toBe(1);
    now += 5 * MIN;
    await eventually(() => history() === 2);
    // The poll's time is stored once its Gmail calls have returned.
    expect(await eventually(async () => (await second.hub.store.state.get(id, 'last_poll_at')) === now)).toBe(true);
  });
});
