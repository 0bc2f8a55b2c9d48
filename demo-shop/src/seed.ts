/**
 * What the demo publishes to Rapport: its catalog feed, its trained model and
 * its slot configuration (the product's item slots plus a hero banner with
 * the demo's own offers). Plain entries, so the seed script (local KV through
 * wrangler) and the Worker tests (their isolated KV) publish the same thing.
 */
import { publishCatalog, publishModel, publishSlots, type Entry } from '../../edge-worker/src/published/published';
import { DEFAULT_SLOTS, type ItemSlotConfig, type SlotConfigs } from '../../edge-worker/src/slots/config';
import { catalogFeed } from './catalog';

/** A trained model artifact and its version. */
export interface PublishedModel {
  version: string;
  bytes: Uint8Array;
}

/** The demo's slots: the product's item slots, and a hero that greets new and returning shoppers (and reminds one who left items in the cart). */
export const DEMO_SLOTS: SlotConfigs = {
  ...DEFAULT_SLOTS,
  together: { ...(DEFAULT_SLOTS.together as ItemSlotConfig), title: 'Often bought together' },
  hero: {
    kind: 'variants',
    variants: [
      {
        // A returning shopper who left items in the cart: the cart-abandonment nudge comes first.
        id: 'cart-waiting',
        when: { visitor: 'returning', cart: true },
        title: 'Your cart is still waiting',
        body: 'The things you picked last time are saved. Pick up where you left off.',
        href: '/cart',
        reason: 'Because you came back with items still in your cart',
      },
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

/** Entries for the MODELS namespace, in publishing order. */
export function seedEntries(model: PublishedModel): Entry[] {
  return [...publishCatalog(catalogFeed()), ...publishModel(model.bytes), ...publishSlots(DEMO_SLOTS)];
}
