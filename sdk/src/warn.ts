/** Prefixed console warnings: the SDK reports problems, it never throws at the page. */

/**
 * Warns on the console with the `[rapport]` prefix.
 * @example warn('could not fill slots', err)
 */
export function warn(message: string, ...details: unknown[]): void {
  console.warn(`[rapport] ${message}`, ...details);
}
