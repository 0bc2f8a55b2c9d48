/**
 * The admin token in this tab: taken once from the address (`#token=…`, the
 * link `npm start` prints) and removed from it at once, kept in
 * sessionStorage (gone when the tab closes), forgotten when the Worker
 * refuses it or the merchant asks.
 */

const KEY = 'rapport_admin_token';
/** Where the token lives when the browser refuses storage (then it lasts as long as the page). */
let memory: string | null = null;

/** The token `#token=…` carried, if any, now kept and removed from the address bar and history entry. */
export function takeTokenFromFragment(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  keepToken(token);
  history.replaceState(history.state, '', location.pathname + location.search);
}

/** The token kept for this tab, or null. */
export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY) ?? memory;
  } catch {
    return memory;
  }
}

/** Keeps `token` for this tab. */
export function keepToken(token: string): void {
  memory = token;
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // Storage refused (a locked-down browser): the page keeps it in memory.
  }
}

/** Forgets the token. */
export function forgetToken(): void {
  memory = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing was stored
  }
}
