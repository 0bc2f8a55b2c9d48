/** Prefixed console warnings: the SDK reports problems, it never throws at the page. */
import { DEBUG } from './debug.js';

/**
 * Warns on the console with the `[rapport]` prefix, in the builds that explain
 * themselves (see `debug.ts`); in the script tag's production build the call
 * and its message are left out.
 * @example warn('could not fill slots', err)
 */
export function warn(message: string, ...details: unknown[]): void {
  if (DEBUG) console.warn(`[rapport] ${message}`, ...details);
}
