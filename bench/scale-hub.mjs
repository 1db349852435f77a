/**
 * The hub of the scale benchmark, in its own process so its memory can be read from /proc: the
 * configuration comes from the environment. By default it runs the compiled hub in dist/ (what
 * `npm start` runs; the bench builds it first); `--tsx` (under `node --import tsx`) runs the sources.
 * Prints `READY <port> <bootMs> <importMs>`: bootMs from createHub to listening (database open,
 * migrations, adapters, bootstrap), importMs the module loading before it (ms since the process
 * started). Drains and exits on SIGTERM.
 */
const tsx = process.argv.includes('--tsx');
const at = (file) => new URL(tsx ? `../src/${file}.ts` : `../dist/src/${file}.js`, import.meta.url).href;
const [{ loadConfig }, { createHub }, { createLogger }] = await Promise.all([import(at('config')), import(at('hub')), import(at('log'))]);
const loaded = performance.now();

const config = loadConfig(process.env);
const hub = await createHub(config, { logger: createLogger(config.logLevel) });
const port = await hub.listen(0, '127.0.0.1');
process.stdout.write(`READY ${port} ${Math.round(performance.now() - loaded)} ${Math.round(loaded)}\n`);
process.on('SIGTERM', () => {
  void hub.close(2000).then(() => process.exit(0));
});
