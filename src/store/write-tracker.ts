import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { affectsCache } from './read-cache.ts';

/** The tables a write statement changes (empty for reads). Raw SQL is matched by its text. */
export function tablesWritten(node: RootOperationNode): string[] {
  switch (node.kind) {
    case 'InsertQueryNode':
      return node.into ? [tableName(node.into)].filter(Boolean) : [];
    case 'UpdateQueryNode': {
      const table = node.table ? tableName(node.table) : '';
      // Activity stamps change nothing a cached read relies on (see ThreadsRepo.current).
      if (table && node.updates?.every((u) => ACTIVITY_COLUMNS.get(table)?.has(columnName(u.column)))) return [];
      return table ? [table] : [];
    }
    case 'DeleteQueryNode':
      return node.from.froms.map(tableName).filter(Boolean);
    case 'RawNode': {
      const text = node.sqlFragments.join(' ');
      const own = [...text.matchAll(/\b(?:insert\s+into|update|delete\s+from)\s+"?(\w+)"?/gi)].map((m) => m[1]);
      // Queries built with kysely and embedded in raw SQL (data-modifying CTEs) count too.
      return [...own, ...node.parameters.flatMap((p) => (isRoot(p) ? tablesWritten(p) : []))];
    }
    default:
      return [];
  }
}

/** Columns whose updates leave the cached reads of their table valid: `threads.last_message_at`. */
const ACTIVITY_COLUMNS = new Map([['threads', new Set(['last_message_at'])]]);

function isRoot(n: OperationNode): n is RootOperationNode {
  return n.kind === 'RawNode' || n.kind === 'InsertQueryNode' || n.kind === 'UpdateQueryNode' || n.kind === 'DeleteQueryNode';
}

function columnName(n: OperationNode): string {
  return n.kind === 'ColumnNode' ? (n as unknown as { column: { name: string } }).column.name : '';
}

function tableName(n: OperationNode): string {
  if (n.kind === 'TableNode') return (n as unknown as { table: { identifier: { name: string } } }).table.identifier.name;
  if (n.kind === 'AliasNode') return tableName((n as unknown as { node: OperationNode }).node);
  return '';
}

/**
 * A kysely plugin that reports every statement writing a table the read cache depends on: once
 * before it runs and once after (so a read that overlapped it stores nothing stale). Installed on
 * the database handle, it sees writes from every part of the hub, inside transactions or not.
 */
export class WriteTracker implements KyselyPlugin {
  private readonly pending = new WeakMap<object, string[]>();

  constructor(private readonly onWrite: (tables: string[]) => void) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const tables = tablesWritten(args.node).filter(affectsCache);
    if (tables.length) this.track(args.queryId, tables);
    return args.node;
  }

  /**
   * Reports that the statement `queryId` is about to write `tables` (cached ones), and again once
   * its result comes back: for statements compiled ahead of time, which skip {@link transformQuery}.
   */
  track(queryId: object, tables: string[]): void {
    this.pending.set(queryId, tables);
    this.onWrite(tables);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const tables = this.pending.get(args.queryId);
    if (tables) {
      this.pending.delete(args.queryId);
      this.onWrite(tables);
    }
    return args.result;
  }
}
