/**
 * The banner's choices as IAB TCF v2.2 TC strings, encoded and decoded by
 * IAB's own library (@iabtechlabtcf/core), and the cookie that keeps them.
 * The vendor list is written here, not fetched: TCF's purposes and no
 * vendors, because the string is service-specific (this shop's own tools,
 * Rapport among them, under the shop's purposes).
 */
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import { choiceOf, TCF_PURPOSE_NAMES, tcfPurposesOf, type Choice } from './purposes';

/** The CMP id TC strings carry: 10 is a demo value, not an id IAB registered for this shop (a real CMP has its own). */
export const CMP_ID = 10;
export const CMP_VERSION = 1;
/** The publisher's country in TC strings (a demo value). */
const PUBLISHER_COUNTRY = 'DE';

/** Where a choice was made, as a TC string's `consentScreen` numbers it. */
export const SCREENS = { banner: 1, choose: 2, privacyCentre: 3 } as const;
export type Screen = (typeof SCREENS)[keyof typeof SCREENS];

/** The cookie a TCF CMP keeps its TC string in, for the whole site. */
export const TC_COOKIE = 'euconsent-v2';
const TC_COOKIE_DAYS = 390;

const purposes = Object.fromEntries(Object.entries(TCF_PURPOSE_NAMES).map(([id, name]) => [id, { id: Number(id), name, description: '' }]));

/** TCF v2.2 (policy version 5) with its purposes and no vendors. */
const vendorList = new GVL({
  gvlSpecificationVersion: 3,
  vendorListVersion: 1,
  tcfPolicyVersion: 5,
  lastUpdated: '2026-01-01T00:00:00Z',
  purposes,
  specialPurposes: {},
  features: {},
  specialFeatures: {},
  stacks: {},
  dataCategories: {},
  vendors: {},
});

/** A TC string that records `choice`, made on `screen`. */
export function encode(choice: Choice, screen: Screen): string {
  const model = new TCModel(vendorList);
  model.cmpId = CMP_ID;
  model.cmpVersion = CMP_VERSION;
  model.consentScreen = screen;
  model.consentLanguage = 'EN';
  model.publisherCountryCode = PUBLISHER_COUNTRY;
  model.isServiceSpecific = true;
  model.purposeConsents.set(tcfPurposesOf(choice));
  return TCString.encode(model);
}

/** The choice a TC string records, or undefined for one that does not decode. */
export function decode(tcString: string): Choice | undefined {
  try {
    const model = TCString.decode(tcString);
    return choiceOf((purpose) => model.purposeConsents.has(purpose));
  } catch {
    return undefined;
  }
}

/** The stored TC string, or undefined. */
export function readTcString(): string | undefined {
  const value = document.cookie.split('; ').find((pair) => pair.startsWith(`${TC_COOKIE}=`));
  return value?.slice(TC_COOKIE.length + 1) || undefined;
}

export function storeTcString(tcString: string): void {
  // TC strings are base64url: nothing in them needs escaping in a cookie.
  document.cookie = `${TC_COOKIE}=${tcString}; max-age=${TC_COOKIE_DAYS * 86_400}; path=/; samesite=lax`;
}
