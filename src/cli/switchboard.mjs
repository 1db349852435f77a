#!/usr/bin/env node
// Entry point of the `switchboard` command. Runs the compiled CLI in dist/ (built by `npm run build`,
// which `npm install` runs through `prepare`). When dist/ is missing or older than the sources (a
// git checkout being edited), runs the TypeScript sources through tsx instead, so the code that runs
// is always the code on disk. Checking costs a few milliseconds of stat calls, and only in a checkout.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** Written by src/cli/build.mjs after a successful build. */
const STAMP = `${root}dist/.built`;

/** mtime (ms) of a path, or 0 when it does not exist. */
function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** True when a .ts file under `dir` changed after `since`. */
function changedSince(dir, since) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) {
      if (e.name !== 'fixtures' && changedSince(path, since)) return true;
    } else if (e.name.endsWith('.ts') && mtime(path) > since) return true;
  }
  return false;
}

const built = mtime(STAMP);
// Sources are edited in a git checkout; an installed copy or an image (no .git) trusts its build.
const editable = mtime(`${root}.git`) > 0;
const fresh = built > 0 && !(editable && (changedSince(`${root}src`, built) || changedSince(`${root}adapters`, built)));
let entry;
if (fresh) entry = `${root}dist/src/cli/main.js`;
else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    console.error(`error: ${built ? 'dist/ is older than the sources' : 'dist/ is missing'} and tsx is not installed; run \`npm run build\``);
    process.exit(1);
  }
  if (process.stderr.isTTY && process.env.SWITCHBOARD_QUIET_TSX === undefined) {
    console.error(`note: ${built ? 'dist/ is older than the sources' : 'dist/ is missing'}; running the sources through tsx (slower start). \`npm run build\` compiles them.`);
  }
  entry = `${root}src/cli/main.ts`;
}
const { main } = await import(entry);
await main(process.argv);
