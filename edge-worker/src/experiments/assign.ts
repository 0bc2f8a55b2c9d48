/**
 * Who sees what: the holdout and each slot's arm for one decision. Pure.
 *
 * Sticky assignments (the holdout, A/B arms) are a function of the visitor id
 * and the experiment's seed alone, so a visitor keeps their arm across
 * sessions, isolates and locations with nothing stored: the visitor's
 * position in [0, 1) is `fnv1a32(String(fnv1a32(seed + ":" + vid))) / 2^32`,
 * 32-bit FNV-1a twice (the second pass spreads ids that differ in their last
 * characters only), and the arm is the one whose cumulative weight interval
 * holds it. Per-decision assignments (bandit arms, whether a decision is
 * interleaved) draw from `random` and record the probability they were drawn
 * with, for inverse-propensity analysis.
 */
import { experimentKey, holdoutKey, type ExperimentsConfig } from './config';
import { fnv1a32 } from './hash';

export { fnv1a32 };


/**
 * A visitor's sticky position in [0, 1) for a seed (see the module's comment).
 * @example position('holdout', vid) < 0.05 // in a 5 % holdout
 */
export function position(seed: string, vid: string): number {
  return fnv1a32(String(fnv1a32(`${seed}:${vid}`))) / 4294967296;
}

/** The index of the weight interval `at` (in [0, 1)) falls in, weights normalized; the last arm takes rounding's leftovers. */
export function pick(weights: readonly number[], at: number): number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  let edge = 0;
  for (let i = 0; i < weights.length; i++) {
    edge += weights[i]! / total;
    if (at < edge) return i;
  }
  return weights.length - 1;
}

/** What one slot's experiment chose for this decision. */
export interface SlotAssignment {
  /** The experiment's key: its id and phase (`config.ts` `experimentKey`). */
  experiment: string;
  arm: string;
  /** The probability this arm was assigned with (an A/B arm's weight share; a bandit's current share). */
  probability: number;
}

/** The holdout's arms. */
export const HOLDOUT = 'holdout';
export const PERSONALIZED = 'personalized';
/** An interleaving experiment's arms: decisions interleaved, and those showing the active model alone. */
export const INTERLEAVED = 'interleaved';
export const ACTIVE = 'active';

/** Every assignment of one decision. */
export interface Assignment {
  /** The holdout arm, for a visitor in the holdout's population (a valid id and personalization granted). */
  holdout?: SlotAssignment;
  /** Each requested slot's experiment arm; none for a slot without an experiment, or for a visitor in the holdout. */
  slots: Record<string, SlotAssignment>;
}

/** Bandit shares as the scheduled update last set them: experiment id → arm id → share of all the slot's traffic. */
export type Allocations = Readonly<Record<string, Readonly<Record<string, number>>>>;

/**
 * Assigns one decision. `personal`: the visitor granted personalization (only
 * they can be held out of it); experiments need a valid visitor id, since
 * their outcomes are counted per visitor.
 */
export function assign(config: ExperimentsConfig, vid: string | undefined, personal: boolean, slotIds: readonly string[], allocations: Allocations, random: () => number): Assignment {
  const slots: Record<string, SlotAssignment> = {};
  if (!vid) return { slots };
  const { holdout } = config;
  let held: SlotAssignment | undefined;
  if (personal && holdout.share > 0) {
    const out = position(holdout.seed, vid) < holdout.share;
    held = { experiment: holdoutKey(holdout), arm: out ? HOLDOUT : PERSONALIZED, probability: out ? holdout.share : 1 - holdout.share };
    // The holdout sees the default content everywhere: no other experiment runs for it.
    if (out) return { holdout: held, slots };
  }
  for (const e of config.experiments) {
    if (!slotIds.includes(e.slot)) continue;
    if (e.kind === 'ab') {
      const weights = e.arms.map((arm) => arm.weight);
      const i = pick(weights, position(e.seed ?? e.id, vid));
      slots[e.slot] = { experiment: experimentKey(e), arm: e.arms[i]!.id, probability: weights[i]! / weights.reduce((a, b) => a + b, 0) };
    } else if (e.kind === 'bandit') {
      const arms = [e.control.id, ...e.arms.map((arm) => arm.id)];
      const shares = banditShares(e, allocations[e.id]);
      const i = pick(arms.map((arm) => shares[arm]!), random());
      slots[e.slot] = { experiment: experimentKey(e), arm: arms[i]!, probability: shares[arms[i]!]! };
    } else {
      const interleaved = random() < e.share;
      slots[e.slot] = { experiment: experimentKey(e), arm: interleaved ? INTERLEAVED : ACTIVE, probability: interleaved ? e.share : 1 - e.share };
    }
  }
  return { ...(held ? { holdout: held } : {}), slots };
}

type Bandit = Extract<ExperimentsConfig['experiments'][number], { kind: 'bandit' }>;

/**
 * A bandit's shares of the slot's traffic: the control's fixed share, the
 * rest as the scheduled update allocated it, or split evenly before the
 * first update (or when the stored allocation names other arms).
 */
export function banditShares(e: Bandit, stored: Readonly<Record<string, number>> | undefined): Record<string, number> {
  const rest = 1 - e.control.share;
  const ids = e.arms.map((arm) => arm.id);
  const usable = stored && ids.every((arm) => Number.isFinite(stored[arm]) && stored[arm]! >= 0);
  const total = usable ? ids.reduce((sum, arm) => sum + stored[arm]!, 0) : 0;
  const shares: Record<string, number> = { [e.control.id]: e.control.share };
  for (const arm of ids) shares[arm] = total > 0 ? (rest * stored![arm]!) / total : rest / ids.length;
  return shares;
}
