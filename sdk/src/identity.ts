/**
 * Pseudonymous visitor and session ids. The visitor id is only ever one the
 * Worker issued and signed: the SDK keeps it in localStorage once a collect
 * answer carries it, never makes one up, and erases it on forget or when
 * every purpose is withdrawn. Sessions are the SDK's own, kept in
 * sessionStorage with their viewed items (after personalization consent).
 */
import { randomId } from './ids.js';
import { readJson, readStore, writeStore, type Area } from './storage.js';
import { LIMITS, PATTERNS } from './wire.js';

const VISITOR_KEY = 'rapport_vid';
const SESSION_KEY = 'rapport_sid';
const CLICK_KEY = 'rapport_click';
/** Where the session lives: this tab only. */
const AREA: Area = 'sessionStorage';
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
  // None yet, or damaged: a new session.
  const stored = readJson<string[]>(AREA, SESSION_KEY);
  let [sid = '', last = '', ...views] = Array.isArray(stored) ? stored : [];
  if (!PATTERNS.id.test(sid) || !(now - Number(last) < SESSION_IDLE_MS)) [sid, views] = [randomId(), []];
  if (view) views.push(view);
  const record = [sid, String(now), ...views.slice(-LIMITS.recentItems)];
  writeStore(AREA, SESSION_KEY, JSON.stringify(record));
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
 * The last click on a slot item in this tab: its decision, slot and time
 * (epoch ms), kept so that the cart changes and purchase that follow can be
 * attributed to the decision.
 * @param click what to remember; omitted, what is remembered (or undefined)
 * @example lastClick(['decision-01', 'recommended', Date.now()])
 */
export function lastClick(click?: [decision: string, slot: string | undefined, at: number]): [string, string | undefined, number] | undefined {
  if (click) writeStore(AREA, CLICK_KEY, JSON.stringify(click));
  return readJson(AREA, CLICK_KEY);
}

/**
 * Erases both ids, the session's views and the last click from this browser.
 * @example eraseIdentity() // on forget(), or when every purpose is withdrawn
 */
export function eraseIdentity(): void {
  keepVisitorId();
  writeStore(AREA, SESSION_KEY, null);
  writeStore(AREA, CLICK_KEY, null);
}
