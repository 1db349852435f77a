import type { TestContext } from 'vitest';

/** The PostgreSQL server replica tests run against, or undefined. */
export const PG_URL = process.env.TEST_DATABASE_URL;

/** Skips a PostgreSQL test loudly (a note in the report) when TEST_DATABASE_URL is unset. */
export function needPostgres(ctx: TestContext): void {
  if (!PG_URL) ctx.skip('TEST_DATABASE_URL is not set: this PostgreSQL replica test did not run');
}
