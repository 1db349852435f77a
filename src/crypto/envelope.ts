import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyRing } from './keyring.ts';

/** Prefix of every sealed value; bump when the layout changes. */
const VERSION = 'sb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Raised when a sealed value cannot be opened (wrong key, tampered, or unknown key id). */
export class DecryptionError extends Error {}

function gcmSeal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('sealed value is truncated');
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError('sealed value failed authentication (wrong key or tampered data)');
  }
}

/**
 * Envelope encryption with AES-256-GCM. Each value gets its own random data key; the data key is
 * wrapped by the master key named by its key id. `context` (e.g. `user_integrations.secrets:<id>`)
 * is bound as associated data so a sealed value cannot be moved to another row or column.
 *
 * Layout: `sb1.<kid>.<wrapped data key>.<ciphertext>` (base64url parts).
 */
export class Envelope {
  constructor(private readonly ring: KeyRing) {}

  /** Seals `plaintext` under the ring's current key. */
  seal(plaintext: string, context: string): string {
    const { id, key } = this.ring.current();
    const dataKey = randomBytes(32);
    const aad = Buffer.from(`${VERSION}|${id}|${context}`);
    const wrapped = gcmSeal(key, dataKey, aad);
    const body = gcmSeal(dataKey, Buffer.from(plaintext, 'utf8'), aad);
    return [VERSION, id, wrapped.toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Opens a value sealed by {@link seal} with the same context. Throws {@link DecryptionError}. */
  open(sealed: string, context: string): string {
    const { id, wrapped, body } = parse(sealed);
    const key = this.ring.get(id);
    if (!key) throw new DecryptionError(`no master key with id ${id} is loaded`);
    const aad = Buffer.from(`${VERSION}|${id}|${context}`);
    const dataKey = gcmOpen(key, wrapped, aad);
    return gcmOpen(dataKey, body, aad).toString('utf8');
  }

  /** Seals a JSON value. */
  sealJson(value: unknown, context: string): string {
    return this.seal(JSON.stringify(value), context);
  }

  /** Opens a JSON value sealed by {@link sealJson}. */
  openJson<T>(sealed: string, context: string): T {
    return JSON.parse(this.open(sealed, context)) as T;
  }

  /** The key id a sealed value was made with. */
  static keyIdOf(sealed: string): string {
    return parse(sealed).id;
  }
}

function parse(sealed: string): { id: string; wrapped: Buffer; body: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptionError('not a sealed value');
  return { id: parts[1], wrapped: Buffer.from(parts[2], 'base64url'), body: Buffer.from(parts[3], 'base64url') };
}
