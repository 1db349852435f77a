import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createHub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { FAST_BUS } from '../helpers/hub.ts';

/** The octal permission bits of a path. */
const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

/** Mode of the data dir and of every file in it. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = { '.': mode(dir) };
  for (const name of fs.readdirSync(dir)) out[name] = mode(path.join(dir, name));
  return out;
}

/** Starts a hub the way `switchboard serve` does on a fresh machine: dev master key, no admin key. */
async function startHub(dataDir: string) {
  const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }, FAST_BUS);
  const hub = await createHub(config, { logger: createLogger('silent') });
  const port = await hub.listen(0, '127.0.0.1');
  // A write, so the WAL is in use.
  const res = await fetch(`http://127.0.0.1:${port}/v1/profiles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.bootstrap.createdAdminKey ?? fs.readFileSync(path.join(dataDir, 'admin.key'), 'utf8').trim()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `p${Date.now()}` }),
  });
  expect(res.status).toBe(201);
  return hub;
}

describe('files on disk', () => {
  let root: string;
  let dataDir: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-modes-'));
    dataDir = path.join(root, 'data');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a fresh data dir is 0700 and every file in it 0600: database, WAL, shared memory, single-process lock and keys', async () => {
    const hub = await startHub(dataDir);
    try {
      const found = modes(dataDir);
      expect(Object.keys(found).sort()).toEqual(['.', 'admin.key', 'master.key', 'switchboard.db', 'switchboard.db-shm', 'switchboard.db-wal', 'switchboard.db.lock']);
      expect(found).toEqual({ '.': '700', 'admin.key': '600', 'master.key': '600', 'switchboard.db': '600', 'switchboard.db-shm': '600', 'switchboard.db-wal': '600', 'switchboard.db.lock': '600' });
    } finally {
      await hub.close(1000);
    }
  });

  it('an existing install with open modes is fixed at start', async () => {
    fs.chmodSync(dataDir, 0o755);
    for (const name of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, name), 0o644);
    // Files a crash left behind are fixed too.
    for (const leftover of ['switchboard.db-wal', 'switchboard.db-shm']) {
      const p = path.join(dataDir, leftover);
      if (!fs.existsSync(p)) fs.writeFileSync(p, '', { mode: 0o644 });
    }
    const hub = await startHub(dataDir);
    try {
      const found = modes(dataDir);
      for (const [name, m] of Object.entries(found)) expect(m, name).toBe(name === '.' ? '700' : '600');
      expect(Object.keys(found)).toContain('switchboard.db-wal');
    } finally {
      await hub.close(1000);
    }
  });
});
