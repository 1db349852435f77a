/** The adapter contract: the only part of src/ that adapters import. */
export * from './adapter.ts';
export * from './errors.ts';
export * from './services.ts';
export * from './split.ts';
export * from './types.ts';
export * from '../errors.ts';
