import http from 'node:http';
import type { AddressInfo } from 'node:net';
import dnsp from 'node:dns/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { guardedFetch, guardedLookup } from '../../src/net/guarded-fetch.ts';
import { AllowList, checkUrl, guardedRange, UrlGuardError, type Resolver } from '../../src/net/url-guard.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

/**
 * Address forms a user might type, and the address a DNS answer would carry at send time. Refused
 * forms must be refused at create time (webhook integration, http agent profile) and at send time
 * (the guarded fetch and its connect-time lookup); public forms pass both.
 */
const REFUSED: { form: string; url: string; address: string }[] = [
  { form: 'loopback', url: 'http://127.0.0.1/', address: '127.0.0.1' },
  { form: 'decimal', url: 'http://2130706433/', address: '127.0.0.1' },
  { form: 'octal', url: 'http://0177.0.0.1/', address: '127.0.0.1' },
  { form: 'hex short', url: 'http://0x7f.1/', address: '127.0.0.1' },
  { form: 'hex whole', url: 'http://0x7f000001/', address: '127.0.0.1' },
  { form: 'octal whole', url: 'http://017700000001/', address: '127.0.0.1' },
  { form: 'short 127.1', url: 'http://127.1/', address: '127.0.0.1' },
  { form: 'short 127.0.1', url: 'http://127.0.1/', address: '127.0.0.1' },
  { form: 'percent-encoded', url: 'http://%31%32%37.0.0.1/', address: '127.0.0.1' },
  { form: 'trailing dot', url: 'http://127.0.0.1./', address: '127.0.0.1' },
  { form: 'zero', url: 'http://0/', address: '0.0.0.0' },
  { form: 'unspecified', url: 'http://0.0.0.0/', address: '0.0.0.0' },
  { form: 'private 10/8', url: 'http://10.0.0.1/', address: '10.0.0.1' },
  { form: 'private 172.16/12', url: 'http://172.16.5.4/', address: '172.16.5.4' },
  { form: 'private 192.168/16', url: 'http://192.168.0.1/', address: '192.168.0.1' },
  { form: 'metadata', url: 'http://169.254.169.254/latest/meta-data/', address: '169.254.169.254' },
  { form: 'link-local', url: 'http://169.254.1.1/', address: '169.254.1.1' },
  { form: 'CGNAT 100.64/10', url: 'http://100.64.0.1/', address: '100.64.0.1' },
  { form: 'CGNAT top', url: 'http://100.127.255.254/', address: '100.127.255.254' },
  { form: 'benchmarking 198.18/15', url: 'http://198.18.0.1/', address: '198.18.0.1' },
  { form: 'benchmarking top', url: 'http://198.19.255.255/', address: '198.19.255.255' },
  { form: 'multicast', url: 'http://224.0.0.1/', address: '224.0.0.1' },
  { form: 'multicast SSDP', url: 'http://239.255.255.250/', address: '239.255.255.250' },
  { form: 'broadcast', url: 'http://255.255.255.255/', address: '255.255.255.255' },
  { form: 'reserved 240/4', url: 'http://240.0.0.1/', address: '240.0.0.1' },
  { form: 'documentation 192.0.2/24', url: 'http://192.0.2.1/', address: '192.0.2.1' },
  { form: 'IETF 192.0.0/24', url: 'http://192.0.0.8/', address: '192.0.0.8' },
  { form: 'IPv6 loopback', url: 'http://[::1]/', address: '::1' },
  { form: 'IPv6 unspecified', url: 'http://[::]/', address: '::' },
  { form: 'IPv4-mapped dotted', url: 'http://[::ffff:127.0.0.1]/', address: '::ffff:127.0.0.1' },
  { form: 'IPv4-mapped hex', url: 'http://[::ffff:7f00:1]/', address: '::ffff:7f00:1' },
  { form: 'IPv4-mapped metadata', url: 'http://[::ffff:169.254.169.254]/', address: '::ffff:a9fe:a9fe' },
  { form: 'IPv4-compatible dotted', url: 'http://[::127.0.0.1]/', address: '::127.0.0.1' },
  { form: 'IPv4-compatible hex', url: 'http://[::7f00:1]/', address: '::7f00:1' },
  { form: 'IPv4-compatible private', url: 'http://[::10.0.0.1]/', address: '::a00:1' },
  { form: 'IPv4-compatible metadata', url: 'http://[::a9fe:a9fe]/', address: '::a9fe:a9fe' },
  { form: 'IPv4-translated', url: 'http://[::ffff:0:127.0.0.1]/', address: '::ffff:0:7f00:1' },
  { form: 'NAT64 loopback', url: 'http://[64:ff9b::127.0.0.1]/', address: '64:ff9b::7f00:1' },
  { form: 'NAT64 metadata', url: 'http://[64:ff9b::169.254.169.254]/', address: '64:ff9b::a9fe:a9fe' },
  { form: 'NAT64 local-use', url: 'http://[64:ff9b:1::a00:1]/', address: '64:ff9b:1::a00:1' },
  { form: '6to4 loopback', url: 'http://[2002:7f00:1::]/', address: '2002:7f00:1::' },
  { form: '6to4 metadata', url: 'http://[2002:a9fe:a9fe::1]/', address: '2002:a9fe:a9fe::1' },
  { form: 'Teredo client 127.0.0.1', url: 'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', address: '2001:0:4136:e378:8000:63bf:80ff:fffe' },
  { form: 'Teredo client 10.0.0.1', url: 'http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/', address: '2001:0:4136:e378:8000:63bf:f5ff:fffe' },
  { form: 'IPv6 link-local', url: 'http://[fe80::1]/', address: 'fe80::1' },
  { form: 'zone id', url: 'http://[fe80::1%25eth0]/', address: 'fe80::1%eth0' },
  { form: 'unique-local fc00::/7', url: 'http://[fc00::1]/', address: 'fc00::1' },
  { form: 'unique-local fd', url: 'http://[fd12:3456::1]/', address: 'fd12:3456::1' },
  { form: 'AWS IPv6 metadata', url: 'http://[fd00:ec2::254]/', address: 'fd00:ec2::254' },
  { form: 'IPv6 multicast', url: 'http://[ff02::1]/', address: 'ff02::1' },
  { form: 'IPv6 benchmarking', url: 'http://[2001:2::1]/', address: '2001:2::1' },
  { form: 'IPv6 documentation', url: 'http://[2001:db8::1]/', address: '2001:db8::1' },
  { form: 'IPv6 site-local', url: 'http://[fec0::1]/', address: 'fec0::1' },
  { form: 'localhost', url: 'http://localhost/', address: '127.0.0.1' },
  { form: 'localhost trailing dot', url: 'http://localhost./', address: '127.0.0.1' },
  { form: 'LOCALHOST upper case', url: 'http://LOCALHOST./', address: '::1' },
  { form: 'a .localhost name', url: 'http://api.localhost/', address: '127.0.0.1' },
  { form: 'GCP metadata name', url: 'http://metadata.google.internal/computeMetadata/v1/', address: '169.254.169.254' },
  { form: 'GCP metadata name, trailing dot', url: 'http://metadata.google.internal./', address: '169.254.169.254' },
];

