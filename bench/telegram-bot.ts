/** The bot both sides of the Telegram benchmark agree on. */
export const BENCH_BOT = { token: '7999999999:BENCHbenchBENCHbenchBENCHbench_xx', id: 7999999999, username: 'bench_bot' };
