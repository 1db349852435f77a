import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * The node flags of `npm start` (package.json's `start` script, the words before the entry `.mjs`), so
 * a bench measures what ships: the heap sizes there change GC work and peak RSS.
 */
export function startFlags(): string[] {
  const start = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const words = start.split(/\s+/);
  return words.slice(1, words.findIndex((w) => w.endsWith('.mjs'))).filter((w) => w.startsWith('--'));
}

/** Compiles src/ and adapters/ to dist/ (incremental), so a bench's hub runs what `npm start` runs. */
export function buildHub(): void {
  const r = spawnSync(process.execPath, ['src/cli/build.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build failed');
}
