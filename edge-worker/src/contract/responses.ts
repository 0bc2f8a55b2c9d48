/**
 * Response bodies of the /v1 API. Requests are validated with zod
 * (`schemas.ts`); responses are produced here, so plain types suffice. The
 * SDK's `wire.ts` mirrors them and `tests/contract` checks that they agree.
 */

/** `POST /v1/collect`: how many events were new, how many were repeats, and whether a profile was kept. */
export interface CollectResponse {
  accepted: number;
  duplicates: number;
  profile: boolean;
}

/** One recommended item as the SDK renders it. */
export interface DecidedItem {
  id: string;
  title: string;
  price: number;
  url: string;
  image: string;
  category: string;
  /** Why this item is shown, in words a shopper can read. */
  reason: string;
}

/** The content a variant slot shows (a banner, a message). */
export interface DecidedVariant {
  id: string;
  title: string;
  body: string;
  href: string;
  /** Why this variant is shown, in words a shopper can read. */
  reason: string;
}

/** The answer for one slot: items for an item slot, a variant (and no items) for a variant slot. */
export interface SlotDecision {
  title: string;
  items: DecidedItem[];
  variant?: DecidedVariant;
}

/** `POST /v1/decide`. */
export interface DecideResponse {
  decisionId: string;
  /** `name@version` of the model that ranked, or `popularity` when none could be used. */
  model: string;
  /** Why the fallback was used, when it was. */
  fallback?: string;
  slots: Record<string, SlotDecision>;
}
