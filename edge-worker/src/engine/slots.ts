/**
 * Slot configuration: which slots exist, how many items each shows and how it
 * chooses them. Configuration data in KV (`config:slots`), not code, so a
 * merchant adds a slot without a deploy.
 */

/** How a slot chooses its items. */
export type SlotStrategy = 'personal' | 'similar';

/** One configured slot. */
export interface SlotConfig {
  title: string;
  /** Heading when nothing personal drove the picks (a new visitor): honesty over marketing. */
  coldTitle?: string;
  size: number;
  strategy: SlotStrategy;
}

/** KV key of the slot configuration in the MODELS namespace. */
export const SLOTS_KEY = 'config:slots';

/** Slots every installation has, used until a configuration is published. */
export const DEFAULT_SLOTS: Readonly<Record<string, SlotConfig>> = {
  recommended: { title: 'Recommended for you', coldTitle: 'Popular right now', size: 4, strategy: 'personal' },
  similar: { title: 'You may also like', size: 4, strategy: 'similar' },
};

/** Checks a parsed slot configuration; throws a `TypeError` naming the bad slot. */
export function buildSlots(raw: unknown): Record<string, SlotConfig> {
  if (typeof raw !== 'object' || raw === null) throw new TypeError('slot configuration must be an object');
  for (const [id, slot] of Object.entries(raw as Record<string, SlotConfig>)) {
    const valid =
      typeof slot?.title === 'string' &&
      Number.isInteger(slot.size) &&
      slot.size > 0 &&
      (slot.strategy === 'personal' || slot.strategy === 'similar');
    if (!valid) throw new TypeError(`slot "${id}" needs a title, a positive size and a strategy`);
  }
  return raw as Record<string, SlotConfig>;
}
