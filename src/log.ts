import pino, { type Logger as PinoLogger } from 'pino';

/** Paths pino blanks out wherever they appear: tokens, keys, secrets and auth headers. */
export const REDACT_PATHS = [
  'token',
  'api_key',
  'apiKey',
  'secret',
  'secrets',
  'password',
  'authorization',
  '*.token',
  '*.api_key',
  '*.apiKey',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-slack-signature"]',
  'req.headers.cookie',
];

/** Creates the hub's logger (JSON lines on stdout, secrets redacted). */
export function createLogger(level: string, destination?: pino.DestinationStream): PinoLogger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined }, destination);
}
