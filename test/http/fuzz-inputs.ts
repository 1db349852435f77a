/**
 * Seeded generators of hostile HTTP requests for test/http/fuzz.test.ts: random methods, headers,
 * content types, bodies (wrong types, huge numbers, deep nesting, prototype keys, invalid UTF-8)
 * and ids. Everything comes from one PRNG, so a seed replays the same requests.
 */

/** A small, fast, seeded PRNG (mulberry32): floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from a PRNG. */
export class Picker {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  one<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  string(max = 20): string {
    const chars = 'abcXYZ019_-./:%@ éß中🙂\u0000\n"\\\'<>{}[]';
    return Array.from({ length: this.int(max + 1) }, () => this.one([...chars])).join('');
  }
}

/** Field names the routes and platform payloads read, plus prototype keys. */
const FIELDS = [
  'name', 'email', 'admin', 'type', 'token', 'url', 'secret', 'agent', 'kind', 'api_key', 'from', 'to', 'is_default',
  'channel', 'channels', 'message', 'subject', 'claim', 'idempotency_key', 'profile_id', 'text', 'thread', 'limit',
  'update_id', 'chat', 'id', 'date', 'entities', 'callback_query', 'my_chat_member', 'event', 'event_id', 'team_id',
  'challenge', 'user', 'ts', 'thread_ts', 'bot_id', 'subtype', 'files', 'jsonrpc', 'method', 'params', 'arguments',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
] as const;

/** Literal JSON texts JSON.stringify cannot make: huge numbers, odd escapes. */
const ODD_SCALARS = ['1e999', '-1e999', '123456789012345678901234567890', '-0', '0.0000000000000000000001', '"\\ud800"', '"\\u0000"', '9007199254740993', 'true', 'null', '""'];

/** A random JSON text: objects of known fields with wrong types, odd scalars, nesting. */
export function randomJson(p: Picker, depth = 0): string {
  const roll = p.int(10);
  if (depth > 3 || roll < 3) {
    switch (p.int(6)) {
      case 0: return p.one(ODD_SCALARS);
      case 1: return JSON.stringify(p.string(30));
      case 2: return String(p.one([0, -1, 1, 2 ** 31, 2 ** 53, -(2 ** 63), 3.14, Number.MAX_VALUE]));
      case 3: return p.one(['true', 'false', 'null']);
      case 4: return JSON.stringify(p.one(['telegram', 'slack', 'email', 'webhook', 'console', 'echo', 'http', 'message', 'event_callback', 'url_verification', 'initialize', 'tools/call', 'tools/list']));
      default: return JSON.stringify(p.one(['http://127.0.0.1:9/hook', 'not a url', 'https://user:pw@localhost/', 'http://169.254.169.254/latest', 'sb_guess', 'sbp_guess', 'a@b.c', 'x'.repeat(300)]));
    }
  }
  if (roll < 5) return `[${Array.from({ length: p.int(4) }, () => randomJson(p, depth + 1)).join(',')}]`;
  const n = 1 + p.int(5);
  return `{${Array.from({ length: n }, () => `${JSON.stringify(p.one(FIELDS))}:${randomJson(p, depth + 1)}`).join(',')}}`;
}

/** A random request body (bytes), or undefined for none. */
export function randomBody(p: Picker): Buffer | undefined {
  switch (p.int(12)) {
    case 0: return undefined;
    case 1: return Buffer.alloc(0);
    case 2: { const d = 1 + p.int(20_000); return Buffer.from('['.repeat(d) + ']'.repeat(d)); }
    case 3: { const d = 1 + p.int(5_000); return Buffer.from('{"a":'.repeat(d) + '1' + '}'.repeat(d)); }
    case 4: return Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]); // {"n":"<invalid UTF-8>"}
    case 5: return Buffer.from(p.string(200));
    case 6: return Buffer.from('{"__proto__":{"is_admin":1,"polluted":true},"constructor":{"prototype":{"polluted":true}},"name":"proto"}');
    case 7: return p.chance(0.1) ? Buffer.from(JSON.stringify({ name: 'x'.repeat(1_100_000) })) : Buffer.from('{"name":');
    case 8: return Buffer.from('name=x&email=a%40b.c&__proto__[x]=1');
    default: return Buffer.from(randomJson(p));
  }
}

/** Content types to send (undefined: none). */
export const CONTENT_TYPES = [
  'application/json', 'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'APPLICATION/JSON',
  'application/json; charset=', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=zz', ';;;',
  'application/vnd.api+json', 'text/event-stream', undefined,
] as const;

/**
 * A mutated copy of a real payload, as JSON text: some values swapped for wrong types or odd
 * scalars, some keys dropped, prototype keys added. Close enough to pass the first checks.
 */
export function mutateJson(p: Picker, value: unknown, rate = 0.12): string {
  if (p.chance(rate)) return randomJson(p, 2);
  if (Array.isArray(value)) return `[${value.map((v) => mutateJson(p, v, rate)).join(',')}]`;
  if (value && typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (p.chance(rate / 3)) continue;
      parts.push(`${JSON.stringify(k)}:${mutateJson(p, v, rate)}`);
    }
    if (p.chance(rate / 2)) parts.push(`${JSON.stringify(p.one(['__proto__', 'constructor', 'toString']))}:${randomJson(p, 2)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Random query strings. */
export function randomQuery(p: Picker): string {
  if (p.chance(0.6)) return '';
  return '?' + p.one(['limit=-1', 'limit=abc', 'limit=99999999999999999999', 'type[]=x', 'type=user_message', 'thread=%00', 'code=x&state=y', 'state=' + 'a'.repeat(500), '__proto__[polluted]=1', 'constructor[prototype][x]=1', 'profile=default', 'error=access_denied', 'x=%E0%A4%A']);
}

/** Random path ids: real ones, unknown, prototype words, odd characters. */
export function randomId(p: Picker, real: string[]): string {
  if (real.length && p.chance(0.4)) return p.one(real);
  return p.one(['constructor', '__proto__', 'toString', 'nope', 'int_000000000aaaaaaaaaaaa', 'shared', 'telegram', 'slack', '%00', '%FF', '..%2F..', 'a'.repeat(2000), '🙂', '1e999', '-1', '%E0%A4%A']);
}
