/**
 * The hub of the scale benchmark, in its own process so its memory can be read from /proc: the
 * configuration comes from the environment. Prints `READY <port> <bootMs> <importMs>`: bootMs from
 * createHub to listening (database open, migrations, adapters, bootstrap), importMs the module
 * loading before it (ms since the process started). Drains and exits on SIGTERM.
 */
const { loadConfig } = await import('../src/config.ts');
const { createHub } = await import('../src/hub.ts');
const { createLogger } = await import('../src/log.ts');
const loaded = performance.now();

const config = loadConfig(process.env);
const hub = await createHub(config, { logger: createLogger(config.logLevel) });
const port = await hub.listen(0, '127.0.0.1');
process.stdout.write(`READY ${port} ${Math.round(performance.now() - loaded)} ${Math.round(loaded)}\n`);
process.on('SIGTERM', () => {
  void hub.close(2000).then(() => process.exit(0));
});
