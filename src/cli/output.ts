/** Prints rows as an aligned table (or JSON with `--json`). */
export function printTable(rows: Record<string, unknown>[], columns: string[], json: boolean, raw: unknown = rows): void {
  if (json) return void console.log(JSON.stringify(raw, null, 2));
  if (rows.length === 0) return void console.log('(none)');
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log(columns.map((c, i) => c.toUpperCase().padEnd(widths[i])).join('  '));
  for (const r of rows) console.log(columns.map((c, i) => cell(r[c]).padEnd(widths[i])).join('  ').trimEnd());
}

/** Prints one object as `key: value` lines (or JSON). */
export function printObject(obj: Record<string, unknown>, json: boolean): void {
  if (json) return void console.log(JSON.stringify(obj, null, 2));
  for (const [k, v] of Object.entries(obj)) console.log(`${k}: ${v !== null && typeof v === 'object' ? JSON.stringify(v) : v}`);
}

/** The status icon of an integration. */
export const statusIcon = (status: string) => (status === 'active' ? '✓' : '✗');
