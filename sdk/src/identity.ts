/**
 * Pseudonymous visitor and session ids. The visitor id is only ever one the
 * Worker issued and signed: the SDK keeps it in localStorage once a collect
 * answer carries it, never makes one up, and erases it on forget or when
 * every purpose is withdrawn. Sessions are the SDK's own, kept in
 * sessionStorage with their viewed items (after personalization consent).
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
 * The session, renewed after a pause, as kept in sessionStorage: its id, the
 * time of its last activity, and its viewed items in the order they were
 * viewed, repeats kept (the last `LIMITS.recentItems`).
 */
function session(now: number, view?: string | false): string[] {
  let [sid = '', last = '', ...views]: string[] = [];
  try {
    [sid = '', last = '', ...views] = JSON.parse(readStore('sessionStorage', SESSION_KEY)!) as string[];
  } catch {
    // none yet, or damaged: a new session
  }
  if (!LIMITS.id.test(sid) || !(now - Number(last) < SESSION_IDLE_MS)) [sid, views] = [randomId(), []];
  if (view) views.push(view);
  const record = [sid, String(now), ...views.slice(-LIMITS.recentItems)];
  writeStore('sessionStorage', SESSION_KEY, JSON.stringify(record));
  return record;
}

/**
 * The current session id: kept while the visitor is active, renewed after a
 * pause; `view` is added to the session's views.
 * @param now the current time, epoch ms
 * @param view an item viewed now (only with personalization consent)
 * @example sessionId(Date.now(), 'sku-42')
 */
export function sessionId(now: number, view?: string | false): string {
  return session(now, view)[0]!;
}

/**
 * This session's viewed items, oldest first, repeats kept: decide carries
 * them because the profile the Worker reads may not have caught up with them.
 * @example recentViews() // ['sku-7', 'sku-42']
 */
export function recentViews(): string[] {
  return session(Date.now()).slice(2);
}

/**
 * Erases both ids and the session's views from this browser.
 * @example eraseIdentity() // on forget(), or when every purpose is withdrawn
 */
export function eraseIdentity(): void {
  keepVisitorId();
  writeStore('sessionStorage', SESSION_KEY, null);
}
