import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../client.ts';

// The hub, the store (kysely, drivers) and the crypto are imported inside the actions, so that
// `switchboard --help` and the REST commands never load them.

/** Commands that work on this machine's database directly: `serve`, `migrate`, `keys rotate`. */
export function registerLocalCommands(program: Command): void {
  program
    .command('serve')
    .description('run the hub (HTTP API, webhooks and workers)')
    .option('--port <port>', 'port to listen on (default $PORT or 3000)')
    .action(async (o: { port?: string }) => {
      const [{ loadConfig }, { createHub }] = await Promise.all([import('../../config.ts'), import('../../hub.ts')]);
      const config = loadConfig(o.port ? { ...process.env, PORT: o.port } : process.env);
      const hub = await createHub(config);
      const port = await hub.listen();
      if (hub.bootstrap.createdAdminKey) {
        console.log(`\nCreated the first admin. Its API key is shown only this once:\n\n  ${hub.bootstrap.createdAdminKey}\n`);
        console.log(`It is saved in ${path.join(config.dataDir, 'admin.key')} (mode 0600) so the local CLI works.\n`);
      }
      console.log(`Switchboard listening on http://localhost:${port} (database: ${config.databaseUrl.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'})`);
      console.log('Try: npx switchboard chat -m "hello"');
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        hub.log.info({ signal }, 'shutting down: draining workers');
        await hub.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });

  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      const [{ loadConfig }, { migrate, openDatabase }] = await Promise.all([import('../../config.ts'), import('../../store/index.ts')]);
      const config = loadConfig();
      const db = openDatabase(config.databaseUrl);
      try {
        const applied = await migrate(db);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      } finally {
        await db.close();
      }
    });

  const keys = program.command('keys').description('master key management');
  keys
    .command('rotate')
    .description('re-encrypt every secret under a new master key (the dev key file gets a new key; with SWITCHBOARD_MASTER_KEY="new,old" the first key is used)')
    .action(async () => {
      const [{ loadConfig }, { DEV_KEY_FILE, generateMasterKey, loadKeyRing, readKeyFile, writeKeyFile }, { rotateSecrets }, { migrate, openDatabase }, { default: cliProgress }] =
        await Promise.all([import('../../config.ts'), import('../../crypto/keyring.ts'), import('../../crypto/rotate.ts'), import('../../store/index.ts'), import('cli-progress')]);
      const config = loadConfig();
      const file = path.join(config.dataDir, DEV_KEY_FILE);
      if (config.masterKeys && config.masterKeys.length < 2) {
        throw new CliError('To rotate SWITCHBOARD_MASTER_KEY, set it to "<new key>,<old key>" (new first) and run `switchboard keys rotate` again. Generate a key with `openssl rand -base64 32`.');
      }
      if (!config.masterKeys) {
        loadKeyRing(undefined, config.dataDir, () => {});
        const old = readKeyFile(file).map((k) => k.key.toString('base64'));
        writeKeyFile(file, [generateMasterKey(), ...old]);
        console.error(`Added a new master key to ${file}; earlier keys stay there to open older values.`);
      }
      const ring = loadKeyRing(config.masterKeys, config.dataDir, () => {});
      const db = openDatabase(config.databaseUrl);
      const bar = new cliProgress.SingleBar({ format: 'Re-encrypting [{bar}] {value}/{total} secrets', stream: process.stderr }, cliProgress.Presets.shades_classic);
      try {
        await migrate(db);
        let started = false;
        const n = await rotateSecrets(db.kysely, ring, (done, total) => {
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(done);
        });
        bar.stop();
        console.log(`Re-encrypted ${n} secret${n === 1 ? '' : 's'} under key id ${ring.current().id}.`);
      } finally {
        await db.close();
      }
    });
}
