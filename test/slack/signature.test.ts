import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from '../../adapters/slack/index.ts';

// Slack's published example ("Verifying requests from Slack"), see ../shared/notes/libraries.md.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TS = 1531420618;
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const headers = (sig = SIG, ts = String(TS)) => ({ 'x-slack-signature': sig, 'x-slack-request-timestamp': ts });

describe('Slack signature verification', () => {
  it("accepts Slack's published example at its own time", () => {
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: Buffer.from(BODY), headers: headers(), nowMs: TS * 1000 + 30_000 })).toEqual({ ok: true });
  });

  it('refuses a tampered body, a tampered signature and a wrong secret', () => {
    const now = TS * 1000;
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: BODY.replace('roadrunner', 'coyote'), headers: headers(), nowMs: now }).ok).toBe(false);
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, headers: headers(SIG.replace('a2114', 'a2115')), nowMs: now }).ok).toBe(false);
    expect(verifySlackSignature({ signingSecret: `${SECRET}x`, rawBody: BODY, headers: headers(), nowMs: now }).ok).toBe(false);
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, headers: headers(SIG.replace('v0=', 'v1=')), nowMs: now }).ok).toBe(false);
  });

  it('refuses the example outside the five-minute window, both ways, and without headers', () => {
    const stale = verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, headers: headers(), nowMs: (TS + 301) * 1000 });
    expect(stale).toEqual({ ok: false, reason: 'timestamp is older than five minutes' });
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, headers: headers(), nowMs: (TS - 301) * 1000 }).ok).toBe(false);
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, headers: headers(), nowMs: Date.now() }).ok).toBe(false);
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, headers: {}, nowMs: TS * 1000 }).ok).toBe(false);
    expect(verifySlackSignature({ signingSecret: SECRET, rawBody: BODY, headers: headers(SIG, 'abc'), nowMs: TS * 1000 }).ok).toBe(false);
  });
});
