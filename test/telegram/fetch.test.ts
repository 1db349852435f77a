import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api, GrammyError, HttpError } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramFetch } from '../../adapters/telegram/fetch.ts';
import { FakeTelegram } from '../fakes/telegram-api.ts';

/** grammY's Api on a root, with our fetch: the way BotPool builds every bot. */
const apiOn = (root: string, token: string) => new Api(token, { apiRoot: root, fetch: telegramFetch as unknown as typeof fetch });

describe("grammY's client over node:http (telegramFetch)", () => {
  const fake = new FakeTelegram();
  const bot = { token: '7111111111:AAHfetchFETCHfetchFETCHfetch_xx', id: 7111111111, username: 'fetch_bot' };
  beforeAll(async () => {
    await fake.start();
    fake.addBot(bot);
  });
  afterAll(() => fake.close());

  it('sends the JSON call and reads the result', async () => {
    const m = await apiOn(fake.url, bot.token).sendMessage(42, 'hello <b>there</b>', { parse_mode: 'HTML' });
    expect(m.message_id).toBeGreaterThan(0);
    expect(fake.sentBy(bot.token, 42).map((s) => [s.text, s.parse_mode])).toEqual([['hello <b>there</b>', 'HTML']]);
  });

  it("reads Telegram's refusal from a non-200 answer (429 with retry_after)", async () => {
    fake.fail({ method: 'sendMessage', error_code: 429, description: 'Too Many Requests: retry after 7', retry_after: 7 });
    const e = await apiOn(fake.url, bot.token).sendMessage(42, 'x').catch((err) => err);
    expect(e).toBeInstanceOf(GrammyError);
    expect([(e as GrammyError).error_code, (e as GrammyError).parameters.retry_after]).toEqual([429, 7]);
  });

  it('rejects as "could not reach" (HttpError) when nothing listens, without the token in the message', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await apiOn(`http://127.0.0.1:${port}`, bot.token).getMe().catch((err) => err);
    expect(e).toBeInstanceOf(HttpError);
    expect(String(e)).not.toContain(bot.token);
  });

  it('aborts a call that hangs when its signal fires, and closes the connection', async () => {
    let closedByClient: () => void = () => {};
    const connectionClosed = new Promise<void>((r) => (closedByClient = r));
    const hanging = http.createServer((req) => req.socket.once('close', () => closedByClient()));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    try {
      const controller = new AbortController();
      const call = apiOn(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, bot.token).getMe(controller.signal as never);
      hanging.once('request', () => controller.abort());
      await expect(call).rejects.toBeInstanceOf(HttpError);
      await connectionClosed;
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });
});
