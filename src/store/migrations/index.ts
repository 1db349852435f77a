import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial.ts';
import * as m002 from './002_api_key_names.ts';
import * as m003 from './003_integration_state.ts';
import * as m004 from './004_bus_leases.ts';
import * as m005 from './005_replica_coordination.ts';
import * as m006 from './006_triggers.ts';
import * as m007 from './007_llm_profiles.ts';
import * as m008 from './008_dashboard_sessions.ts';
import * as m009 from './009_scale_indexes.ts';
import * as m010 from './010_failed_rows.ts';

/** Every migration, in code so it runs the same under tsx, vitest and a bundle. Names sort in order. */
const MIGRATIONS: Record<string, Migration> = {
  '001_initial': m001,
  '002_api_key_names': m002,
  '003_integration_state': m003,
  '004_bus_leases': m004,
  '005_replica_coordination': m005,
  '006_triggers': m006,
  '007_llm_profiles': m007,
  '008_dashboard_sessions': m008,
  '009_scale_indexes': m009,
  '010_failed_rows': m010,
};

/** Kysely migration provider over {@link MIGRATIONS}. */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
