import { SqliteDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type SqliteDialectConfig, type TransactionSettings } from 'kysely';
import type { WalSync } from './wal-sync.ts';

/** What the durable dialect reads of the SQLite connection. */
export interface SqliteState {
  /** Whether a transaction is open (better-sqlite3's `inTransaction`). */
  readonly inTransaction: boolean;
  /** Whether a statement cannot write (better-sqlite3's `Statement.readonly`; an `insert … returning` is a reader, not read-only). */
  isReadOnly(sqlText: string): boolean;
}

/**
 * kysely's SQLite dialect with `synchronous=FULL` durability kept off the event loop. The database
 * runs with `synchronous=NORMAL` (a commit writes the WAL without waiting for the disk); every
 * statement that commits (a `commit`, or a write outside a transaction) is followed by a
 * {@link WalSync} flush of the WAL before its caller hears of it. The single connection is handed
 * back first, so the next transaction runs while the disk catches up, and commits close in time
 * share one flush. No caller (a webhook's 200, a send's claim) ever acts on a commit the disk does
 * not hold yet.
 */
export class DurableSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly state: SqliteState,
    private readonly wal: WalSync,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new DurableDriver(super.createDriver(), this.state, this.wal);
  }
}

/** Wraps the single connection; a commit seen on it is flushed when the connection is released. */
class DurableDriver implements Driver {
  /** The connection's holder committed and its commit is not flushed yet. */
  private owed = false;
  private wrapped?: { inner: DatabaseConnection; outer: DatabaseConnection };

  constructor(
    private readonly inner: Driver,
    private readonly state: SqliteState,
    private readonly wal: WalSync,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await this.inner.acquireConnection();
    if (this.wrapped?.inner !== inner) this.wrapped = { inner, outer: this.watch(inner) };
    return this.wrapped.outer;
  }

  beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(c, settings);
  }

  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(c);
  }

  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(c);
  }

  savepoint: Driver['savepoint'] = (c, name, compile) => this.inner.savepoint!(c, name, compile);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (c, name, compile) => this.inner.rollbackToSavepoint!(c, name, compile);
  releaseSavepoint: Driver['releaseSavepoint'] = (c, name, compile) => this.inner.releaseSavepoint!(c, name, compile);

  /** Hands the connection back, then waits for the flush its holder's commit needs. */
  async releaseConnection(c: DatabaseConnection): Promise<void> {
    const owed = this.owed;
    this.owed = false;
    await this.inner.releaseConnection(this.wrapped?.outer === c ? this.wrapped.inner : c);
    if (owed) await this.wal.sync();
  }

  async destroy(): Promise<void> {
    await this.wal.close();
    await this.inner.destroy();
  }

  /** Whether the open transaction wrote anything (a read-only one commits nothing to flush). */
  private txWrote = false;

  /** After a statement ran: does the WAL now hold a commit to flush? */
  private note(text: string): void {
    if (text === 'begin') this.txWrote = false;
    else if (text === 'commit') this.owed ||= this.txWrote;
    else if (text === 'rollback') return;
    // Inside a transaction, one write is enough to know: later statements are not looked at.
    else if (this.state.inTransaction) this.txWrote ||= !this.state.isReadOnly(text);
    else if (!this.state.isReadOnly(text)) this.owed = true;
  }

  /** The connection, noting each statement after which a commit is on the WAL. */
  private watch(inner: DatabaseConnection): DatabaseConnection {
    return {
      executeQuery: async <R>(q: CompiledQuery): Promise<QueryResult<R>> => {
        const result = await inner.executeQuery<R>(q);
        this.note(q.sql);
        return result;
      },
      streamQuery: (q, chunkSize) => inner.streamQuery(q, chunkSize),
    };
  }
}
