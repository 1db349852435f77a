import http from 'node:http';
import type { AddressInfo } from 'node:net';
import dnsp from 'node:dns/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { guardedFetch } from '../../src/net/guarded-fetch.ts';
import { checkUrl, guardedRange, UrlGuardError } from '../../src/net/url-guard.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const refused = async (p: Promise<unknown>, reason: string) => {
  const e = await p.catch((x) => x);
  expect(e).toBeInstanceOf(UrlGuardError);
  expect((e as UrlGuardError).reason).toBe(reason);
  return e as UrlGuardError;
};

describe('URL guard', () => {
  it('classifies guarded ranges, including IPv4 inside IPv6', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:a00:1', '64:ff9b::a9fe:a9fe']) {
      expect(guardedRange(ip), ip).toBeDefined();
    }
    expect(guardedRange('169.254.169.254')).toBe('cloud metadata');
    expect(guardedRange('fd00:ec2::254')).toBe('cloud metadata');
    for (const ip of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) expect(guardedRange(ip), ip).toBeUndefined();
  });

  it('refuses loopback, private, metadata and IPv6 loopback literals', async () => {
    await refused(checkUrl('http://127.0.0.1:8080/x', []), 'guarded_address');
    await refused(checkUrl('http://10.0.0.7/x', []), 'guarded_address');
    const meta = await refused(checkUrl('http://169.254.169.254/latest/meta-data', []), 'guarded_address');
    expect(meta.message).toContain('cloud metadata');
    await refused(checkUrl('http://[::1]:3000/', []), 'guarded_address');
    await refused(checkUrl('http://[::ffff:127.0.0.1]/', []), 'guarded_address');
    await refused(checkUrl('http://2130706433/', []), 'guarded_address');
  });

  it('refuses a name that resolves to loopback', async () => {
    const e = await refused(checkUrl('http://localhost:3000/hook', []), 'guarded_address');
    expect(e.message).toMatch(/localhost resolves to/);
  });

  it('refuses other schemes and credentials, naming the reason', async () => {
    await refused(checkUrl('ftp://example.com/x', []), 'scheme');
    await refused(checkUrl('file:///etc/passwd', []), 'scheme');
    const creds = await refused(checkUrl('https://user:hunter2@example.com/x', []), 'credentials');
    expect(creds.message).not.toContain('hunter2');
    await refused(checkUrl('not a url', []), 'invalid_url');
  });

  it('lets exempt hosts and CIDRs through', async () => {
    await expect(checkUrl('http://127.0.0.1:1/x', ['127.0.0.1'])).resolves.toBeInstanceOf(URL);
    await expect(checkUrl('http://10.2.3.4/x', ['10.0.0.0/8'])).resolves.toBeInstanceOf(URL);
    await expect(checkUrl('http://localhost:1/x', ['localhost'])).resolves.toBeInstanceOf(URL);
  });

  describe('at connection time', () => {
    let server: http.Server;
    let base: string;
    let hits = 0;
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        hits++;
        if (req.url === '/to-private') res.writeHead(302, { location: 'http://10.0.0.1/internal' }).end();
        else if (req.url === '/to-metadata') res.writeHead(307, { location: 'http://169.254.169.254/latest' }).end();
        else res.writeHead(200).end('ok');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('never connects to a guarded address, and connects to an exempt one', async () => {
      const before = hits;
      await refused(guardedFetch(`${base}/x`, { allow: [] }), 'guarded_address');
      expect(hits).toBe(before);
      const ok = await guardedFetch(`${base}/x`, { allow: ['127.0.0.1'] });
      expect(ok.status).toBe(200);
      expect(ok.body).toBe('ok');
    });

    it('checks a name in the connection\'s own lookup: localhost never gets a request', async () => {
      const port = new URL(base).port;
      const before = hits;
      await refused(guardedFetch(`http://localhost:${port}/x`, { allow: [] }), 'guarded_address');
      expect(hits).toBe(before);
    });

    afterEach(() => vi.restoreAllMocks());

    it('re-checks at connection time: a name that rebinds to loopback after the check gets no request', async () => {
      const port = new URL(base).port;
      const answers = [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
      const spy = vi.spyOn(dnsp, 'lookup').mockImplementation((async () => answers.shift() ?? [{ address: '127.0.0.1', family: 4 }]) as never);
      await expect(checkUrl(`http://rebind.example:${port}/x`, [])).resolves.toBeInstanceOf(URL);
      const before = hits;
      await refused(guardedFetch(`http://rebind.example:${port}/x`, { allow: [] }), 'guarded_address');
      expect(hits).toBe(before);
      expect(spy).toHaveBeenCalledTimes(2);
    });

    it('refuses a name with any guarded address among public ones', async () => {
      vi.spyOn(dnsp, 'lookup').mockImplementation((async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.8', family: 4 },
      ]) as never);
      await refused(checkUrl('https://mixed.example/x', []), 'guarded_address');
    });

    it('refuses a redirect to a private or metadata address', async () => {
      await refused(guardedFetch(`${base}/to-private`, { allow: ['127.0.0.1'], maxRedirects: 3 }), 'guarded_address');
      await refused(guardedFetch(`${base}/to-metadata`, { allow: ['127.0.0.1'], maxRedirects: 3 }), 'guarded_address');
      const unfollowed = await guardedFetch(`${base}/to-private`, { allow: ['127.0.0.1'] });
      expect(unfollowed.status).toBe(302);
    });
  });

  describe('on the API', () => {
    let t: TestHub;
    let key: string;
    beforeAll(async () => {
      t = await startTestHub();
      key = (await t.api('POST', '/v1/users', { email: 'guard@example.com' })).body.api_key;
    });
    afterAll(() => t.close());

    it('refuses guarded webhook URLs with 422 naming the reason, and stores nothing', async () => {
      for (const [url, words] of [
        ['http://127.0.0.1:9/hook', 'loopback'],
        ['http://10.1.1.1/hook', 'private'],
        ['http://169.254.169.254/latest', 'cloud metadata'],
        ['http://[::1]/hook', 'loopback'],
        ['http://localhost/hook', 'localhost resolves to'],
        ['ftp://example.com/hook', 'scheme'],
        ['https://me:pw@example.com/hook', 'credentials'],
      ]) {
        const res = await t.api('POST', '/v1/integrations', { type: 'webhook', url }, key);
        expect(res.status, url).toBe(422);
        expect(res.body.error.code).toBe('url_refused');
        expect(res.body.error.message).toContain(words);
      }
      expect((await t.api('GET', '/v1/integrations', undefined, key)).body.integrations).toEqual([]);
    });

    it('refuses a guarded http agent URL with 422', async () => {
      const res = await t.api('POST', '/v1/profiles', { name: 'sneaky', agent: { kind: 'http', url: 'http://169.254.169.254/latest' } }, key);
      expect(res.status).toBe(422);
      expect(res.body.error.message).toContain('cloud metadata');
      const ok = await t.api('POST', '/v1/profiles', { name: 'fine' }, key);
      const patched = await t.api('PATCH', `/v1/profiles/${ok.body.profile.id}`, { agent: { kind: 'http', url: 'http://10.0.0.5/agent' } }, key);
      expect(patched.status).toBe(422);
    });
  });
});
