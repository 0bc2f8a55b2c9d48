/**
 * Consent by purpose. Nothing is stored or sent for a purpose until it is
 * granted; the shopper's own choice is remembered (that record is strictly
 * necessary) and wins over a merchant default or a browser signal.
 */
import type { Purpose } from './wire.js';
import { readStore, writeStore } from './storage.js';

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
 * The consent in force at start: a remembered choice first; otherwise the
 * merchant's default, where Global Privacy Control withdraws personalization.
 * @param fallback the merchant's default (`init()`'s `consent` option)
 * @param gpc whether the browser sends Global Privacy Control
 * @example initialConsent('granted', true) // { analytics: true, personalization: false } on a first visit
 */
export function initialConsent(fallback: ConsentDefault, gpc: boolean): Consent {
  const remembered = readStore('localStorage', CHOICE_KEY);
  if (remembered) {
    try {
      return JSON.parse(remembered) as Consent;
    } catch {
      // a damaged record is as good as none
    }
  }
  if (fallback === 'pending') return {};
  const base: Consent = fallback === 'granted' ? { analytics: true, personalization: true } : { ...fallback };
  if (gpc) base.personalization = false;
  return base;
}

/**
 * Remembers the shopper's explicit choice (a strictly necessary record).
 * @example rememberChoice({ analytics: true, personalization: true })
 */
export function rememberChoice(consent: Consent): void {
  writeStore('localStorage', CHOICE_KEY, JSON.stringify(consent));
}
