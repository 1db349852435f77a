import { z } from 'zod';
import { optionalEnv, parseEnv } from '../config.ts';

/** The hub-wide defaults of `llm` agents, read from the environment. */
export interface LlmEnv {
  /** `OPENAI_BASE_URL`: the chat-completions server profiles use when they name none. Default https://api.openai.com/v1. */
  readonly baseUrl: string;
  /** `OPENAI_API_KEY`: the key profiles use when they carry none. Never logged. */
  readonly apiKey: string | undefined;
}

/** Where `llm` agents go when neither the profile nor OPENAI_BASE_URL names a server. */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

const Schema = z.object({
  OPENAI_BASE_URL: optionalEnv.pipe(z.url({ protocol: /^https?$/, message: 'OPENAI_BASE_URL must be an http(s) URL' }).optional()),
  OPENAI_API_KEY: optionalEnv,
});

/** Reads {@link LlmEnv} from the environment; throws a ConfigError naming a bad variable. Frozen. */
export function parseLlmEnv(env: Readonly<Record<string, string | undefined>>): LlmEnv {
  const e = parseEnv(Schema, env);
  return Object.freeze({ baseUrl: (e.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL).replace(/\/+$/, ''), apiKey: e.OPENAI_API_KEY });
}
