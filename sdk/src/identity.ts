/**
 * Pseudonymous visitor and session ids. Created only once a purpose is
 * granted, erased on forget or when every purpose is withdrawn.
 */
import { randomId } from './ids';
import { readStore, writeStore } from './storage';

const VISITOR_KEY = 'rapport_vid';
const SESSION_KEY = 'rapport_sid';
/** A session ends after 30 minutes without activity, as in common analytics practice. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

/** The visitor id, creating one when `create` is set. */
export function visitorId(create: boolean): string | undefined {
  let vid = readStore('localStorage', VISITOR_KEY) ?? undefined;
  if (!vid && create) {
    vid = randomId();
    writeStore('localStorage', VISITOR_KEY, vid);
  }
  return vid;
}

/** The current session id: kept while the visitor is active, renewed after a pause. */
export function sessionId(now: number): string {
  const [sid, last] = (readStore('sessionStorage', SESSION_KEY) ?? '').split('.');
  const current = sid && now - Number(last) < SESSION_IDLE_MS ? sid : randomId();
  writeStore('sessionStorage', SESSION_KEY, `${current}.${now}`);
  return current;
}

/** Erases both ids from this browser. */
export function eraseIdentity(): void {
  writeStore('localStorage', VISITOR_KEY, null);
  writeStore('sessionStorage', SESSION_KEY, null);
}
