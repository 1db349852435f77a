import type { TestHub } from '../helpers/hub.ts';

/** A signed-in dashboard session for tests: the cookie header and the page's CSRF token. */
export interface DashboardSession {
  cookie: string;
  csrf: string;
  /** Calls the REST API as the dashboard does (cookie + X-CSRF-Token unless `csrf` is given). */
  api(method: string, path: string, body?: unknown, csrf?: string | null): Promise<{ status: number; body: any }>;
}

/** Posts the sign-in form; returns the raw answer (redirects not followed). */
export function postSignIn(t: TestHub, apiKey: string, extra: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.url}/ui/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body: new URLSearchParams({ api_key: apiKey, next: '/ui/activity' }),
  });
}

/** Signs in with `apiKey` and reads the CSRF token from the page's meta tag. */
export async function signIn(t: TestHub, apiKey = t.adminKey): Promise<DashboardSession> {
  const res = await postSignIn(t, apiKey);
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const page = await (await fetch(`${t.url}/ui/integrations`, { headers: { cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)![1];
  return {
    cookie,
    csrf,
    async api(method, path, body, given) {
      const headers: Record<string, string> = { cookie };
      if (given !== null) headers['x-csrf-token'] = given ?? csrf;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const r = await fetch(t.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}
