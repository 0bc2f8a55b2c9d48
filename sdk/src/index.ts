export { init } from './rapport';
export type { InitOptions, Rapport, TrackArgs } from './rapport';
export type { Consent, ConsentDefault } from './consent';
export type { Decision, DecidedItem, DecidedVariant, EventProps, EventType, Purpose, WireEvent } from './wire';
export { stubSnippet } from './stub';
