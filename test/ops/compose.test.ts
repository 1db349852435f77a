import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };
const haproxyCfg = read('deploy/haproxy.cfg');
const hubs = Object.entries(compose.services).filter(([name]) => /^hub-\d+$/.test(name));

/** The `server` lines of HAProxy's `hubs` backend: [name, host:port]. */
function backendServers(cfg: string): [string, string][] {
  const backend = cfg.split(/^backend hubs$/m)[1]?.split(/^\S/m)[0] ?? '';
  return [...backend.matchAll(/^\s+server (\S+) (\S+)/gm)].map((m) => [m[1], m[2]]);
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, two hub replicas built from the Dockerfile sharing it, and a proxy in front', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['hub-1', 'hub-2', 'postgres', 'proxy']);
    const pg = compose.services.postgres;
    expect(pg.image).toMatch(/^postgres:\d+/);
    expect(pg.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(pg.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);

    expect(hubs).toHaveLength(2);
    expect(existsSync(new URL('Dockerfile', root))).toBe(true);
    const urls = new Set(hubs.map(([, h]) => h.environment.DATABASE_URL));
    expect(urls.size).toBe(1);
    expect([...urls][0]).toMatch(/^postgres:\/\/switchboard:\$\{POSTGRES_PASSWORD[^}]*\}@postgres:5432\/switchboard$/);
    for (const [name, hub] of hubs) {
      expect(hub.build, name).toBe('.');
      // Every replica must open the same secrets: the master key is required, never generated per container.
      expect(hub.environment.SWITCHBOARD_MASTER_KEY, name).toMatch(/^\$\{SWITCHBOARD_MASTER_KEY:\?/);
      expect(hub.depends_on.postgres.condition, name).toBe('service_healthy');
      expect(hub.healthcheck.test.join(' '), name).toContain('http://127.0.0.1:3000/healthz');
    }
    // Each replica keeps its own DATA_DIR volume.
    const dataVolumes = hubs.map(([, h]) => h.volumes[0].split(':')[0]);
    expect(new Set(dataVolumes).size).toBe(2);
    for (const v of [...dataVolumes, 'pgdata']) expect(compose.volumes).toHaveProperty(v);
  });

  it('gives the hubs only variables .env.example documents', () => {
    const documented = new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    for (const [name, hub] of hubs) for (const v of Object.keys(hub.environment)) expect(documented.has(v), `${name}: ${v}`).toBe(true);
  });

  it('puts HAProxy in front with /healthz checks on every replica, and keeps /metrics off the public side', () => {
    const proxy = compose.services.proxy;
    expect(proxy.image).toMatch(/^haproxy:\d/);
    expect(proxy.volumes).toContain('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(proxy.ports).toEqual(['${PROXY_PORT:-8080}:8080']);
    expect(Object.keys(proxy.depends_on).sort()).toEqual(hubs.map(([n]) => n).sort());
    expect(proxy.healthcheck.test.join(' ')).toContain('http://127.0.0.1:8080/healthz');

    expect(haproxyCfg).toMatch(/^\s+bind :8080$/m);
    expect(haproxyCfg).toMatch(/^\s+option httpchk GET \/healthz$/m);
    expect(haproxyCfg).toMatch(/^\s+http-check expect status 200$/m);
    expect(haproxyCfg).toMatch(/^\s+default-server check /m);
    expect(haproxyCfg).toMatch(/^\s+http-request deny deny_status 404 if \{ path \/metrics \}$/m);
    expect(backendServers(haproxyCfg)).toEqual(hubs.map(([n]) => [n, `${n}:3000`]));
  });

  it('HAProxy itself accepts deploy/haproxy.cfg', (ctx) => {
    const found = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
    if (found.error) return ctx.skip('haproxy is not installed here (apt-get install haproxy): config syntax not checked');
    const check = spawnSync('haproxy', ['-c', '-f', new URL('deploy/haproxy.cfg', root).pathname], { encoding: 'utf8' });
    expect(check.status, check.stderr + check.stdout).toBe(0);
    expect(check.stdout + check.stderr).toContain('Configuration file is valid');
  });
});
