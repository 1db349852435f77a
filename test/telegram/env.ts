import { readFileSync } from 'node:fs';
import { FakeTelegram, type FakeBot, type FakeSent } from '../fakes/telegram-api.ts';
import { eventually, startTestHub, type TestHub, type TestHubOptions } from '../helpers/hub.ts';

/** A hub wired to a fresh fake Bot API. */
export interface TgEnv {
  t: TestHub;
  fake: FakeTelegram;
  close(): Promise<void>;
}

/** The shared bot every test env knows (used when `shared` is asked for). */
export const SHARED_BOT: FakeBot = { token: '9000000001:SHAREDsharedSHAREDsharedSHARED_xx', id: 9000000001, username: 'switchboard_shared_bot' };

/** Starts a fake Bot API and a hub pointed at it. */
export async function startTgEnv(o: TestHubOptions & { shared?: boolean; fake?: FakeTelegram } = {}): Promise<TgEnv> {
  const fake = o.fake ?? (await new FakeTelegram().start());
  fake.addBot(SHARED_BOT);
  const t = await startTestHub({
    ...o,
    env: {
      TELEGRAM_API_ROOT: fake.url,
      PUBLIC_URL: 'http://127.0.0.1:9',
      ...(o.shared ? { TELEGRAM_SHARED_BOT_TOKEN: SHARED_BOT.token } : {}),
      ...o.env,
    },
  });
  return {
    t,
    fake,
    async close() {
      await t.close();
      if (!o.fake) await fake.close();
    },
  };
}

let botSeq = 0;
/** A new bot known to the fake. */
export function newBot(fake: FakeTelegram, username = `test${++botSeq}_bot`): FakeBot {
  const id = 7_000_000_000 + Math.floor(Math.random() * 1e8);
  return fake.addBot({ token: `${id}:AAH${Math.random().toString(36).slice(2).padEnd(12, 'x')}secretpart_${botSeq}`, id, username });
}

/** Creates a user; returns its API key, id and default profile. */
export async function newUser(t: TestHub, email: string): Promise<{ key: string; id: string; profileId: string }> {
  const created = await t.api('POST', '/v1/users', { email });
  const key = created.body.api_key as string;
  const profiles = await t.api('GET', '/v1/profiles', undefined, key);
  return { key, id: created.body.user.id, profileId: profiles.body.profiles[0].id };
}

/** Connects a bot for a user and grants it to a profile. Returns the integration, its link code and webhook secret. */
export async function connectBot(env: TgEnv, key: string, bot: FakeBot, profileId?: string): Promise<{ id: string; code: string; secret: string; body: any }> {
  const res = await env.t.api('POST', '/v1/integrations', { type: 'telegram', token: bot.token }, key);
  if (res.status !== 201) throw new Error(`connect failed: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.integration.id as string;
  if (profileId) {
    const g = await env.t.api('PUT', `/v1/profiles/${profileId}/grants/${id}`, undefined, key);
    if (g.status >= 300) throw new Error(`grant failed: ${g.status}`);
  }
  return { id, code: res.body.link.code, secret: env.fake.webhooks.get(bot.token)!.secret_token!, body: res.body };
}

/** Posts an update to a bot's webhook. */
export async function postUpdate(env: TgEnv, path: string, secret: string | undefined, update: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${env.t.url}/api/telegram/${path}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
    body: typeof update === 'string' ? update : JSON.stringify(update),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

let updateSeq = 1000;
let messageSeq = 100;

/** A private-chat text message update from Telegram user `from`. */
export function dm(from: number, text: string, extra: Record<string, unknown> = {}): any {
  const isCommand = text.startsWith('/');
  return {
    update_id: ++updateSeq,
    message: {
      message_id: ++messageSeq,
      from: { id: from, is_bot: false, first_name: `User${from}`, username: `user${from}` },
      chat: { id: from, type: 'private', first_name: `User${from}` },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(isCommand ? { entities: [{ offset: 0, length: text.split(/\s/)[0].length, type: 'bot_command' }] } : {}),
      ...extra,
    },
  };
}

/** A group (or forum topic) text message update. */
export function groupMsg(chatId: number, from: number, text: string, extra: Record<string, unknown> = {}): any {
  const u = dm(from, text, extra);
  u.message.chat = { id: chatId, type: 'supergroup', title: 'Group' };
  return u;
}

/** Reads a fixture of real update shapes. */
export function fixture(name: string): any {
  return JSON.parse(readFileSync(new URL(`../../adapters/telegram/fixtures/${name}.json`, import.meta.url), 'utf8'));
}

/** Waits until a bot has sent `n` messages to a chat; returns them. */
export async function waitSent(env: TgEnv, token: string, chatId: number, n: number, ms = 5000): Promise<FakeSent[]> {
  return eventually<FakeSent[] | undefined>(() => {
    const s = env.fake.sentBy(token, chatId);
    return s.length >= n ? s : undefined;
  }, ms) as Promise<FakeSent[]>;
}

/** Links Telegram user `tgUser` to a bot's owner with its code; waits for the confirmation. */
export async function claim(env: TgEnv, bot: FakeBot, integrationId: string, secret: string, code: string, tgUser: number): Promise<void> {
  const before = env.fake.sentBy(bot.token, tgUser).length;
  const r = await postUpdate(env, integrationId, secret, dm(tgUser, `/link ${code}`));
  if (r.status !== 200) throw new Error(`link post failed ${r.status}`);
  const sent = await waitSent(env, bot.token, tgUser, before + 1);
  if (!/Linked/.test(sent.at(-1)!.text)) throw new Error(`link failed: ${sent.at(-1)!.text}`);
}

export { eventually };

/** The same message as an `edited_message` update (a new update_id, an `edit_date`), as Telegram sends an edit. */
export function edited(update: any): any {
  const { message, ...rest } = update;
  return { ...rest, update_id: ++updateSeq, edited_message: { ...message, edit_date: message.date + 30 } };
}

/** Waits until the inbox has finished an update of a source (an integration id or `shared`); returns its status and reason. */
export async function inboxOutcome(env: TgEnv, source: string, updateId: number): Promise<{ status: string; last_error: string | null }> {
  return eventually(async () => {
    const row = await env.t.hub.db.kysely
      .selectFrom('inbox')
      .select(['status', 'last_error'])
      .where('source', '=', source)
      .where('external_event_id', '=', String(updateId))
      .executeTakeFirst();
    return row && row.status !== 'pending' && row.status !== 'processing' ? row : undefined;
  }) as Promise<{ status: string; last_error: string | null }>;
}
