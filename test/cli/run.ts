import { execFile, spawn } from 'node:child_process';

/**
 * The CLI as users run it: `node src/cli/switchboard.mjs`. It runs the compiled dist/ when that is
 * at least as new as the sources and the sources through tsx otherwise, so a test always exercises
 * the code on disk (compiled in CI, where `npm ci` builds through `prepare`).
 */
export const BIN = 'src/cli/switchboard.mjs';

/** What one CLI run printed and exited with. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a subprocess (no terminal: stdin is a pipe) with `env`; never rejects. */
export function runCli(env: NodeJS.ProcessEnv, args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(input ?? '');
  });
}

/** Keys as a terminal sends them. */
export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', space: ' ' } as const;

/**
 * The CLI on a pseudo-terminal made by script(1), for prompts, menus and wizards. `waitFor`
 * resolves when the output (ANSI codes removed) matches; `send` types keys.
 */
export interface PtyRun {
  output(): string;
  waitFor(pattern: RegExp | string, ms?: number): Promise<void>;
  send(keys: string): void;
  exit: Promise<number>;
}

/** Starts the CLI on a pseudo-terminal. */
export function runOnPty(env: NodeJS.ProcessEnv, args: string[]): PtyRun {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', quoted, '/dev/null'], { env: { ...env, TERM: 'xterm', COLUMNS: '120', LINES: '40' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  const clean = () => out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return {
    output: clean,
    send: (keys) => void child.stdin!.write(keys),
    exit,
    waitFor(pattern, ms = 20_000) {
      const hit = () => (typeof pattern === 'string' ? clean().includes(pattern) : pattern.test(clean()));
      return new Promise((resolve, reject) => {
        if (hit()) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} on the terminal; it shows:\n${clean()}`));
        }, ms);
        const check = () => {
          if (!hit()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        void exit.then(() => setTimeout(check, 0));
      });
    },
  };
}
