/** Network error codes of a lost or unreachable database server. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** PostgreSQL SQLSTATEs that mean "not now": class 08 (connection), shutdown, too many connections. */
const PG_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

/** SQLite result codes of a database that cannot be written right now (locked, disk trouble). */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)/;

/** pg's messages for a connection that broke or never came (they carry no code). */
const PG_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i;

/**
 * Whether an error (or one of its causes) says the database is unreachable or unwritable for now,
 * rather than that the statement was wrong: the caller should answer 503 and let the sender retry.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 5; cur = (cur as { cause?: unknown }).cause, depth++) {
    const err = cur as { code?: unknown; message?: unknown; errors?: unknown };
    const code = typeof err.code === 'string' ? err.code : '';
    if (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code) || SQLITE_UNAVAILABLE.test(code)) return true;
    if (typeof err.message === 'string' && PG_MESSAGES.test(err.message)) return true;
    // Node's happy-eyeballs connect failures arrive as an AggregateError of per-address errors.
    if (Array.isArray(err.errors) && err.errors.some((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}
