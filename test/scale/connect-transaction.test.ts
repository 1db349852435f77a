import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { DIALECTS } from '../helpers/db.ts';
import { newBot } from '../telegram/env.ts';
import { startQuietHub, type QuietHub } from './quiet-hub.ts';

/**
 * A connect writes the integration row, its state and its first `/link` code in one transaction
 * (shared with concurrent connects through the bus's group commit): a failing write leaves none of
 * them, and does not take the other connects of its batch down with it.
 */
describe.each(DIALECTS)('a Telegram connect commits all of its rows or none (%s)', (dialect) => {
  let fake: FakeTelegram;
  let h: QuietHub;
  let userId: string;
  let key: string;

  /** Makes the database refuse inserts into `table` whose `column` is `value`, as a full disk or a constraint would. */
  async function refuse(table: 'user_integrations' | 'link_codes', column: string, value: string): Promise<void> {
    const db = h.hub.db.kysely;
    const name = `refuse_${table}`;
    if (dialect === 'sqlite') {
      await sql.raw(`create trigger ${name} before insert on ${table} when new.${column} = '${value}' begin select raise(abort, 'refused by the test'); end`).execute(db);
    } else {
      await sql.raw(`create or replace function ${name}() returns trigger as $$ begin if new.${column} = '${value}' then raise exception 'refused by the test'; end if; return new; end $$ language plpgsql`).execute(db);
      await sql.raw(`create trigger ${name} before insert on ${table} for each row execute function ${name}()`).execute(db);
    }
  }

  const rows = async (table: 'user_integrations' | 'link_codes' | 'integration_state') => {
    const db = h.hub.db.kysely;
    if (table === 'integration_state') {
      return (await db.selectFrom('integration_state').innerJoin('user_integrations', 'user_integrations.id', 'integration_state.integration_id').select('integration_state.key').where('user_integrations.user_id', '=', userId).execute()).length;
    }
    return (await db.selectFrom(table).select('user_id').where('user_id', '=', userId).execute()).length;
  };
  const connect = (username: string) => h.api('POST', '/v1/integrations', { type: 'telegram', token: newBot(fake, username).token }, key);

  beforeAll(async () => {
    fake = await new FakeTelegram().start();
    h = await startQuietHub(dialect, { TELEGRAM_API_ROOT: fake.url, PUBLIC_URL: 'http://127.0.0.1:9' });
    const created = await h.api('POST', '/v1/users', { email: `tx-${dialect}@example.com` });
    userId = created.body.user.id;
    key = created.body.api_key;
    await refuse('user_integrations', 'name', '@doomedrow_bot');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
    await fake?.close();
  });

  it('a refused integration row leaves no /link code or state behind; its batch-mates are connected', async () => {
    // Connected together, so they share a group commit with the doomed one.
    const results = await Promise.all(['tx_a_bot', 'doomedrow_bot', 'tx_b_bot', 'tx_c_bot'].map(connect));
    expect(results.map((r) => r.status)).toEqual([201, 500, 201, 201]);
    expect(await rows('user_integrations')).toBe(3);
    expect(await rows('link_codes')).toBe(3);
    expect(await rows('integration_state')).toBe(3);
    // Each shown code is the stored one: it claims its own bot.
    for (const r of [results[0], results[2], results[3]]) expect(r.body.link.code).toMatch(/^[A-Z2-9]{10}$/);
  });

  it('a refused /link code leaves no integration row behind', async () => {
    const before = await rows('user_integrations');
    // The code's purpose names the integration id, which the connect picks: match on the user.
    await refuse('link_codes', 'user_id', userId);
    const r = await connect('tx_d_bot');
    expect(r.status).toBe(500);
    expect(await rows('user_integrations')).toBe(before);
    expect(await rows('integration_state')).toBe(before);
  });
});
