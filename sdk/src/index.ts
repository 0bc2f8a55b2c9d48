/**
 * `@rapport/sdk`: every export is a module-level function or a type, so a
 * bundler keeps only what the app imports (tracking without the slot
 * renderer, the stub without either).
 */
export { consent, exportData as export, flush, forget, init, track } from './rapport.js';
export type { Exported, InitOptions, Rapport, TrackArgs } from './rapport.js';
export { consentMode, tcf } from './consent-sources.js';
export type { ConsentSource } from './consent-sources.js';
export { fill } from './slots.js';
export { autocapture } from './autocapture.js';
export { stubSnippet } from './stub.js';
export type { StubOptions } from './stub.js';
export { MAX_QUEUED } from './queue.js';
export { LIMITS, PATTERNS } from './wire.js';
export type { Consent, ConsentDefault } from './consent.js';
export type {
  DecidedItem,
  DecidedVariant,
  DecideResponse,
  EventProps,
  EventType,
  Purpose,
  SlotDecision,
  WireEvent,
} from './wire.js';
