/**
 * Pseudonymous visitor and session ids. Created only once a purpose is
 * granted, erased on forget or when every purpose is withdrawn.
 */
import { randomId } from './ids.js';
import { readStore, writeStore } from './storage.js';
import { LIMITS } from './wire.js';

const VISITOR_KEY = 'rapport_vid';
const SESSION_KEY = 'rapport_sid';
/** A session ends after 30 minutes without activity, as in common analytics practice. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** A stored id the Worker accepts; a damaged one would make it refuse every batch, so it counts as none. */
const usable = (id: string | null | undefined): id is string => !!id && LIMITS.id.test(id);

/**
 * The visitor id, creating one when `create` is set.
 * @example visitorId(false) // undefined before the first granted purpose
 */
export function visitorId(create: boolean): string | undefined {
  let vid = readStore('localStorage', VISITOR_KEY);
  if (!usable(vid) && create) {
    vid = randomId();
    writeStore('localStorage', VISITOR_KEY, vid);
  }
  return usable(vid) ? vid : undefined;
}

/**
 * The current session id: kept while the visitor is active, renewed after a pause.
 * @param now the current time, epoch ms
 * @example sessionId(Date.now())
 */
export function sessionId(now: number): string {
  const [sid, last] = (readStore('sessionStorage', SESSION_KEY) ?? '').split('.');
  const current = usable(sid) && now - Number(last) < SESSION_IDLE_MS ? sid : randomId();
  writeStore('sessionStorage', SESSION_KEY, `${current}.${now}`);
  return current;
}

/**
 * Erases both ids from this browser.
 * @example eraseIdentity() // on forget(), or when every purpose is withdrawn
 */
export function eraseIdentity(): void {
  writeStore('localStorage', VISITOR_KEY, null);
  writeStore('sessionStorage', SESSION_KEY, null);
}
