import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A benchmark process that printed `READY <value>`. */
export interface Child {
  /** What followed `READY ` (a port or a URL). */
  ready: string;
  proc: ChildProcess;
  /** Ends the child's stdin (it closes itself cleanly) and waits for it to exit; kills it after `graceMs` (default 10 000). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node <nodeArgs> <script> <scriptArgs>` from the repository root with extra env (a `.ts`
 * script under `--import tsx`), and resolves once it prints `READY …`. Other output is drained; the last 4 KB of stderr is shown if
 * the child exits before it is ready (or within `readyMs`, default 30 000).
 */
export function startChild(script: string, env: Record<string, string>, nodeArgs: string[] = [], readyMs = 30_000, scriptArgs: string[] = []): Promise<Child> {
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const proc = spawn(process.execPath, [...nodeArgs, ...loader, script, ...scriptArgs], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let tail = '';
  proc.stderr!.on('data', (c: Buffer) => (tail = (tail + c.toString()).slice(-4096)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`not ready within ${readyMs} ms`), readyMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${script} ${why}\n${tail}`));
    };
    const onExit = (code: number | null) => fail(`exited with ${code}`);
    proc.once('exit', onExit);
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timer);
      proc.removeListener('exit', onExit);
      resolve({
        ready: line.slice(6).trim(),
        proc,
        async stop(graceMs = 10_000) {
          if (process.env.BENCH_VERBOSE) process.stderr.write(`--- ${script} stderr (tail)\n${tail}\n`);
          if (proc.exitCode !== null) return;
          proc.stdin!.end();
          const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(t);
        },
      });
    });
  });
}
