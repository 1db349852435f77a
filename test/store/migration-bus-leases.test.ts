import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { migrate, openDatabase, type Db } from '../../src/store/index.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';

describe.each(DIALECTS)('migration 004_bus_leases on %s', (dialect) => {
  let db: Db;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabase(dialect);
    drop = fresh.drop;
    db = openDatabase(fresh.url);
    const { error } = await new Migrator({ db: db.kysely, provider: migrationProvider }).migrateTo('003_integration_state');
    expect(error).toBeUndefined();
    const k = db.kysely as any;
    await k.insertInto('users').values({ id: 'usr_old', email: 'old@example.com', name: null, is_admin: 0, created_at: 1 }).execute();
    await k
      .insertInto('agent_profiles')
      .values({ id: 'prf_old', user_id: 'usr_old', name: 'old', agent_kind: 'http', agent_url: 'https://agent.example.com', agent_secret: null, token_hash: 'h', created_at: 1, updated_at: 1 })
      .execute();
    // A turn the old hub left in flight.
    await k
      .insertInto('inbox')
      .values({ channel: 'console', source: 'prf_old', external_event_id: 'e1', ordering_key: 'k', payload: '{}', status: 'processing', attempts: 1, locked_until: 5, last_error: null, received_at: 1, processed_at: null })
      .execute();
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('keeps existing profiles at least once and existing rows without an owner; down removes the columns', async () => {
    expect(await migrate(db)).toContain('004_bus_leases');
    const profile = await db.kysely.selectFrom('agent_profiles').select('agent_delivery').where('id', '=', 'prf_old').executeTakeFirstOrThrow();
    expect(profile.agent_delivery).toBe('at_least_once');
    const row = await db.kysely.selectFrom('inbox').select(['status', 'lease_owner']).where('external_event_id', '=', 'e1').executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'processing', lease_owner: null });

    const { error } = await new Migrator({ db: db.kysely, provider: migrationProvider }).migrateTo('003_integration_state');
    expect(error).toBeUndefined();
    const columns = (await db.kysely.introspection.getTables()).find((t) => t.name === 'agent_profiles')!.columns.map((c) => c.name);
    expect(columns).not.toContain('agent_delivery');
    expect(await migrate(db)).toContain('004_bus_leases');
  });
});
