import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tellerConfig, verifyTellerSignature } from '../../adapters/teller/index.ts';
import { ConfigError } from '../../src/config.ts';
import { makeTestPki, type TestPki } from './pki.ts';

describe('Teller settings (TELLER_*)', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki.remove());

  it('defaults to the sandbox on api.teller.io, without a client certificate', () => {
    expect(tellerConfig.parse({})).toMatchObject({ environment: 'sandbox', apiUrl: 'https://api.teller.io', cert: undefined, key: undefined });
  });

  it('reads the certificate and key as PEM text (with \\n escapes) or from a file path', () => {
    const s = tellerConfig.parse({ TELLER_CERT: pki.clientCertPath, TELLER_KEY: pki.clientKey.replace(/\n/g, '\\n'), TELLER_API_URL: 'https://teller.test/', TELLER_ENVIRONMENT: 'production' });
    expect(s.cert).toBe(pki.clientCert);
    expect(s.key).toBe(pki.clientKey);
    expect(s.apiUrl).toBe('https://teller.test');
    expect(s.environment).toBe('production');
  });

  it('names each bad variable, and never prints a key', () => {
    const bad = (env: Record<string, string>) => {
      try {
        tellerConfig.parse(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues.join('\n');
      }
      throw new Error('accepted');
    };
    expect(bad({ TELLER_CERT: pki.clientCert })).toMatch(/^TELLER_KEY: TELLER_CERT and TELLER_KEY go together/);
    expect(bad({ TELLER_CERT: pki.clientCertPath, TELLER_KEY: '/nonexistent/key.pem' })).toMatch(/^TELLER_KEY: must be PEM text .* or the path of a readable PEM file \(ENOENT\)/);
    // A mangled key (no BEGIN line) is not echoed back.
    expect(bad({ TELLER_CERT: pki.clientCertPath, TELLER_KEY: 'MIGHAgEAMBMGByqGSM49secretbits' })).not.toContain('secretbits');
    expect(bad({ TELLER_ENVIRONMENT: 'live' })).toMatch(/^TELLER_ENVIRONMENT: TELLER_ENVIRONMENT must be sandbox, development or production/);
    expect(bad({ TELLER_API_URL: 'not a url' })).toMatch(/^TELLER_API_URL:/);
    expect(bad({ TELLER_CERT: pki.clientCertPath, TELLER_KEY: pki.clientKey, TELLER_ENVIRONMENT: 'live' })).not.toContain('PRIVATE KEY');
  });
});

describe('Teller webhook signatures (Teller-Signature: t=…,v1=…)', () => {
  const secret = 'whsec_teller_test';
  const body = Buffer.from('{"id":"wh_1","payload":{},"timestamp":"2026-12-01T08:00:00Z","type":"webhook.test"}');
  const now = Date.UTC(2026, 11, 1, 8, 0, 0);
  const t = Math.floor(now / 1000);
  const sign = (ts: number, key = secret) => createHmac('sha256', key).update(`${ts}.${body}`).digest('hex');

  it('accepts a signature by the secret, also among several during a rotation', () => {
    expect(verifyTellerSignature(secret, `t=${t},v1=${sign(t)}`, body, now)).toBeNull();
    expect(verifyTellerSignature(secret, `t=${t},v1=${sign(t, 'new')},v1=${sign(t)}`, body, now)).toBeNull();
  });

  it('refuses a wrong secret, a changed body, a stale or future timestamp, and garbage', () => {
    expect(verifyTellerSignature(secret, `t=${t},v1=${sign(t, 'other')}`, body, now)).toBe('signature mismatch');
    expect(verifyTellerSignature(secret, `t=${t},v1=${sign(t)}`, Buffer.concat([body, Buffer.from(' ')]), now)).toBe('signature mismatch');
    expect(verifyTellerSignature(secret, `t=${t - 181},v1=${sign(t - 181)}`, body, now)).toMatch(/window/);
    expect(verifyTellerSignature(secret, `t=${t + 181},v1=${sign(t + 181)}`, body, now)).toMatch(/window/);
    expect(verifyTellerSignature(secret, undefined, body, now)).toMatch(/missing/);
    expect(verifyTellerSignature(secret, 'v1=abc', body, now)).toMatch(/malformed/);
    expect(verifyTellerSignature(secret, `t=${t},v1=zz`, body, now)).toBe('signature mismatch');
  });
});
