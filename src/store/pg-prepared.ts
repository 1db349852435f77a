import type pgTypes from 'pg';

/** Texts given a name at most (each connection prepares each named text once, and keeps it). */
const MAX_NAMED = 256;
/** Runs of a text before it is given a name: one-off statements stay unnamed. */
const NAMED_AFTER = 3;
/** Distinct texts counted at most while they wait for their third run. */
const MAX_COUNTED = 4096;

/**
 * Server-side prepared statements for the statements the hub runs again and again. kysely sends
 * every query unnamed, so PostgreSQL parses and plans it anew each time; on this workload that was
 * about half of the server's CPU. A text seen {@link NAMED_AFTER} times gets a name (`sb_<n>`, the
 * same on every connection), and pg prepares it once per connection and then only binds and runs
 * it. At most {@link MAX_NAMED} texts are named, so a connection's prepared statements stay bounded.
 */
export class PreparedNames {
  private readonly names = new Map<string, string>();
  private readonly seen = new Map<string, number>();

  /** The name for `text`, once it has run often enough; undefined while it has not (or the cap is reached). */
  nameOf(text: string): string | undefined {
    const name = this.names.get(text);
    if (name !== undefined || this.names.size >= MAX_NAMED) return name;
    const runs = (this.seen.get(text) ?? 0) + 1;
    if (runs < NAMED_AFTER) {
      if (this.seen.size >= MAX_COUNTED) this.seen.clear();
      this.seen.set(text, runs);
      return undefined;
    }
    this.seen.delete(text);
    const named = `sb_${this.names.size + 1}`;
    this.names.set(text, named);
    return named;
  }

  /** Makes `client.query(text, values)` (how kysely calls it) use the name of a repeated text. */
  install(client: pgTypes.PoolClient): void {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      if (typeof text === 'string' && Array.isArray(values) && args.length === 2) {
        const name = this.nameOf(text);
        if (name) return query({ name, text, values });
      }
      return query(...args);
    }) as typeof client.query;
  }
}
