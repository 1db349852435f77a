import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { DecryptionError, Envelope } from '../../src/crypto/envelope.ts';
import { KeyRing, decodeMasterKey, generateMasterKey, loadKeyRing } from '../../src/crypto/keyring.ts';
import { rotateSecrets } from '../../src/crypto/rotate.ts';
import { createHub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { createStore, migrate, openDatabase } from '../../src/store/index.ts';
import { MasterKeyMismatchError, verifyMasterKeys } from '../../src/store/keys.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';

const ring = (...keys: string[]) => new KeyRing(keys.map(decodeMasterKey));

describe('envelope encryption', () => {
  it('round-trips a secret and never stores it in the clear', () => {
    const env = new Envelope(ring(generateMasterKey()));
    const sealed = env.seal('123456:bot-token-secret', 'ctx:1');
    expect(sealed).not.toContain('bot-token-secret');
    expect(sealed.split('.')[0]).toBe('sb1');
    expect(env.open(sealed, 'ctx:1')).toBe('123456:bot-token-secret');
  });

  it('refuses a value moved to another row, a tampered value, and a wrong key', () => {
    const key = generateMasterKey();
    const env = new Envelope(ring(key));
    const sealed = env.seal('s3cret', 'user_integrations.secrets:a');
    expect(() => env.open(sealed, 'user_integrations.secrets:b')).toThrow(DecryptionError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3], 'base64url');
    body[body.length - 1] ^= 1;
    expect(() => env.open([...parts.slice(0, 3), body.toString('base64url')].join('.'), 'user_integrations.secrets:a')).toThrow(DecryptionError);
    expect(() => new Envelope(ring(generateMasterKey())).open(sealed, 'user_integrations.secrets:a')).toThrow(/no master key/);
  });

  it('rejects a master key that is not 32 bytes', () => {
    expect(() => decodeMasterKey(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('generates a dev key file with mode 0600 and a warning when no key is configured', async () => {
    const { dataDir, drop } = await freshDatabase('sqlite');
    const warnings: string[] = [];
    const r = loadKeyRing(undefined, dataDir, (m) => warnings.push(m));
    const stat = fs.statSync(path.join(dataDir, 'master.key'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect(warnings[0]).toMatch(/SWITCHBOARD_MASTER_KEY is not set/);
    expect(loadKeyRing(undefined, dataDir, () => {}).current().id).toBe(r.current().id);
    await drop();
  });
});

describe.each(DIALECTS)('master keys on %s', (dialect) => {
  it('refuses to start with the wrong master key and leaves the data alone', async () => {
    const db = await freshDatabase(dialect);
    const env = (key: string) => ({ DATA_DIR: db.dataDir, DATABASE_URL: db.url, SWITCHBOARD_MASTER_KEY: key, LOG_LEVEL: 'silent' });
    const right = generateMasterKey();
    const hub = await createHub(loadConfig(env(right)), { logger: createLogger('silent') });
    const admin = (await hub.store.users.byEmail('admin@localhost'))!;
    const integ = await hub.store.integrations.create({ userId: admin.id, type: 'webhook', name: 'x', secrets: { secret: 'whsec_abc' } });
    await hub.close();

    await expect(createHub(loadConfig(env(generateMasterKey())), { logger: createLogger('silent') })).rejects.toBeInstanceOf(MasterKeyMismatchError);

    const again = await createHub(loadConfig(env(right)), { logger: createLogger('silent') });
    expect(await again.store.integrations.secrets(integ.id)).toEqual({ secret: 'whsec_abc' });
    await again.close();
    await db.drop();
  });

  it('rotates every secret to a new key, losing nothing', async () => {
    const db = await freshDatabase(dialect);
    const oldKey = generateMasterKey();
    const handle = openDatabase(db.url);
    await migrate(handle);
    const oldRing = ring(oldKey);
    await verifyMasterKeys(handle.kysely, oldRing, new Envelope(oldRing));
    const store = createStore(handle, new Envelope(oldRing));
    const user = await store.users.create({ email: 'r@example.com' });
    const ids: string[] = [];
    for (let i = 0; i < 120; i++) ids.push((await store.integrations.create({ userId: user.id, type: 'webhook', name: `w${i}`, secrets: { n: i } })).id);
    const { profile } = await store.profiles.create(user.id, 'agent', { kind: 'http', url: 'https://agent.example/x', secret: 'whsec_profile' });

    const newKey = generateMasterKey();
    const both = ring(newKey, oldKey);
    const progress: number[] = [];
    const n = await rotateSecrets(handle.kysely, both, (done) => progress.push(done));
    expect(n).toBe(121);
    expect(progress.at(-1)).toBe(121);

    const onlyNew = createStore(handle, new Envelope(ring(newKey)));
    for (const [i, id] of ids.entries()) expect(await onlyNew.integrations.secrets(id)).toEqual({ n: i });
    expect(onlyNew.profiles.agentSecret((await onlyNew.profiles.byId(profile.id))!)).toBe('whsec_profile');
    const kids = await handle.kysely.selectFrom('encryption_keys').select('kid').execute();
    expect(kids.map((k) => k.kid)).toEqual([decodeMasterKey(newKey).id]);
    expect(await rotateSecrets(handle.kysely, both)).toBe(0);
    // A value sealed under a retired key afterwards still stops a start-up without that key.
    await handle.kysely.updateTable('user_integrations').set({ secrets: new Envelope(oldRing).sealJson({ late: true }, `user_integrations.secrets:${ids[0]}`) }).where('id', '=', ids[0]).execute();
    await expect(verifyMasterKeys(handle.kysely, ring(newKey), new Envelope(ring(newKey)))).rejects.toThrow(/sealed under master key id/);
    await handle.close();
    await db.drop();
  });
});
