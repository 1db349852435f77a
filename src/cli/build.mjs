#!/usr/bin/env node
// `npm run build` (and `prepare`, which `npm install` runs): compiles src/ and adapters/ to dist/ with
// tsc (tsconfig.build.json), then writes dist/.built, the stamp src/cli/switchboard.mjs compares the
// sources with. Skips with a note when TypeScript is not installed (`npm ci --omit=dev`) or the
// sources are not there yet (a Docker layer that installs dependencies before copying them): the CLI
// then runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
if (!existsSync(`${root}tsconfig.build.json`) || !existsSync(`${root}src/cli/main.ts`)) {
  console.log('switchboard build: no sources yet; skipped');
  process.exit(0);
}
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.log('switchboard build: TypeScript is not installed (production install); skipped, the CLI runs the sources through tsx');
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit', cwd: root });
if (r.status !== 0) {
  console.error('switchboard build: tsc failed; dist/ is not marked as built');
  process.exit(r.status ?? 1);
}
mkdirSync(`${root}dist`, { recursive: true });
writeFileSync(`${root}dist/.built`, `${new Date().toISOString()}\n`);
