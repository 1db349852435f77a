import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { SECRET_COLUMNS, countSealedNotUnder } from '../store/secret-columns.ts';
import { retireKey, verifyMasterKeys } from '../store/keys.ts';
import { Envelope } from './envelope.ts';
import type { KeyRing } from './keyring.ts';

/** Progress callback: values done so far of `total`. */
export type Progress = (done: number, total: number) => void;

/**
 * Re-seals every secret under the ring's current key. Each value is opened with the key it names
 * and rewritten only if it did not change meanwhile (compare-and-set), so nothing is lost and the
 * walk can be interrupted and run again. Key ids no longer used are retired afterwards.
 * Returns how many values were re-sealed.
 */
export async function rotateSecrets(db: Kysely<Database>, ring: KeyRing, onProgress: Progress = () => {}): Promise<number> {
  const envelope = new Envelope(ring);
  await verifyMasterKeys(db, ring, envelope);
  const kid = ring.current().id;
  const total = await countSealedNotUnder(db, kid);
  let done = 0;
  onProgress(0, total);
  const any = db as Kysely<any>;
  for (const c of SECRET_COLUMNS) {
    for (;;) {
      const rows: { id: string; value: string }[] = await any
        .selectFrom(c.table)
        .select(['id', `${c.column} as value`])
        .where(c.column, 'is not', null)
        .where(c.column, 'not like', `sb1.${kid}.%`)
        .orderBy('id')
        .limit(100)
        .execute();
      if (rows.length === 0) break;
      for (const row of rows) {
        const resealed = envelope.seal(envelope.open(row.value, c.context(row.id)), c.context(row.id));
        await any.updateTable(c.table).set({ [c.column]: resealed }).where('id', '=', row.id).where(c.column, '=', row.value).execute();
        done += 1;
        onProgress(done, total);
      }
    }
  }
  if ((await countSealedNotUnder(db, kid)) === 0) {
    const kids = await db.selectFrom('encryption_keys').select('kid').execute();
    for (const k of kids) if (k.kid !== kid) await retireKey(db, k.kid);
  }
  return done;
}
