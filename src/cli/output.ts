/** Prints rows as an aligned table (or `raw` as JSON with `--json`). Empty: `(none)`. */
export function printTable(rows: Record<string, unknown>[], columns: string[], json: boolean, raw: unknown = rows): void {
  if (json) return printJson(raw);
  if (rows.length === 0) return void console.log('(none)');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log(columns.map((c, i) => c.toUpperCase().padEnd(widths[i])).join('  '));
  for (const r of rows) console.log(columns.map((c, i) => cell(r[c]).padEnd(widths[i])).join('  ').trimEnd());
}

/** Prints one object as `key: value` lines (or JSON). */
export function printObject(obj: Record<string, unknown>, json: boolean): void {
  if (json) return printJson(obj);
  for (const [k, v] of Object.entries(obj)) console.log(`${k}: ${cell(v)}`);
}

/** Prints a value as indented JSON. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** A horizontal rule, 72 characters. */
export const RULE = '─'.repeat(72);

/** A date as YYYY-MM-DD (UTC), or '' when absent. */
export const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : '');

/** Flattens whitespace and cuts to `max` characters (default 100). */
export function oneLine(s: string, max = 100): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** An integration's status icon: 🔴 unhealthy, 🟡 needs attention, ⏸️ triggers paused, 🟢 active. */
export function integrationIcon(i: { status: string; needs_attention?: string | null }, paused = false): string {
  if (i.status === 'unhealthy') return '🔴';
  if (i.needs_attention) return '🟡';
  if (paused) return '⏸️';
  return '🟢';
}

/** A trigger's status icon: ✅ active, ⏸️ paused, 🔴 unhealthy. */
export const triggerIcon = (status: string) => (status === 'paused' ? '⏸️' : status === 'unhealthy' ? '🔴' : '✅');

function cell(v: unknown): string {
  return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
