/**
 * The shop's banner as an IAB TCF v2.2 CMP (TCF mode: cookie demo_cmp=tcf).
 * IAB's CmpApi takes over the `__tcfapi` stub in <head> and its queue, and
 * answers every caller, the Rapport SDK among them, with the TC string that
 * records the shopper's choice. public/consent.js runs the banner and calls
 * `window.demoTcf`: `start` once (with the remembered choice, or null while
 * the banner asks), `save` for each choice the shopper makes.
 */
import { CmpApi } from '@iabtechlabtcf/cmpapi';
import type { Choice } from './tcf/purposes';
import { CMP_ID, CMP_VERSION, decode, encode, readTcString, SCREENS, storeTcString, type Screen } from './tcf/tc-string';

/** What the banner's script calls. */
export interface DemoTcf {
  /**
   * Tells the CMP's callers the choice in force as the page starts, and
   * returns it: the banner's remembered choice, else the one the stored TC
   * string records (the stored string is used when it records that choice,
   * else a new one is stored); with neither, that the banner is asking
   * (`cmpuishown`, nothing decided) and null.
   */
  start(remembered: Choice | null): Choice | null;
  /** Records a choice the shopper made (`useractioncomplete` for the SDK and every other caller). */
  save(choice: Choice, screen: Screen): void;
}

declare global {
  interface Window {
    demoTcf?: DemoTcf;
  }
}

// Service-specific: the TC string is this shop's, not shared across sites.
const api = new CmpApi(CMP_ID, CMP_VERSION, true);

function save(choice: Choice, screen: Screen): void {
  const tcString = encode(choice, screen);
  storeTcString(tcString);
  api.update(tcString, false);
}

window.demoTcf = {
  start(remembered) {
    const stored = readTcString();
    const recorded = stored ? decode(stored) : undefined;
    const choice = remembered ?? recorded ?? null;
    if (!choice) api.update('', true);
    else if (stored && recorded?.analytics === choice.analytics && recorded.personalization === choice.personalization) api.update(stored, false);
    // A choice made in the shop's own mode, or a damaged string: the banner's record is the shopper's latest word.
    else save(choice, SCREENS.banner);
    return choice;
  },
  save,
};
