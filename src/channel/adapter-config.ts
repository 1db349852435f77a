import type { z } from 'zod';
import { parseEnv } from '../config.ts';

export { optionalEnv } from '../config.ts';

/**
 * What an adapter may read of the hub's settings: a few hub-wide, non-secret values, and its own
 * slice. Never the master keys, the admin key, the database URL or the data folder.
 */
export interface AdapterSettings {
  /** Base URL the platforms reach the hub at, without a trailing slash (`PUBLIC_URL`). */
  readonly publicUrl: string;
  /** Hosts or CIDRs the URL guard lets through (`SWITCHBOARD_ALLOW_PRIVATE_URLS`). */
  readonly allowPrivateUrls: readonly string[];
  /** The bus tuning values adapters use themselves. */
  readonly bus: {
    /** Timeout of one outbound HTTP send an adapter makes itself, in ms. Default 15 000. */
    readonly sendTimeoutMs: number;
    /** Factor applied to adapters' fixed retry schedules. Default 1. */
    readonly retryScheduleScale: number;
  };
  /**
   * This adapter's own settings, as its declaration parsed them from the environment; undefined
   * when it declares none. Read it typed with `<declaration>.of(services)`.
   */
  readonly slice: unknown;
}

/** The environment as slices read it: variable name → value. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * An adapter's settings declaration: a zod schema over the environment variables it reads (keys are
 * the variable names; anything else is dropped), usually with a transform to the shape it uses.
 */
export interface AdapterConfig<T extends object> {
  readonly schema: z.ZodType<T, unknown>;
  /** Parses the slice from the environment, frozen. Throws a ConfigError naming each bad variable. */
  parse(env: EnvSource): Readonly<T>;
  /** The slice the hub parsed with this declaration for the adapter these services were given to. */
  of(services: { readonly config: AdapterSettings }): Readonly<T>;
}

/** Slices and the declaration that parsed each, so `of` never hands out another channel's settings. */
const parsedBy = new WeakMap<object, AdapterConfig<object>>();

/**
 * Declares an adapter's settings slice. The registry row in `adapters/index.ts` carries it beside
 * the factory; the hub parses it at start-up and lends the adapter only that slice.
 */
export function defineAdapterConfig<T extends object>(input: { schema: z.ZodType<T, unknown> }): AdapterConfig<T> {
  const declaration: AdapterConfig<T> = {
    schema: input.schema,
    parse(env) {
      const slice = Object.freeze(parseEnv(input.schema, env));
      parsedBy.set(slice, declaration);
      return slice;
    },
    of(services) {
      const slice = services.config.slice;
      if (typeof slice !== 'object' || slice === null || parsedBy.get(slice) !== declaration) {
        throw new Error('these adapter services carry no settings of this declaration (is it the config of this adapter\'s registry row?)');
      }
      return slice as Readonly<T>;
    },
  };
  return declaration;
}
