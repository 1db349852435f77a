import { readLocalAdminKey } from '../bootstrap.ts';

/** An error the CLI prints as one line and exits non-zero with. */
export class CliError extends Error {}

/** Connection options shared by every REST command. */
export interface ClientOptions {
  url?: string;
  apiKey?: string;
}

/**
 * A small REST client for the hub. The URL comes from `--url`, `SWITCHBOARD_URL`, or
 * `http://localhost:$PORT`; the key from `--api-key`, `SWITCHBOARD_API_KEY`, `SWITCHBOARD_ADMIN_KEY`,
 * or the local admin key saved in `DATA_DIR`.
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
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new CliError(`Cannot reach the hub at ${this.baseUrl} (${(e as Error).cause ?? (e as Error).message}). Is it running? Start it with \`npm start\`.`);
    }
    const text = await res.text();
    const json = text ? safeJson(text) : undefined;
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new CliError(`${err?.message ?? `HTTP ${res.status}`}${err?.code ? ` (${err.code}, HTTP ${res.status})` : ''}`);
    }
    return json as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text };
  }
}
