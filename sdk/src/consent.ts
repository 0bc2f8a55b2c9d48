/**
 * Consent by purpose. Nothing is stored or sent for a purpose until it is
 * granted; the shopper's own choice is remembered (that record is strictly
 * necessary) and wins over a merchant default or a browser signal.
 */
import type { Purpose } from './wire.js';
import { readJson, writeStore } from './storage.js';

/** Granted (true) or refused (false) per purpose; absent means not asked yet. */
export type Consent = Partial<Record<Purpose, boolean>>;

/** How the page starts: wait for a choice, or consent already obtained by the merchant. */
export type ConsentDefault = 'pending' | 'granted' | Consent;

const CHOICE_KEY = 'rapport_consent';

/**
 * The purposes granted in `consent`, in wire order.
 * @example granted({ personalization: true, analytics: false }) // ['personalization']
 */
export function granted(consent: Consent): Purpose[] {
  return (['analytics', 'personalization'] as const).filter((p) => consent[p] === true);
}

/**
 * The choice this browser remembers (see {@link rememberChoice}), or undefined;
 * a damaged record is as good as none.
 * @example rememberedChoice() // { analytics: true, personalization: false }
 */
export function rememberedChoice(): Consent | undefined {
  return readJson<Consent>('localStorage', CHOICE_KEY);
}

/**
 * The consent in force at start: a remembered choice first, otherwise the
 * merchant's default; Global Privacy Control withdraws personalization from
 * either (see {@link withGpc}).
 * @param fallback the merchant's default (`init()`'s `consent` option)
 * @param gpc whether the browser sends Global Privacy Control
 * @param remembered the remembered choice (default: this browser's)
 * @example initialConsent('granted', true) // { analytics: true, personalization: false }
 */
export function initialConsent(fallback: ConsentDefault, gpc: boolean, remembered = rememberedChoice()): Consent {
  const base: Consent = fallback === 'pending' ? {} : fallback === 'granted' ? { analytics: true, personalization: true } : { ...fallback };
  return withGpc(remembered ?? base, gpc);
}

/**
 * A choice with Global Privacy Control applied: the browser's signal objects
 * to personalization whatever the default, the banner or the shopper's own
 * earlier choice says (the Worker honours `Sec-GPC` the same way).
 * @example withGpc({ analytics: true, personalization: true }, true) // { analytics: true, personalization: false }
 */
export function withGpc(consent: Consent, gpc: boolean): Consent {
  return gpc ? { ...consent, personalization: false } : consent;
}

/**
 * Remembers the shopper's explicit choice (a strictly necessary record).
 * @example rememberChoice({ analytics: true, personalization: true })
 */
export function rememberChoice(consent: Consent): void {
  writeStore('localStorage', CHOICE_KEY, JSON.stringify(consent));
}
