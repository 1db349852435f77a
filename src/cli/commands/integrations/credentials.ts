import { fillMissing, prompts } from '../../tty.ts';

/** Credential flags of `connect` and `update`. */
export interface CredentialFlags {
  token?: string;
  apiKey?: string;
  from?: string;
  to?: string;
  url?: string;
  /** A whsec_ value, or true to have one generated. */
  secret?: string | boolean;
}

/**
 * The request body of a type's credentials from flags; asks for what is missing on a terminal, or
 * throws one usage error naming the missing flags. `partial` (an update) requires only one field;
 * `method` is the chosen auth method (a hook's verification).
 */
export async function credentialBody(type: string, f: CredentialFlags, command: string, partial = false, method?: string): Promise<Record<string, unknown>> {
  const ask = async () => prompts();
  const body: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => v !== undefined && v !== '' && (body[k] = v);
  if (type === 'telegram') {
    const got = await fillMissing(f.token ? [] : [{ key: 'token', flag: '--token <bot token>', ask: async () => (await ask()).password({ message: 'Bot token from @BotFather:', mask: '*', validate: (v) => /^\d+:\S+$/.test(v.trim()) || 'a token looks like 123456:ABC-…' }) }], command, 'telegram');
    put('token', (f.token ?? got.token)?.trim());
  } else if (type === 'email') {
    const missing = [];
    if (!f.apiKey && !(partial && (f.from || f.to))) missing.push({ key: 'apiKey' as const, flag: '--api-key <re_…>', ask: async () => (await ask()).password({ message: 'Resend API key (re_…):', mask: '*' }) });
    if (!f.from && !partial) missing.push({ key: 'from' as const, flag: '--from <address>', ask: async () => (await ask()).input({ message: 'Sender (a verified domain, e.g. Alerts <alerts@example.com>):' }) });
    const got = await fillMissing(missing, command, 'email');
    put('api_key', f.apiKey ?? got.apiKey);
    put('from', f.from ?? got.from);
    put('to', f.to);
  } else if (type === 'webhook') {
    const missing = f.url || (partial && f.secret !== undefined) ? [] : [{ key: 'url' as const, flag: '--url <https://…>', ask: async () => (await ask()).input({ message: 'Webhook URL (https):' }) }];
    const got = await fillMissing(missing, command, 'webhook');
    put('url', f.url ?? got.url);
    let secret = f.secret;
    if (secret === undefined && got.url !== undefined) secret = (await (await ask()).confirm({ message: 'Sign deliveries with a secret (generated)?', default: true })) || undefined;
    put('secret', secret);
  } else if (type === 'hook') {
    // A hook's auth method is how its callers are verified; the hub makes the secret.
    put('verify', method);
  } else {
    put('token', f.token);
    put('api_key', f.apiKey);
    put('url', f.url);
    put('secret', f.secret);
    put('from', f.from);
    put('to', f.to);
  }
  return body;
}

/** Prints what connecting answered once (a /link code, a generated secret), masking secrets when asked. */
export function printShown(r: Record<string, unknown>, hideSensitive: boolean): void {
  for (const [k, v] of Object.entries(r)) {
    if (k === 'integration') continue;
    if (k === 'link' && v && typeof v === 'object' && 'instructions' in v) {
      console.log(`Next: ${(v as { instructions: string }).instructions}`);
      continue;
    }
    if (k === 'warnings' && Array.isArray(v)) {
      for (const w of v) console.log(`warning: ${w}`);
      continue;
    }
    const value = typeof v === 'object' ? JSON.stringify(v) : String(v);
    const sensitive = /secret|token|key/i.test(k);
    console.log(`${k}${sensitive ? ' (shown once)' : ''}: ${sensitive && hideSensitive ? `${value.slice(0, 6)}… (hidden by --hide-sensitive)` : value}`);
  }
}
