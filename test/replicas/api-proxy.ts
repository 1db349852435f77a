import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP proxy in front of a fake platform API that counts the calls one replica makes, by method (last path segment). */
export interface ApiProxy {
  readonly url: string;
  /** Calls seen of a method (e.g. `getUpdates`, `sendMessage`). */
  count(method: string): number;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 (port 0) forwarding every request to `target`. */
export async function startApiProxy(target: string): Promise<ApiProxy> {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const method = (req.url ?? '').split('/').pop() ?? '';
    counts.set(method, (counts.get(method) ?? 0) + 1);
    const out = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.on('error', () => out.destroy());
    res.on('close', () => out.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (method) => counts.get(method) ?? 0,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
