/**
 * A decision as the visitor's object records it (after the decide route
 * answered): what each slot showed, under which experiment and arm, with the
 * probability the arm was drawn with, and what has been counted for it since.
 * Keys are short: the latest 200 are stored per visitor.
 */

/** One slot of a decision as the visitor's object keeps it for attribution (short keys: it is stored per decision). */
export interface SlotRecord {
  /** Experiment and arm, when the slot ran one. */
  e?: string;
  a?: string;
  /** The probability the arm was assigned with. */
  p?: number;
  /** The items shown, in order (an item slot). */
  i?: string[];
  /** The variant shown (a variant slot). */
  v?: string;
  /** Interleaving: each item's team, `a` the active model's, `c` the candidate's. */
  t?: string;
  /** The day the slot's viewable impression, its first click, were counted; interleaving's clicks per team (active, candidate). */
  seen?: string;
  clicked?: string;
  /** Add-to-carts and orders attributed to the slot, each `[day, count, revenue]` as counted (for erasure to take back). */
  carts?: Array<[string, number]>;
  orders?: Array<[string, number, number]>;
  x?: [number, number];
}

/** A decision as the visitor's object records it: what was shown where, under which arms. */
export interface DecisionRecord {
  id: string;
  /** Epoch ms. */
  at: number;
  /** The visitor's holdout arm, when they are in the holdout's population, and its probability. */
  h?: string;
  hp?: number;
  /** The holdout's key (its phase: `config.ts` `holdoutKey`). */
  he?: string;
  /** The holdout's attribution window and minimum sample are the configuration's; slots' are their experiments'. */
  s: Record<string, SlotRecord>;
}
