/**
 * Consent from the banners shops already run, mapped to Rapport's purposes:
 * IAB TCF v2.2 through `__tcfapi` and Google Consent Mode v2 through
 * `dataLayer`. Each source reports a purpose only once it knows it; `init()`
 * applies a report like a shopper's choice, except that the banner keeps the
 * record, not the SDK (a record the SDK already holds, from `consent()`, is
 * brought in line with the banner's choice).
 *
 * TCF v2.2 purposes (the consents the CMP reports in `purpose.consents`):
 *   analytics        1 (store and access information on a device)
 *                    and 8 (measure content performance)
 *   personalization  1, 5 (create profiles to personalise content)
 *                    and 6 (use profiles to select personalised content)
 * With `tcfVendorId`, the vendor's own consent is required too; otherwise the
 * purposes alone decide (a shop's first-party tool, as the CMP's publisher
 * sees it). `gdprApplies: false` means TCF does not govern: nothing is reported.
 *
 * Consent Mode v2: `analytics_storage` → analytics, `personalization_storage`
 * → personalization; `granted` grants, anything else (unset included) denies.
 * A `default` command is reported as a default (it holds until the shopper
 * has chosen, and withdraws nothing); an `update` is the shopper's choice.
 */
import type { Consent } from './consent.js';

/** Receives a source's view of consent; `byDefault` when it is the banner's default, before the shopper has chosen. */
export type Report = (consent: Consent, byDefault?: boolean) => void;

/** A banner the SDK follows: `init({ sources: [tcf(), consentMode()] })` (the script tag follows both). */
export type ConsentSource = (report: Report) => void;

/** What a TCF v2.2 CMP passes to an `addEventListener` callback (the fields read here). */
interface TCData {
  gdprApplies?: boolean;
  eventStatus?: string;
  purpose?: { consents?: Record<number, boolean> };
  vendor?: { consents?: Record<number, boolean> };
}

type TcfApi = (command: string, version: number, callback: (data: TCData, success: boolean) => void) => void;

/**
 * Follows the page's TCF v2.2 CMP, now or once it arrives (by the page's
 * `load`): reports on `tcloaded` and on every `useractioncomplete`.
 * @param vendorId Rapport's vendor id in the shop's CMP, when it has one
 * @example init({ endpoint, sources: [tcf()] });
 */
export function tcf(vendorId?: number): ConsentSource {
  return (report) => {
    let listening = false;
    const listen = () => {
      const api = (window as { __tcfapi?: TcfApi }).__tcfapi;
      if (listening || typeof api != 'function') return;
      listening = true;
      api('addEventListener', 2, (data, success) => {
        if (!success || data.gdprApplies === false || (data.eventStatus != 'tcloaded' && data.eventStatus != 'useractioncomplete')) return;
        const granted = (...purposes: number[]) =>
          (vendorId === undefined || data.vendor?.consents?.[vendorId] === true) && purposes.every((p) => data.purpose?.consents?.[p] === true);
        report({ analytics: granted(1, 8), personalization: granted(1, 5, 6) });
      });
    };
    listen();
    addEventListener('load', listen);
  };
}

/**
 * Follows Google Consent Mode v2 `consent` commands in `dataLayer`: those
 * pushed before the SDK loaded, then every later one.
 * @example init({ endpoint, sources: [consentMode()] });
 */
export function consentMode(): ConsentSource {
  return (report) => {
    const w = window as { dataLayer?: ArrayLike<unknown>[] & { push(...items: unknown[]): number } };
    const layer = (w.dataLayer ??= [] as unknown as NonNullable<typeof w.dataLayer>);
    const state: Record<string, unknown> = {};
    // Whether an update (the shopper's choice) has come; a default after it changes nothing.
    let chosen = false;
    const see = (entry: unknown) => {
      // gtag() pushes its `arguments`: ['consent', 'default' | 'update', { analytics_storage: 'granted', … }].
      const [command, action, settings] = Array.from((entry ?? []) as ArrayLike<unknown>);
      if (command != 'consent' || (action != 'update' && (action != 'default' || chosen)) || typeof settings != 'object' || !settings) return;
      chosen ||= action == 'update';
      Object.assign(state, settings);
      report({ analytics: state.analytics_storage == 'granted', personalization: state.personalization_storage == 'granted' }, !chosen);
    };
    Array.from(layer).forEach(see);
    const push = layer.push;
    layer.push = (...items) => {
      items.forEach(see);
      return push.apply(layer, items);
    };
  };
}
