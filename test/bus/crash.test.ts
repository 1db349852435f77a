import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { eventually } from '../helpers/hub.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';

const ADMIN = 'sb_crash_admin_key_000000000000';

/** Starts the hub fixture in a child process; resolves with its URL once it listens. */
async function startChild(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/hub-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`hub exited early with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

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

  it('loses no committed message and makes no second turn when killed mid-turn, nor on a later restart', async () => {
    let hub = await startChild(env);
    const profile = (await call(hub.url, 'POST', '/v1/profiles', { name: 'crashy', agent: { kind: 'http', url: agent.url, secret } })).body.profile;
    agent.answer = () => 'hang';
    const first = await call(hub.url, 'POST', `/v1/profiles/${profile.id}/chat`, { text: 'ping', wait_ms: 100 });
    expect(first.status).toBe(202);
    await eventually(() => agent.calls.length === 1);
    await kill(hub.child); // killed while the agent works: the turn was never committed

    agent.answer = () => ({ status: 200, body: { reply: { text: 'pong' } } });
    hub = await startChild(env);
    const log = await eventually(async () => {
      const m = (await call(hub.url, 'GET', '/v1/messages?limit=50')).body.messages.filter((x: any) => x.profile_id === profile.id);
      return m.some((x: any) => x.type === 'agent_response') && m;
    }, 10_000);
    // The message was kept, the agent was not asked a second time, and the person was told.
    expect(agent.calls).toHaveLength(1);
    expect(log.filter((x: any) => x.type === 'user_message').map((x: any) => x.text)).toEqual(['ping']);
    expect(log.find((x: any) => x.type === 'agent_response').text).toMatch(/interrupted while answering/);
    expect(log.some((x: any) => x.type === 'error' && /not sent to the agent a second time/.test(x.text))).toBe(true);

    // A finished turn is never repeated by later restarts.
    const next = await call(hub.url, 'POST', `/v1/profiles/${profile.id}/chat`, { text: 'again', wait_ms: 5000 });
    expect(next.body.reply).toBe('pong');
    await kill(hub.child);
    hub = await startChild(env);
    await new Promise((r) => setTimeout(r, 1200));
    expect(agent.calls).toHaveLength(2);
    const after = (await call(hub.url, 'GET', '/v1/messages?limit=50')).body.messages.filter((x: any) => x.profile_id === profile.id);
    expect(after.filter((x: any) => x.type === 'agent_response')).toHaveLength(2);
    await kill(hub.child);
  });
});
