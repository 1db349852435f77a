import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

// Slack's published example (libraries.md §3), sent over HTTP to a hub whose clock is set to its time.
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TS = 1531420618;
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

describe("Slack's signature example against POST /api/slack/events", () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ env: { SLACK_SIGNING_SECRET: SECRET }, extraAdapters: { slack: (deps) => createSlackAdapter(deps, { now: () => TS * 1000 + 10_000 }) } });
  });
  afterAll(() => t.close());

  const post = (body: string, sig: string) =>
    fetch(`${t.url}/api/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(TS), 'x-slack-signature': sig }, body });

  it('passes the signature check (then refuses the slash-command body as not JSON), and a tampered one gets 401', async () => {
    const ok = await post(BODY, SIG);
    expect(ok.status).toBe(400);
    expect((await ok.json()).error.code).toBe('malformed_json');
    expect((await post(BODY.replace('roadrunner', 'wile'), SIG)).status).toBe(401);
    expect((await post(BODY, SIG.replace(/.$/, '0'))).status).toBe(401);
    expect(await t.hub.store.counts.all('inbox')).toEqual({});
  });
});
