import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'sb_session';

/** How long a dashboard session lasts: 12 hours (ms). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** The value of one cookie of the request, or undefined. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Sets the session cookie: httpOnly, SameSite=Strict, Path=/, Max-Age = the session's life;
 * Secure when the hub's PUBLIC_URL is https.
 */
export function setSessionCookie(res: Response, token: string, publicUrl: string, ttlMs = SESSION_TTL_MS): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: publicUrl.startsWith('https://'), path: '/', maxAge: ttlMs });
}

/** Clears the session cookie. */
export function clearSessionCookie(res: Response, publicUrl: string): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: publicUrl.startsWith('https://'), path: '/' });
}

/**
 * The CSRF token of a session: derived from the session token (SHA-256 with a label), so it needs
 * no storage, differs per session, and reveals nothing about the cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`switchboard-csrf:${sessionToken}`).digest('base64url');
}
