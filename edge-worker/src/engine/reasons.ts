/**
 * Reasons a shopper can read, built from what actually drove an item's score:
 * the model names the feature group that mattered most and the viewed item it
 * relates to; popularity fill-ins say so.
 */
import type { Recommendation } from '../model/recommend';

/** Turns a category slug like `mens-shirts` into `mens shirts`. */
export function categoryLabel(slug: string): string {
  return slug.replace(/[-_]+/g, ' ');
}

/** What drove an item's score, and the viewed product it relates to (a catalog index). */
export interface Explained {
  reason: Recommendation['reason'];
  because: number | null;
}

/**
 * Why an item is shown, naming the viewed product it relates to (`anchor`,
 * its title) when there is one.
 * @example reasonFor({ reason: 'viewed-after', because: 7 }, 'Red shoes') // 'Often viewed after Red shoes'
 */
export function reasonFor(rec: Explained, anchor: string | undefined, popularIn?: string): string {
  switch (rec.reason) {
    case 'viewed-before':
      return 'You looked at this recently';
    case 'similar-sessions':
      return anchor ? `Shoppers who viewed ${anchor} also viewed this` : 'Shoppers with similar taste viewed this';
    case 'viewed-after':
      return anchor ? `Often viewed after ${anchor}` : 'Often viewed next';
    case 'viewed-together':
      return anchor ? `Often viewed together with ${anchor}` : 'Often viewed together';
    case 'bought-together':
      return anchor ? `Often bought together with ${anchor}` : 'Often bought together';
    case 'popular':
      return popularIn ? `Popular in ${categoryLabel(popularIn)}` : 'Popular in the shop right now';
  }
}
