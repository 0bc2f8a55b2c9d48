/** URLs the SDK will use: only the web's. */

/**
 * Whether `url` (resolved against `base`, when given) is an http(s) URL:
 * never `javascript:`, `data:` or anything else a page could run or embed.
 * @example isWeb('/p/sku-42', location.href) // true
 * @example isWeb('javascript:alert(1)') // false
 */
export function isWeb(url: string, base?: string): boolean {
  try {
    return /^https?:$/.test(new URL(url, base).protocol);
  } catch {
    return false;
  }
}
