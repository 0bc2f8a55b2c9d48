/**
 * Web Storage that never throws: private modes, disabled storage and full
 * quotas all degrade to "nothing remembered".
 */

/** `localStorage` keeps consent and the visitor id; `sessionStorage` the session id. */
export type Area = 'localStorage' | 'sessionStorage';

/**
 * `getItem`, or null when the storage area is unavailable.
 * @example readStore('localStorage', 'rapport_vid')
 */
export function readStore(area: Area, key: string): string | null {
  try {
    return window[area].getItem(key);
  } catch {
    return null;
  }
}

/**
 * A stored JSON value, or undefined when there is none or it is damaged.
 * @example readJson('sessionStorage', 'rapport_click')
 */
export function readJson<T>(area: Area, key: string): T | undefined {
  try {
    return JSON.parse(readStore(area, key)!) ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * `setItem`; `null` removes the key. Silently does nothing when storage is unavailable.
 * @example writeStore('sessionStorage', 'rapport_sid', null)
 */
export function writeStore(area: Area, key: string, value: string | null): void {
  try {
    if (value === null) window[area].removeItem(key);
    else window[area].setItem(key, value);
  } catch {
    // the value lives only as long as the page
  }
}
