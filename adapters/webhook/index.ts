export { createWebhookAdapter } from './adapter.ts';
export type { WebhookEvent } from './event.ts';
