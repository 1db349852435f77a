import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router, type RequestHandler } from 'express';
import type { HubContext } from '../hub.ts';
import { csrfTokenFor, readCookie, SESSION_COOKIE } from './cookies.ts';
import { integrationsCsp, tellerScriptOrigin } from './data-sources.ts';
import { SECTIONS, signedInPage, type PageName } from './layout.ts';
import { PAGE_BODIES } from './pages.ts';
import { qrRoute } from './qr.ts';
import { noStore, securityHeaders } from './security.ts';
import { signInRoutes } from './sign-in.ts';
import type { SignInThrottle } from './throttle.ts';

export { sessionOrKeyAuth } from './session-auth.ts';

/** The folder of the dashboard's JS and CSS: beside this file, or in src/ when running compiled from dist/. */
function publicDir(): string {
  const here = fileURLToPath(new URL('./public/', import.meta.url));
  if (existsSync(here)) return here;
  return fileURLToPath(new URL('../../../src/dashboard/public/', import.meta.url));
}

/** Options of {@link dashboardRoutes}. */
export interface DashboardOptions {
  /** The sign-in slowdown (tests inject one with a clock). */
  throttle?: SignInThrottle;
}

/**
 * The dashboard, served by the hub: `GET /` → the Integrations page, `/ui/sign-in`, `/ui/sign-out`,
 * one page per section under `/ui/<section>`, static assets under `/ui/assets/`, QR codes at
 * `/ui/qr.svg`. Pages need a session; without one they redirect to sign-in (keeping the page as
 * `next`). The pages call the REST API with the session cookie and the CSRF token.
 */
export function dashboardRoutes(hub: HubContext, o: DashboardOptions = {}): Router {
  const r = Router();
  const ours = (req: { path: string }) => req.path === '/' || req.path === '/ui' || req.path.startsWith('/ui/');
  r.use((req, res, next) => (ours(req) ? securityHeaders(req, res, next) : next()));
  r.get('/', (_req, res) => res.redirect(302, '/ui/integrations'));
  r.get('/favicon.ico', (_req, res) => void res.status(204).end());
  r.use('/ui/assets', express.static(publicDir(), { index: false, fallthrough: false, maxAge: 0 }));
  r.use((req, res, next) => (ours(req) ? noStore(req, res, next) : next()));
  r.use(signInRoutes(hub, o.throttle));

  const session: RequestHandler = async (req, res, next) => {
    const token = readCookie(req, SESSION_COOKIE);
    const found = token ? await hub.store.sessions.find(token) : undefined;
    const user = found && (await hub.store.users.byId(found.userId));
    if (!token || !user) {
      const nextPage = encodeURIComponent(req.path);
      return void res.redirect(303, `/ui/sign-in?next=${nextPage}${token ? '&expired=1' : ''}`);
    }
    res.locals.dashboard = { user, csrf: csrfTokenFor(token) };
    next();
  };
  r.get('/ui/qr.svg', session, qrRoute);
  for (const s of SECTIONS) {
    r.get(`/ui/${s.page}`, session, async (_req, res) => {
      const { user, csrf } = res.locals.dashboard as { user: { id: string; email: string; is_admin: number }; csrf: string };
      const isAdmin = Number(user.is_admin) === 1;
      if ('admin' in s && !isAdmin) return void res.status(403).type('text').send('Only an admin may see this page.');
      const page = s.page as PageName;
      // Data sources: the one page that loads a script from outside, Teller Connect's.
      if (page === 'integrations') res.setHeader('content-security-policy', integrationsCsp(await tellerScriptOrigin(hub, { userId: user.id, userEmail: user.email })));
      res.type('html').send(signedInPage({ page, title: s.title, csrf, email: user.email, isAdmin }, PAGE_BODIES[page]).value);
    });
  }
  return r;
}
