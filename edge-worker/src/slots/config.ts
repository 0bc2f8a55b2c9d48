/**
 * Slot configuration: which slots exist and how each chooses what it shows.
 * Published data (see `published/published.ts`), not code, so a merchant
 * adds a slot or a variant without a deploy. Validated with zod when it is
 * published and when it is loaded; an invalid configuration is refused whole.
 */
import * as z from 'zod';
import { parseOrThrow, webUrl } from '../validate';

/**
 * How an item slot chooses its items:
 * - `personal`: from the visitor's recent items ("recommended for you");
 * - `similar`: from the product on the page ("you may also like");
 * - `together`: bought in the same orders as the product on the page, then viewed in the same sessions ("bought together");
 * - `cart`: from what is in the cart ("complete your cart").
 */
export const slotStrategy = z.enum(['personal', 'similar', 'together', 'cart']);
export type SlotStrategy = z.infer<typeof slotStrategy>;

const itemSlot = z.strictObject({
  kind: z.literal('items').default('items'),
  title: z.string().min(1),
  /** Heading when nothing personal drove the picks (a new visitor): honesty over marketing. */
  coldTitle: z.string().min(1).optional(),
  size: z.number().int().min(1).max(50),
  strategy: slotStrategy,
  /** Diversity: at most this many items of one category (default: half the slot, at least 2). */
  maxPerCategory: z.number().int().min(1).optional(),
});

/**
 * One piece of content a variant slot may show. `{category}` in title, body
 * and href stands for the visitor's favourite category (label, or slug in href).
 */
const variant = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  /** When this variant applies; the first variant that applies wins, one without `when` always does. */
  when: z
    .strictObject({
      visitor: z.enum(['new', 'returning']).optional(),
      /** The visitor has a favourite category. */
      interest: z.boolean().optional(),
      /** The visitor's cart holds items (with `visitor: 'returning'`: items left behind, a cart-abandonment nudge). */
      cart: z.boolean().optional(),
    })
    .optional(),
  title: z.string().min(1),
  body: z.string().default(''),
  href: webUrl,
  /** Why the shopper sees it, in their words. */
  reason: z.string().min(1),
});

const variantSlot = z.strictObject({
  kind: z.literal('variants'),
  variants: z.array(variant).min(1),
});

/** The whole configuration: slot id → slot. */
export const slotsConfig = z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/), z.union([itemSlot, variantSlot]));

export type ItemSlotConfig = z.output<typeof itemSlot>;
export type VariantConfig = z.output<typeof variant>;
export type VariantSlotConfig = z.output<typeof variantSlot>;
export type SlotConfig = ItemSlotConfig | VariantSlotConfig;
/** Every configured slot by id. */
export type SlotConfigs = Readonly<Record<string, SlotConfig>>;

/** Slots every installation has, used until a configuration is published: the four item strategies. */
export const DEFAULT_SLOTS: SlotConfigs = {
  recommended: { kind: 'items', title: 'Recommended for you', coldTitle: 'Popular right now', size: 4, strategy: 'personal' },
  similar: { kind: 'items', title: 'You may also like', size: 4, strategy: 'similar' },
  together: { kind: 'items', title: 'Goes well with this', coldTitle: 'Popular right now', size: 4, strategy: 'together', maxPerCategory: 4 },
  'complete-cart': { kind: 'items', title: 'Complete your cart', size: 4, strategy: 'cart' },
};

/** Checks a parsed slot configuration; throws a `TypeError` naming what is wrong. */
export function buildSlots(raw: unknown): SlotConfigs {
  return parseOrThrow(slotsConfig, raw, 'slot configuration');
}
