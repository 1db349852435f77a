export { createEmailAdapter } from './adapter.ts';
export { renderEmail, defaultSubject } from './render.ts';
