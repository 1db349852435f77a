import type { CompiledQuery, Kysely, QueryResult, RootOperationNode } from 'kysely';
import { affectsCache } from './read-cache.ts';
import type { Database } from './schema.ts';
import { tablesWritten, WriteTracker } from './write-tracker.ts';

/** The element type of an array parameter (for a multi-row statement's rows). */
type Element<T> = T extends readonly (infer E)[] ? E : never;

/**
 * Placeholders of a statement's live parameters, used while it is built: `$('id')` stands for
 * `params.id`, `$('finish', 'id')` for `params.finish.id`, `$('rows', 2, 'text')` for
 * `params.rows[2].text`. A placeholder may only be passed as a value (a bound parameter), never
 * spliced into the SQL text.
 */
export interface Slots<P> {
  <K extends keyof P>(key: K): P[K];
  <K extends keyof P, F extends keyof P[K]>(key: K, field: F): P[K][F];
  <K extends keyof P, F extends keyof Element<P[K]>>(key: K, index: number, field: F): Element<P[K]>[F];
}

/** Something that compiles to one statement: a query builder, or `sql` given the database. */
type Buildable<R> = { compile(db: Kysely<Database>): CompiledQuery<R> } | { compile(): CompiledQuery<R> };

/** Where a compiled statement's parameter comes from: a fixed value, or a path into the live parameters. */
type Source = { value: unknown } | { path: readonly (string | number)[] };

/** One compiled shape of a statement: its SQL text, its parameters' sources and the cached tables it writes. */
interface Template {
  sql: string;
  node: RootOperationNode;
  sources: Source[];
  tables: string[];
}

/** Shapes (row counts) kept per database; a statement seen with more shapes compiles the rest each time. */
const MAX_SHAPES = 32;

const MARK = '\u0000compiled-slot:';

/**
 * A hot statement built and compiled once per database (so per dialect: PostgreSQL's `$n` text
 * differs from SQLite's `?`) and per shape (`shapeOf`, e.g. how many rows a multi-row insert has),
 * then run with each call's live parameters. It skips kysely's per-call work (building immutable
 * operation nodes, compiling, plugin transforms) and does what that work did for the hub:
 *
 * - it runs on the `db` it is given (`executeQuery`): inside a transaction it runs in that
 *   transaction and rolls back with it;
 * - the cached tables it writes (found once, from the built statement) are reported to every
 *   {@link WriteTracker} on `db`, before it runs and after, exactly as for a built query. Other
 *   plugins do not apply (it is compiled without them), and a statement that writes no cached
 *   table runs without any.
 *
 * `build` must depend on nothing but its placeholders and the shape: it runs once per shape.
 */
export class CompiledStatement<P extends object, R = unknown> {
  private readonly templates = new WeakMap<object, Map<number, Template>>();

  constructor(
    private readonly build: (db: Kysely<Database>, $: Slots<P>, shape: number) => Buildable<R>,
    /** The shape of a call (default 0: one shape). */
    private readonly shapeOf: (params: P) => number = () => 0,
  ) {}

  /** Runs the statement on `db` (the database or a transaction) with `params`. */
  async execute(db: Kysely<Database>, params: P): Promise<QueryResult<R>> {
    const executor = db.getExecutor();
    const t = this.template(db, executor.adapter, this.shapeOf(params));
    const query: CompiledQuery<R> = { sql: t.sql, query: t.node, parameters: t.sources.map((s) => ('value' in s ? s.value : resolve(params, s.path))), queryId: { queryId: '' } };
    if (!t.tables.length) return plainOf(db).executeQuery(query);
    for (const p of executor.plugins) if (p instanceof WriteTracker) p.track(query.queryId, t.tables);
    return db.executeQuery(query);
  }

  /** The SQL text this statement has on `db` for `shape` (for tests and logs). */
  sqlOf(db: Kysely<Database>, shape = 0): string {
    return this.template(db, db.getExecutor().adapter, shape).sql;
  }

  private template(db: Kysely<Database>, adapter: object, shape: number): Template {
    let shapes = this.templates.get(adapter);
    if (!shapes) this.templates.set(adapter, (shapes = new Map()));
    let t = shapes.get(shape);
    if (!t) {
      t = this.compile(db, shape);
      if (shapes.size < MAX_SHAPES) shapes.set(shape, t);
    }
    return t;
  }

  private compile(db: Kysely<Database>, shape: number): Template {
    const paths: (string | number)[][] = [];
    const slot = ((...path: (string | number)[]) => `${MARK}${paths.push(path) - 1}`) as Slots<P>;
    // Without plugins: compiling is not running, so the write tracker must not count it.
    const plain = db.withoutPlugins();
    const compiled = this.build(plain, slot, shape).compile(plain);
    if (compiled.sql.includes(MARK)) throw new Error('a placeholder was spliced into the SQL text; pass it as a value');
    const sources = compiled.parameters.map((v): Source => (typeof v === 'string' && v.startsWith(MARK) ? { path: paths[Number(v.slice(MARK.length))] } : { value: v }));
    return { sql: compiled.sql, node: compiled.query, sources, tables: tablesWritten(compiled.query).filter(affectsCache) };
  }
}

const plain = new WeakMap<Kysely<Database>, Kysely<Database>>();
/** `db` without its plugins (the same connection or transaction). */
function plainOf(db: Kysely<Database>): Kysely<Database> {
  let p = plain.get(db);
  if (!p) plain.set(db, (p = db.withoutPlugins()));
  return p;
}

function resolve(params: object, path: readonly (string | number)[]): unknown {
  let v: unknown = params;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  // An absent value binds as SQL null.
  return v === undefined ? null : v;
}

/**
 * An object of placeholders, one per field named in `fields` (an object whose keys are the fields,
 * so the compiler checks that none is missing), e.g. `slotsOf((c) => $('rows', i, c), COLUMNS)` for
 * row `i` of a multi-row insert, whose shape is then its row count.
 */
export function slotsOf<T>(slot: (field: keyof T) => unknown, fields: Record<keyof NoInfer<T>, true>): T {
  const out: Record<string, unknown> = {};
  for (const f of Object.keys(fields)) out[f] = slot(f as keyof T);
  return out as T;
}

/** `0, 1, …, n - 1`. */
export function upTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
