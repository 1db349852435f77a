import express, { Router, type Request } from 'express';
import { safeEqual } from '../crypto/tokens.ts';
import type { HubContext } from '../hub.ts';
import { clearSessionCookie, csrfTokenFor, readCookie, SESSION_COOKIE, SESSION_TTL_MS, setSessionCookie } from './cookies.ts';
import { signInPage } from './sign-in-page.ts';
import { SignInThrottle } from './throttle.ts';

/** Where to go after signing in: a dashboard page only (never another site). */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/ui\/[a-z-]+$/.test(value) ? value : '/ui/integrations';
}

/** True when the browser says the form came from another site (`Origin` names another host). */
function crossSite(req: Request): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/**
 * `GET/POST /ui/sign-in` and `POST /ui/sign-out`. Signing in takes a user API key (never a profile
 * token), opens a session (12 h) and sets its cookie. A wrong key re-renders the form with a message
 * (401); after 5 failures from one IP each further try must wait (429, exponential). Sign-out needs
 * the session's CSRF token and deletes the session.
 */
export function signInRoutes(hub: HubContext, throttle = new SignInThrottle()): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const publicUrl = hub.config.publicUrl;

  r.get('/ui/sign-in', (req, res) => {
    const notice = req.query.expired ? 'Your session has expired. Sign in again to continue.' : req.query.signed_out ? 'You are signed out.' : undefined;
    res.type('html').send(signInPage({ next: safeNext(req.query.next), notice }).value);
  });

  r.post('/ui/sign-in', form, async (req, res) => {
    const next = safeNext(req.body?.next);
    if (crossSite(req)) return void res.status(403).type('html').send(signInPage({ next, error: 'This sign-in came from another site and was refused.' }).value);
    const ip = req.ip ?? 'unknown';
    const wait = throttle.waitMs(ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      res.setHeader('retry-after', String(seconds));
      return void res.status(429).type('html').send(signInPage({ next, error: `Too many failed sign-ins. Wait ${seconds} s and try again.` }).value);
    }
    const key = typeof req.body?.api_key === 'string' ? req.body.api_key.trim() : '';
    const found = key ? await hub.store.users.apiKeys.find(key) : undefined;
    if (!found) {
      throttle.failed(ip);
      return void res.status(401).type('html').send(signInPage({ next, error: key ? 'That API key is not valid.' : 'Enter your API key.' }).value);
    }
    throttle.succeeded(ip);
    const session = await hub.store.sessions.open(found.user.id, found.key.id, SESSION_TTL_MS);
    setSessionCookie(res, session.token, publicUrl);
    res.redirect(303, next);
  });

  r.post('/ui/sign-out', form, async (req, res) => {
    const token = readCookie(req, SESSION_COOKIE);
    const given = typeof req.body?.csrf === 'string' ? req.body.csrf : '';
    if (token && !safeEqual(given, csrfTokenFor(token))) return void res.status(403).type('text').send('Missing or wrong CSRF token: reload the page and sign out again.');
    if (token) await hub.store.sessions.close(token);
    clearSessionCookie(res, publicUrl);
    res.redirect(303, '/ui/sign-in?signed_out=1');
  });
  return r;
}
