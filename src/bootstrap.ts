import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from './channel/index.ts';
import { newApiKey } from './crypto/tokens.ts';
import { ensurePrivateDir, makePrivate } from './private-files.ts';
import type { Store } from './store/index.ts';

/** Name of the file in DATA_DIR that holds the local admin's API key (mode 0600). */
export const ADMIN_KEY_FILE = 'admin.key';

/** What bootstrapping did. */
export interface BootstrapResult {
  /** The key of an admin created just now (printed once), if any. */
  createdAdminKey?: string;
}

/**
 * Makes a fresh hub usable: ensures the admin of `SWITCHBOARD_ADMIN_KEY` (see {@link ensureAdminKey}),
 * and on an empty database creates an admin (its key saved to `DATA_DIR/admin.key`, mode 0600) with
 * a `default` echo profile.
 */
export async function bootstrap(store: Store, dataDir: string, adminKey: string | undefined, log: Logger): Promise<BootstrapResult> {
  if (adminKey) await ensureAdminKey(store, adminKey, log);
  makePrivate(path.join(dataDir, ADMIN_KEY_FILE));
  if ((await store.users.count()) > 0) return {};
  const key = newApiKey();
  await store.transaction(async (tx) => {
    const admin = await tx.users.create({ email: 'admin@localhost', name: 'Admin', isAdmin: true });
    await tx.users.addApiKey(admin.id, key, ADMIN_KEY_FILE);
    await tx.profiles.create(admin.id, 'default', { kind: 'echo' });
  });
  const file = path.join(dataDir, ADMIN_KEY_FILE);
  ensurePrivateDir(dataDir);
  fs.writeFileSync(file, key + '\n', { mode: 0o600 });
  return { createdAdminKey: key };
}

/**
 * Makes `adminKey` the admin's bootstrap key. The bootstrap key is replaced, not added to: a changed
 * value deletes the previous bootstrap key and stores the new one in one transaction (creating the
 * admin `admin@localhost` with a `default` profile if needed); an unchanged value writes nothing.
 */
async function ensureAdminKey(store: Store, adminKey: string, log: Logger): Promise<void> {
  const found = await store.users.apiKeys.find(adminKey);
  if (found) {
    // A key stored before keys had flags: mark it once, so a later change replaces it.
    if (found.key.is_bootstrap !== 1) await store.users.apiKeys.markBootstrap(found.key.id);
    return;
  }
  const replaced = await store.transaction(async (tx) => {
    const existing = await tx.users.byEmail('admin@localhost');
    const admin = existing ?? (await tx.users.create({ email: 'admin@localhost', name: 'Admin', isAdmin: true }));
    const before = (await tx.users.apiKeys.list(admin.id)).some((k) => k.is_bootstrap === 1);
    await tx.users.apiKeys.replaceBootstrap(admin.id, adminKey);
    if (!existing) await tx.profiles.create(admin.id, 'default', { kind: 'echo' });
    return before;
  });
  log.info({}, replaced ? 'SWITCHBOARD_ADMIN_KEY changed: the previous bootstrap key is revoked' : 'SWITCHBOARD_ADMIN_KEY: admin ensured');
}

/** Reads the local admin key saved by {@link bootstrap}, if present. */
export function readLocalAdminKey(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dataDir, ADMIN_KEY_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
