/**
 * Pseudonymous visitor and session ids. The visitor id is only ever one the
 * Worker issued and signed: the SDK keeps it in localStorage once a collect
 * answer carries it, never makes one up, and erases it on forget or when
 * every purpose is withdrawn. Session ids are the SDK's own.
 */
import { randomId } from './ids.js';
import { readStore, writeStore } from './storage.js';
import { LIMITS } from './wire.js';

const VISITOR_KEY = 'rapport_vid';
const SESSION_KEY = 'rapport_sid';
/** A session ends after 30 minutes without activity, as in common analytics practice. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;

/**
 * The visitor id the Worker issued, or undefined before it has issued one.
 * Whatever is stored is sent as is: the Worker alone can tell a valid id, and
 * answers 401 to any other (then {@link keepVisitorId} forgets it).
 * @example visitorId() // undefined until the first collect was answered
 */
export function visitorId(): string | undefined {
  return readStore('localStorage', VISITOR_KEY) || undefined;
}

/**
 * Keeps the id a collect answer says the batch was recorded under; without one, forgets the stored id.
 * @param vid the answer's `vid` (default: none, forget it)
 * @example keepVisitorId(answer.vid)
 */
export function keepVisitorId(vid?: string): void {
  writeStore('localStorage', VISITOR_KEY, vid || null);
}

/**
 * The current session id: kept while the visitor is active, renewed after a pause.
 * @param now the current time, epoch ms
 * @example sessionId(Date.now())
 */
export function sessionId(now: number): string {
  const [sid, last] = (readStore('sessionStorage', SESSION_KEY) ?? '').split('.');
  const current = sid && LIMITS.id.test(sid) && now - Number(last) < SESSION_IDLE_MS ? sid : randomId();
  writeStore('sessionStorage', SESSION_KEY, `${current}.${now}`);
  return current;
}

/**
 * Erases both ids from this browser.
 * @example eraseIdentity() // on forget(), or when every purpose is withdrawn
 */
export function eraseIdentity(): void {
  keepVisitorId();
  writeStore('sessionStorage', SESSION_KEY, null);
}
