export { createHookAdapter } from './adapter.ts';
