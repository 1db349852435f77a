import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of user API keys. */
export const API_KEY_PREFIX = 'sb_';
/** Prefix of agent profile tokens. */
export const PROFILE_TOKEN_PREFIX = 'sbp_';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random string of `length` characters from `alphabet`, without modulo bias. */
export function randomString(length: number, alphabet = ALPHABET): string {
  const out: string[] = [];
  const limit = 256 - (256 % alphabet.length);
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit) out.push(alphabet[b % alphabet.length]);
      if (out.length === length) break;
    }
  }
  return out.join('');
}

/** A new user API key (shown once; only its hash is stored). */
export function newApiKey(): string {
  return API_KEY_PREFIX + randomString(40);
}

/** A new agent profile token (shown once; only its hash is stored). */
export function newProfileToken(): string {
  return PROFILE_TOKEN_PREFIX + randomString(40);
}

/** SHA-256 hex of a high-entropy token; enough since tokens are random, not passwords. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two strings in constant time (for equal lengths). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A new portable id: time-ordered prefix + randomness, safe in URLs. */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36).padStart(9, '0')}${randomString(12, '0123456789abcdefghijklmnopqrstuvwxyz')}`;
}
