export { createTellerAdapter, type TellerAdapterOptions } from './adapter.ts';
export { tellerConfig, type TellerSettings } from './config.ts';
export { verifyTellerSignature } from './webhook.ts';
