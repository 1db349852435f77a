import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, makePrivate } from '../private-files.ts';

/** One master key and its id (first 16 hex digits of its SHA-256). */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Raised when a master key is malformed or missing. */
export class KeyRingError extends Error {}

/** Name of the dev key file inside DATA_DIR. */
export const DEV_KEY_FILE = 'master.key';

/** Derives the public id of a key. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** Decodes a base64 master key; it must be exactly 32 bytes. */
export function decodeMasterKey(b64: string): MasterKey {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== 32) {
    throw new KeyRingError('SWITCHBOARD_MASTER_KEY must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`)');
  }
  return { id: keyId(key), key };
}

/** Makes a new random master key, base64. */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The master keys the hub can use: the first is current (it seals), the others only open.
 * Keys come from `SWITCHBOARD_MASTER_KEY` (comma-separated, current first) or from the dev key file
 * `DATA_DIR/master.key` (one key per line, current first), which is created with mode 0600 if absent.
 */
export class KeyRing {
  private keys: MasterKey[];
  private fileMtime = 0;

  constructor(
    keys: MasterKey[],
    /** The dev key file backing this ring, if any; re-read when it changes (`keys rotate` in another process). */
    readonly file?: string,
  ) {
    if (keys.length === 0) throw new KeyRingError('a key ring needs at least one key');
    this.keys = keys;
    if (file) this.fileMtime = fs.statSync(file).mtimeMs;
  }

  /** The key that seals new values. */
  current(): MasterKey {
    this.refresh();
    return this.keys[0];
  }

  /** A key by id. */
  get(id: string): Buffer | undefined {
    this.refresh();
    return this.keys.find((k) => k.id === id)?.key;
  }

  /** Re-reads the dev key file when it changed on disk. */
  private refresh(): void {
    if (!this.file) return;
    const mtime = fs.statSync(this.file, { throwIfNoEntry: false })?.mtimeMs;
    if (mtime === undefined || mtime === this.fileMtime) return;
    this.keys = readKeyFile(this.file);
    this.fileMtime = mtime;
  }

  /** Ids of every loaded key, current first. */
  ids(): string[] {
    return this.keys.map((k) => k.id);
  }
}

/** Reads the keys of a dev key file, current first. */
export function readKeyFile(file: string): MasterKey[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map(decodeMasterKey);
}

/** Writes keys (base64, current first) to a dev key file atomically with mode 0600. */
export function writeKeyFile(file: string, keysB64: string[]): void {
  ensurePrivateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, keysB64.join('\n') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * Loads the ring from config. With no configured key, uses (or creates) the dev key file and calls
 * `warn` so the operator knows to set `SWITCHBOARD_MASTER_KEY` in production.
 */
export function loadKeyRing(masterKeys: readonly string[] | undefined, dataDir: string, warn: (msg: string) => void): KeyRing {
  if (masterKeys && masterKeys.length > 0) return new KeyRing(masterKeys.map(decodeMasterKey));
  const file = path.join(dataDir, DEV_KEY_FILE);
  if (!fs.existsSync(file)) {
    writeKeyFile(file, [generateMasterKey()]);
    warn(`SWITCHBOARD_MASTER_KEY is not set: generated a development master key in ${file} (mode 0600). Set SWITCHBOARD_MASTER_KEY in production.`);
  } else {
    makePrivate(file);
    warn(`SWITCHBOARD_MASTER_KEY is not set: using the development master key in ${file}.`);
  }
  return new KeyRing(readKeyFile(file), file);
}
