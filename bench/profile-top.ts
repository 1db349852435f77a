/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`, e.g. BENCH_PROFILE_DIR of the peer
 * benchmark): the top functions by self time, and self and inclusive time (any frame of the group on
 * the stack) grouped by package or source folder.
 *
 *   node --import tsx bench/profile-top.ts <file.cpuprofile> [rows=25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (`kysely`, `@slack/bolt`) or our folder (`src/bus`, `adapters/telegram`) a script URL belongs to. */
export function groupOf(url: string): string {
  if (!url) return '(native/idle)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const m = /\/(src|adapters|bench|test)\/([^/]+)\//.exec(url);
  return m ? `${m[1]}/${m[2]}` : url.replace(/^file:\/\//, '');
}

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: bench/profile-top.ts <file.cpuprofile> [rows]');
  process.exit(2);
}
const rows = Number(rowsArg ?? 25);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
/** Inclusive time per group: a sample counts once for every group with a frame on its stack. */
const inclusive = new Map<string, number>();
p.samples.forEach((id, i) => {
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const url = byId.get(at)!.callFrame.url;
    if (url) seen.add(groupOf(url));
  }
  for (const g of seen) inclusive.set(g, (inclusive.get(g) ?? 0) + (p.timeDeltas[i] ?? 0));
});
const fn = new Map<string, number>();
const group = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|wt\/[^/]+)\//, '')}:${lineNumber + 1}` : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + us);
  group.set(groupOf(url), (group.get(groupOf(url)) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
const busy = total - (fn.get('(idle) ') ?? 0);
console.log(`total ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s not idle`);
console.log('\nby package / folder (self time)');
for (const [k, us] of [...group].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`  ${pct(us)}  ${k}`);
console.log('\nby package / folder (inclusive time)');
for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`  ${pct(us)}  ${k}`);
console.log('\ntop functions (self time)');
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, rows)) console.log(`  ${pct(us)}  ${k}`);
