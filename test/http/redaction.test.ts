import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { freshDatabase } from '../helpers/db.ts';
import { FAST_BUS, TEST_MASTER_KEY } from '../helpers/hub.ts';

describe('secrets never reach the logs, answers or errors', () => {
  let hub: Hub;
  let url: string;
  let drop: () => Promise<void>;
  const lines: string[] = [];
  const admin = 'sb_redaction_admin_key_0000000000';

  beforeAll(async () => {
    const db = await freshDatabase('sqlite');
    drop = db.drop;
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const config = loadConfig({ DATA_DIR: db.dataDir, DATABASE_URL: db.url, SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, SWITCHBOARD_ADMIN_KEY: admin, LOG_LEVEL: 'trace' }, FAST_BUS);
    hub = await createHub(config, { logger: createLogger('trace', sink) });
    url = `http://127.0.0.1:${await hub.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await hub.close();
    await drop();
  });

  it('redacts keys, tokens and agent secrets at the most verbose level', async () => {
    const secret = 'whsec_dGhpcyBpcyBhIHZlcnkgc2VjcmV0IGtleQ==';
    const res = await fetch(`${url}/v1/profiles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'agent', agent: { kind: 'http', url: 'https://1.1.1.1/agent-hook', secret } }),
    });
    const body = await res.json();
    expect(res.status).toBe(201);
    expect(JSON.stringify(body)).not.toContain(secret);
    const token = body.token as string;
    await fetch(`${url}/v1/profiles`, { headers: { authorization: `Bearer ${token}` } });
    const bad = await fetch(`${url}/v1/profiles`, { headers: { authorization: 'Bearer sb_not_a_real_key_123' } });
    expect(JSON.stringify(await bad.json())).not.toContain('sb_not_a_real_key_123');
    await new Promise((r) => setTimeout(r, 50));
    const all = lines.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const s of [admin, token, secret, 'sb_not_a_real_key_123']) expect(all).not.toContain(s);
    const stored = JSON.stringify(await hub.db.kysely.selectFrom('agent_profiles').selectAll().execute());
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(token);
  });
});
