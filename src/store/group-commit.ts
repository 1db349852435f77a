import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

interface Pending {
  fn: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for SQLite: transactions started in the same turn of the event loop run one after
 * another inside a single database transaction, each under its own savepoint, so a failing one rolls
 * back alone while the others commit together — one fsync for the group instead of one each. Each
 * caller resolves only after the group's commit. (SQLite has one writer, so the transactions would
 * run one at a time anyway.)
 */
export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(
    private readonly kysely: Kysely<Database>,
    private readonly maxGroup = 128,
  ) {}

  run<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.queue.length) {
      const group = this.queue.splice(0, this.maxGroup);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        await this.kysely.transaction().execute(async (trx) => {
          for (const [i, p] of group.entries()) {
            await sql.raw(`savepoint g${i}`).execute(trx);
            try {
              outcomes.push({ ok: true, value: await p.fn(trx) });
              await sql.raw(`release savepoint g${i}`).execute(trx);
            } catch (error) {
              await sql.raw(`rollback to savepoint g${i}`).execute(trx);
              await sql.raw(`release savepoint g${i}`).execute(trx);
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (error) {
        for (const p of group) p.reject(error);
        continue;
      }
      group.forEach((p, i) => {
        const o = outcomes[i];
        if (o.ok) p.resolve(o.value);
        else p.reject(o.error);
      });
    }
  }
}
