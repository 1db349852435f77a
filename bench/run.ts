import os from 'node:os';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

/** One measured number. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

/** A benchmark module exports `bench()`; `npm run bench` runs every `bench/*.bench.ts` (or those named on the command line). */
export type Bench = () => Promise<BenchResult[]>;

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

console.log(`Switchboard benchmarks — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { bench: Bench };
  console.log(`\n${f}`);
  for (const r of await mod.bench()) console.log(`  ${r.name.padEnd(48)} ${r.value.toFixed(r.value < 10 ? 2 : 0).padStart(10)} ${r.unit}`);
}
