import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** PEM files of a test public-key infrastructure, made at run time with `openssl`. */
export interface TestPki {
  dir: string;
  /** The test CA's certificate: it signs the server's and the client's certificates. */
  caCert: string;
  /** The fake Teller's certificate (SAN 127.0.0.1, localhost) and key. */
  serverCert: string;
  serverKey: string;
  /** The application's client certificate (CN switchboard-test-app) and key, as Teller issues one. */
  clientCert: string;
  clientKey: string;
  /** Paths of the client certificate and key files (TELLER_CERT / TELLER_KEY as paths). */
  clientCertPath: string;
  clientKeyPath: string;
  remove(): void;
}

/** Makes a CA, a server certificate and a client certificate signed by it, in a temporary folder (EC P-256, valid 2 days). */
export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teller-pki-'));
  const p = (f: string) => path.join(dir, f);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=Switchboard Test CA');
  const leaf = (name: string, cn: string, ext: string) => {
    fs.writeFileSync(p(`${name}.ext`), ext);
    ssl('req', '-new', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${cn}`);
    ssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-out', p(`${name}.pem`), '-extfile', p(`${name}.ext`));
  };
  leaf('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'switchboard-test-app', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string) => fs.readFileSync(p(f), 'utf8');
  return {
    dir,
    caCert: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    clientCertPath: p('client.pem'),
    clientKeyPath: p('client.key'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
