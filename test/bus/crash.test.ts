import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { startReplica as startChild } from '../replicas/replica.ts';
import { eventually } from '../helpers/hub.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';

const ADMIN = 'sb_crash_admin_key_000000000000';


async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

const call = async (url: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

describe.each(DIALECTS)('crash recovery on %s (a hub killed with SIGKILL mid-work)', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let sink: http.Server;
  const sinkCalls: string[] = [];
  let hangNext = false;
  let agent: FakeAgent;
  const secret = newWebhookSecret();

  beforeAll(async () => {
    const db = await freshDatabase(dialect);
    drop = db.drop;
    sink = http.createServer((req, res) => {
      sinkCalls.push(String(req.headers['idempotency-key']));
      req.resume();
      if (hangNext) {
        hangNext = false;
        return; // never answers: the hub is killed while this send is in flight
      }
      res.end(`sink-${sinkCalls.length}`);
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    agent = await startFakeAgent(secret);
    env = {
      DATA_DIR: db.dataDir,
      DATABASE_URL: db.url,
      SWITCHBOARD_MASTER_KEY: generateMasterKey(),
      SWITCHBOARD_ADMIN_KEY: ADMIN,
      SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1',
      SINK_URL: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`,
      LEASE_MS: '800',
    };
  });
  afterAll(async () => {
    sink.closeAllConnections();
    sink.close();
    await agent.close();
    await drop();
  });

  it('completes a delivery that was in flight exactly once after a restart', async () => {
    let hub = await startChild(env);
    const integration = (await call(hub.url, 'POST', '/v1/integrations', { type: 'sink' })).body.integration;
    await call(hub.url, 'PUT', `/v1/profiles/default/grants/${integration.id}`);
    hangNext = true;
    const n = (await call(hub.url, 'POST', '/v1/notify', { profile_id: 'default', channel: 'sink', message: 'survive' })).body.notification;
    await eventually(() => sinkCalls.length === 1);
    await kill(hub.child);

    hub = await startChild(env);
    const d = await eventually(async () => {
      const x = (await call(hub.url, 'GET', `/v1/notifications/${n.id}`)).body.notification.deliveries[0];
      return x.status === 'sent' && x;
    }, 10_000);
    expect(d.attempts).toBe(2);
    expect(sinkCalls).toEqual([`${n.id}:${integration.id}`, `${n.id}:${integration.id}`]);
    await new Promise((r) => setTimeout(r, 300));
    expect(sinkCalls).toHaveLength(2);
    await kill(hub.child);
  });

  /** The log entries of one profile, oldest first. */
  const logOf = async (url: string, profileId: string): Promise<any> =>
    ((await call(url, 'GET', '/v1/messages?limit=100')).body.messages as any[]).filter((x) => x.profile_id === profileId).reverse();

  it('redelivers a turn interrupted by the kill to the HTTP agent with the same webhook-id; the person gets its reply once', async () => {
    let hub = await startChild(env);
    const profile = (await call(hub.url, 'POST', '/v1/profiles', { name: 'crashy', agent: { kind: 'http', url: agent.url, secret } })).body.profile;
    agent.calls.length = 0;
    agent.answer = () => 'hang';
    const first = await call(hub.url, 'POST', `/v1/profiles/${profile.id}/chat`, { text: 'ping', wait_ms: 100 });
    expect(first.status).toBe(202);
    await eventually(() => agent.calls.length === 1);
    await kill(hub.child); // killed while the agent works: the turn started (its mark is committed) but never ended

    agent.answer = () => ({ status: 200, body: { reply: { text: 'pong' } } });
    hub = await startChild(env);
    const log = await eventually(async () => {
      const m = await logOf(hub.url, profile.id);
      return m.some((x: any) => x.type === 'agent_response') && m;
    }, 15_000);
    // The agent was asked again with the same id, so it can dedupe; the message is logged once; one reply.
    expect(agent.calls).toHaveLength(2);
    expect(agent.calls.every((c) => c.verified)).toBe(true);
    expect(agent.calls[1].headers['webhook-id']).toBe(agent.calls[0].headers['webhook-id']);
    expect(agent.calls[1].body.turn_id).toBe(agent.calls[0].body.turn_id);
    expect(agent.calls[1].body.history).toEqual([]);
    expect(log.filter((x: any) => x.type === 'user_message').map((x: any) => x.text)).toEqual(['ping']);
    expect(log.filter((x: any) => x.type === 'agent_response').map((x: any) => x.text)).toEqual(['pong']);
    expect(log.some((x: any) => x.type === 'error')).toBe(false);

    // A finished turn is never repeated: the next message is the positive signal, and later restarts add nothing.
    const next = await call(hub.url, 'POST', `/v1/profiles/${profile.id}/chat`, { text: 'again', wait_ms: 5000 });
    expect(next.body.reply).toBe('pong');
    expect(agent.calls).toHaveLength(3);
    await kill(hub.child);
    hub = await startChild(env);
    const later = await call(hub.url, 'POST', `/v1/profiles/${profile.id}/chat`, { text: 'later', wait_ms: 5000 });
    expect(later.body.reply).toBe('pong');
    expect(agent.calls.map((c) => c.body.message.text)).toEqual(['ping', 'ping', 'again', 'later']);
    expect((await logOf(hub.url, profile.id)).filter((x: any) => x.type === 'agent_response')).toHaveLength(3);
    await kill(hub.child);
  });

  it('with agent.delivery at_most_once, an interrupted turn is not sent again and the person is told', async () => {
    let hub = await startChild(env);
    const profile = (await call(hub.url, 'POST', '/v1/profiles', { name: 'once', agent: { kind: 'http', url: agent.url, secret, delivery: 'at_most_once' } })).body.profile;
    agent.calls.length = 0;
    agent.answer = () => 'hang';
    await call(hub.url, 'POST', `/v1/profiles/${profile.id}/chat`, { text: 'ping', wait_ms: 100 });
    await eventually(() => agent.calls.length === 1);
    await kill(hub.child);

    agent.answer = () => ({ status: 200, body: { reply: { text: 'pong' } } });
    hub = await startChild(env);
    const log = await eventually(async () => {
      const m = await logOf(hub.url, profile.id);
      return m.some((x: any) => x.type === 'agent_response') && m;
    }, 15_000);
    expect(agent.calls).toHaveLength(1);
    expect(log.filter((x: any) => x.type === 'user_message').map((x: any) => x.text)).toEqual(['ping']);
    expect(log.find((x: any) => x.type === 'agent_response').text).toMatch(/interrupted while answering/);
    expect(log.some((x: any) => x.type === 'error' && /not sent to the agent a second time/.test(x.text))).toBe(true);
    await kill(hub.child);
  });
});
