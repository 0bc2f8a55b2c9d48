/** Random, URL-safe ids: pseudonymous by construction, nothing derived from the shopper. */

/**
 * A random id: 16 random bytes as 32 hex digits (128 bits).
 * @example randomId() // '9f1c04e2b7a35d6e80c2f4a19b3d7e05'
 */
export function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b | 256).toString(16).slice(1)).join('');
}
