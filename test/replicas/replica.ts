import { spawn, type ChildProcess } from 'node:child_process';

/** A hub in a child process (test/fixtures/hub-process.ts). */
export interface Replica {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** SIGKILL; resolves once it exited. */
  kill(): Promise<void>;
}

/** Starts a hub in a child process with `env`; resolves once it listens (it prints `READY <port>`). */
export function startReplica(env: Record<string, string>): Promise<Replica> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/hub-process.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (!m) return;
      resolve({
        child,
        url: `http://127.0.0.1:${m[1]}`,
        stderr: () => err,
        async kill() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(Object.assign(new Error(`hub exited early with ${code}`), { code, stderr: err })));
  });
}

/** Calls a replica's REST API with `key`; returns status and parsed JSON. */
export async function call(url: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