/** Public addresses in the same forms: they pass both checks. */
const PUBLIC: { form: string; url: string; address: string }[] = [
  { form: 'IPv4', url: 'http://8.8.8.8/', address: '8.8.8.8' },
  { form: 'IPv4 decimal', url: 'http://134744072/', address: '8.8.8.8' },
  { form: 'IPv4 trailing dot', url: 'http://1.1.1.1./', address: '1.1.1.1' },
  { form: 'just above CGNAT', url: 'http://100.128.0.1/', address: '100.128.0.1' },
  { form: 'just above 172.16/12', url: 'http://172.32.0.1/', address: '172.32.0.1' },
  { form: 'IPv6', url: 'http://[2606:4700:4700::1111]/', address: '2606:4700:4700::1111' },
  { form: 'IPv4-mapped public', url: 'http://[::ffff:8.8.8.8]/', address: '::ffff:808:808' },
  { form: 'NAT64 public', url: 'http://[64:ff9b::8.8.8.8]/', address: '64:ff9b::808:808' },
  { form: '6to4 public', url: 'http://[2002:808:808::1]/', address: '2002:808:808::1' },
  { form: 'Teredo public client', url: 'http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/', address: '2001:0:4136:e378:8000:63bf:f7f7:f7f7' },
];

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

  it('keeps a table of at least 40 guarded forms', () => {
    expect(REFUSED.length).toBeGreaterThanOrEqual(40);
  });

  it.each(REFUSED)('refuses $form ($url) at create time', async ({ url }) => {
    const e = await checkUrl(url, []).catch((x) => x);
    expect(e).toBeInstanceOf(UrlGuardError);
    // The URL parser itself refuses zone ids; every other form reaches the address check.
    expect((e as UrlGuardError).reason).toBe(url.includes('%25') ? 'invalid_url' : 'guarded_address');
  });

  it.each(PUBLIC)('lets the public $form ($url) through at create time', async ({ url }) => {
    await expect(checkUrl(url, [])).resolves.toBeInstanceOf(URL);
  });

  it.each(PUBLIC)('lets the public $form ($address) through the connect-time lookup', async ({ address }) => {
    const resolve: Resolver = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
    const found = await new Promise<unknown>((ok, fail) => guardedLookup(new AllowList([]), resolve)('public.example', { all: true }, (err, a) => (err ? fail(err) : ok(a))));
    expect(found).toEqual([{ address, family: address.includes(':') ? 6 : 4 }]);
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

    it.each(REFUSED)('refuses $form at send time, literal and through a resolver, with no request', async ({ url, address }) => {
      const port = new URL(base).port;
      const before = hits;
      const literal = new URL(url.replace('%25eth0', ''));
      literal.port = port;
      await refused(guardedFetch(url.includes('%25') ? url : literal.toString(), { allow: [], timeoutMs: 500 }), url.includes('%25') ? 'invalid_url' : 'guarded_address');
      const resolve: Resolver = async () => [{ address, family: address.includes(':') ? 6 : 4 }];
      await refused(guardedFetch(`http://send-time.example:${port}/x`, { allow: [], resolve, timeoutMs: 500 }), 'guarded_address');
      expect(hits).toBe(before);
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

    it('refuses every guarded form for webhooks and http agents, and accepts public ones', async () => {
      for (const [i, { form, url }] of REFUSED.entries()) {
        const hook = await t.api('POST', '/v1/integrations', { type: 'webhook', url }, key);
        expect(hook.status, form).toBe(422);
        const agent = await t.api('POST', '/v1/profiles', { name: `refused-${i}`, agent: { kind: 'http', url } }, key);
        // The profile schema already refuses a URL that does not parse (a zone id) with 400.
        expect(agent.status, form).toBe(url.includes('%25') ? 400 : 422);
        expect(agent.body.error.code, form).toBe(url.includes('%25') ? 'invalid_request' : 'url_refused');
      }
      expect((await t.api('GET', '/v1/integrations', undefined, key)).body.integrations).toEqual([]);
      for (const [i, { form, url }] of PUBLIC.entries()) {
        const hook = await t.api('POST', '/v1/integrations', { type: 'webhook', url }, key);
        expect(hook.status, form).toBe(201);
        expect((await t.api('DELETE', `/v1/integrations/${hook.body.integration.id}`, undefined, key)).status).toBe(204);
        const agent = await t.api('POST', '/v1/profiles', { name: `public-${i}`, agent: { kind: 'http', url } }, key);
        expect(agent.status, form).toBe(201);
      }
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
