/**
 * Slot configuration: which slots exist and how each chooses what it shows.
 * Configuration data in KV (`config:slots`), not code, so a merchant adds a
 * slot or a variant without a deploy. Validated with zod when published data
 * is loaded; an invalid configuration is refused as a whole.
 */
import { z } from 'zod';

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
    })
    .optional(),
  title: z.string().min(1),
  body: z.string().default(''),
  href: z.string().min(1),
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

/** KV key of the slot configuration in the MODELS namespace. */
export const SLOTS_KEY = 'config:slots';

/** Slots every installation has, used until a configuration is published. */
export const DEFAULT_SLOTS: Readonly<Record<string, SlotConfig>> = {
  recommended: { kind: 'items', title: 'Recommended for you', coldTitle: 'Popular right now', size: 4, strategy: 'personal' },
  similar: { kind: 'items', title: 'You may also like', size: 4, strategy: 'similar' },
  together: { kind: 'items', title: 'Goes well with this', coldTitle: 'Popular right now', size: 4, strategy: 'together', maxPerCategory: 4 },
  'complete-cart': { kind: 'items', title: 'Complete your cart', size: 4, strategy: 'cart' },
  hero: {
    kind: 'variants',
    variants: [
      {
        id: 'favourite-category',
        when: { visitor: 'returning', interest: true },
        title: 'Welcome back: more {category} for you',
        body: 'Fresh picks from the category you keep coming back to.',
        href: '/c/{category}',
        reason: 'Because you often look at {category}',
      },
      {
        id: 'welcome',
        when: { visitor: 'new' },
        title: 'Welcome! Free shipping on your first order',
        body: 'Have a look around — everything ships free today.',
        href: '/categories',
        reason: 'Shown on a first visit',
      },
      {
        id: 'everyone',
        title: 'Everything, picked for you',
        body: 'Browse a little; the shop learns what you like — only if you say yes.',
        href: '/categories',
        reason: 'Shown to every visitor',
      },
    ],
  },
};

/** Checks a parsed slot configuration; throws a `TypeError` naming what is wrong. */
export function buildSlots(raw: unknown): Record<string, SlotConfig> {
  const parsed = slotsConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new TypeError(`slot configuration: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
