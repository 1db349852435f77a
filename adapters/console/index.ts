export { createConsoleAdapter, type ConsoleAdapter, type ConsoleReply } from './adapter.ts';
export type { ConsoleEvent } from './parse.ts';
