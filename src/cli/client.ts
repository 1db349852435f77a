import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The local admin key file in DATA_DIR, as src/bootstrap.ts writes it (ADMIN_KEY_FILE there). Read
 * here directly: importing bootstrap would load the crypto modules into every CLI start.
 */
function readLocalAdminKey(dataDir: string): string | undefined {
  try {
    return readFileSync(path.join(dataDir, 'admin.key'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * An error the CLI prints as one line (`error: …`) and exits with: `exitCode` 1 for failures, 2 for
 * usage errors. `status` and `code` are the hub's HTTP status and error code when it answered one.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A usage error: the command line is incomplete or wrong (exit code 2, "see --help"). */
export class UsageError extends CliError {
  constructor(message: string, command = 'switchboard') {
    super(`${message}; see \`${command} --help\``, 2);
  }
}

/** Connection options shared by every REST command. */
export interface ClientOptions {
  url?: string;
  apiKey?: string;
}

/**
 * A small REST client for the hub. The URL comes from `--url`, `SWITCHBOARD_URL`, or
 * `http://localhost:$PORT` (PORT default 3000); the key from `--api-key`, `SWITCHBOARD_API_KEY`,
 * `SWITCHBOARD_ADMIN_KEY`, or the local admin key saved in `DATA_DIR` (default `./data`).
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly apiKey: string | undefined;

  constructor(o: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.baseUrl = (o.url || env.SWITCHBOARD_URL || `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, '');
    this.apiKey = o.apiKey || env.SWITCHBOARD_API_KEY || env.SWITCHBOARD_ADMIN_KEY || readLocalAdminKey(env.DATA_DIR || './data');
  }

  /** Calls the API; resolves with the JSON answer, or throws a CliError with the hub's message. */
  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.apiKey) throw new CliError('No API key: pass --api-key, set SWITCHBOARD_API_KEY, or run the hub once locally (it saves an admin key in DATA_DIR).');
    let res: { status: number; text: string };
    try {
      res = await send(method, this.baseUrl + path, { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body === undefined ? undefined : JSON.stringify(body));
    } catch (e) {
      throw new CliError(`Cannot reach the hub at ${this.baseUrl} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Is it running? Start it with \`npm start\`.`);
    }
    const json = res.text ? safeJson(res.text) : undefined;
    if (res.status >= 400) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new CliError(`${err?.message ?? `HTTP ${res.status}`}${err?.code ? ` (${err.code}, HTTP ${res.status})` : ''}`, 1, res.status, err?.code);
    }
    return json as T;
  }

  /**
   * Like {@link request}, for an API a hub may not have yet (triggers): a 404 on the route itself
   * (not on a row) becomes a CliError naming `what`.
   */
  async feature<T = any>(what: string, method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.request<T>(method, path, body);
    } catch (e) {
      if (e instanceof CliError && e.status === 404 && (e.code === undefined || e.code === 'route_not_found')) {
        throw new CliError(`This hub has no ${what} API (${method} ${path.split('?')[0]} answered 404); update the hub`, 1, 404, e.code);
      }
      throw e;
    }
  }
}

/**
 * One HTTP request with node:http(s). Not `fetch`: loading undici costs this CLI about 0.35 s and
 * 40 MB at start-up, more than everything else together.
 */
async function send(method: string, url: string, headers: Record<string, string>, body: string | undefined): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  const { request } = u.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(u, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}
