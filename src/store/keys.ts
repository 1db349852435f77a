import type { Kysely } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import type { KeyRing } from '../crypto/keyring.ts';
import type { Database } from './schema.ts';
import { sealedKeyIds } from './secret-columns.ts';

const CHECK_TEXT = 'switchboard-key-check';
const CHECK_CONTEXT = 'encryption_keys.check';

/** Raised when the loaded master keys cannot open what the database holds. */
export class MasterKeyMismatchError extends Error {}

/**
 * Registers the current key in `encryption_keys` and refuses to go on if the database holds
 * secrets under a key the ring does not have (a wrong `SWITCHBOARD_MASTER_KEY`). Never overwrites.
 */
export async function verifyMasterKeys(db: Kysely<Database>, ring: KeyRing, envelope: Envelope): Promise<void> {
  const known = await db.selectFrom('encryption_keys').selectAll().execute();
  for (const k of known) {
    if (!ring.get(k.kid)) {
      throw new MasterKeyMismatchError(
        `The database holds secrets sealed under master key id ${k.kid}, which the configured SWITCHBOARD_MASTER_KEY does not provide. ` +
          'Start with the key that encrypted this database (add new keys after it, comma-separated, only while rotating).',
      );
    }
    try {
      if (envelope.open(k.check_value, CHECK_CONTEXT) !== CHECK_TEXT) throw new Error('mismatch');
    } catch {
      throw new MasterKeyMismatchError(`Master key id ${k.kid} does not open this database's check value: wrong key.`);
    }
  }
  for (const kid of await sealedKeyIds(db)) {
    if (!ring.get(kid)) {
      throw new MasterKeyMismatchError(`Secrets in the database are sealed under master key id ${kid}, which the configured keys do not provide; add that key (after the current one) and run \`switchboard keys rotate\`.`);
    }
  }
  const current = ring.current().id;
  if (!known.some((k) => k.kid === current)) {
    await db
      .insertInto('encryption_keys')
      .values({ kid: current, check_value: envelope.seal(CHECK_TEXT, CHECK_CONTEXT), created_at: Date.now() })
      .onConflict((oc) => oc.column('kid').doNothing())
      .execute();
  }
}

/** Forgets a retired key id once nothing is sealed under it any more. */
export async function retireKey(db: Kysely<Database>, kid: string): Promise<void> {
  await db.deleteFrom('encryption_keys').where('kid', '=', kid).execute();
}
