/**
 * The learning loop's canary: a retrained model that passed the gate goes to
 * a share of one slot's traffic (an A/B test against the active model) or
 * into that slot's every list, interleaved with the active model's, before it
 * replaces the active model. `npm run retrain -- --canary <slot>` writes it
 * into the active experiments configuration; the uplift report then says
 * whether it wins, and `npm run admin -- activate model <version>` promotes it.
 */
import type { ExperimentsConfig } from '../src/experiments/config';

/** The experiment id a canary runs under (one at a time: a new one replaces the last). */
export const CANARY_ID = 'model-canary';

/** How a canary is run. */
export interface Canary {
  slot: string;
  version: string;
  /** `ab`: `share` of the slot's visitors see the candidate; `interleave`: each list mixes both models. */
  kind: 'ab' | 'interleave';
  share: number;
}

/**
 * The configuration with the canary in place of any earlier canary or other
 * experiment on its slot (a slot runs one experiment at a time).
 * @example withCanary(config, { slot: 'recommended', version: 'm-2', kind: 'ab', share: 0.1 })
 */
export function withCanary(config: ExperimentsConfig, canary: Canary): ExperimentsConfig {
  const others = config.experiments.filter((e) => e.id !== CANARY_ID && e.slot !== canary.slot);
  const experiment: ExperimentsConfig['experiments'][number] =
    canary.kind === 'ab'
      ? {
          id: CANARY_ID,
          slot: canary.slot,
          kind: 'ab',
          window: 24,
          minSample: config.holdout.minSample,
          seed: `${CANARY_ID}-${canary.version}`,
          start: new Date().toISOString(),
          arms: [
            { id: 'active', weight: 1 - canary.share },
            { id: 'candidate', weight: canary.share, model: canary.version },
          ],
        }
      : { id: CANARY_ID, slot: canary.slot, kind: 'interleave', window: 24, minSample: config.holdout.minSample, candidate: canary.version, share: canary.share, start: new Date().toISOString() };
  return { ...config, experiments: [...others, experiment] };
}
