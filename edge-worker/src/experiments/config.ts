/**
 * The experiments configuration: the holdout, each slot's experiment (A/B/n,
 * bandit or interleaving) and the frequency caps. Published data like the
 * slot configuration (`published/published.ts`, kind `experiments`), so a
 * merchant starts or stops a test without a deploy; checked with zod when it
 * is published and when it is loaded.
 *
 * @example
 * buildExperiments({
 *   holdout: { share: 0.05 },
 *   experiments: [{ id: 'hero-copy', slot: 'hero', kind: 'bandit', control: { id: 'control', share: 0.2, variant: 'welcome' },
 *                   arms: [{ id: 'sale', variant: 'sale' }, { id: 'new-in', variant: 'new-in' }] }],
 *   caps: [{ slot: 'hero', variant: 'sale', max: 3, hours: 24 }],
 * });
 */
import * as z from 'zod';
import { parseOrThrow } from '../validate';
import { slotStrategy } from '../slots/config';
import { DEFAULT_MIN_SAMPLE } from './stats';
import { fnv1a32 } from './hash';

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lowercase id of at most 64 characters');
const seed = z.string().min(1).max(64);
const share = z.number().min(0).max(1);
/** Hours an event may follow the decision it is attributed to (default 24). */
const windowHours = z.number().min(1).max(24 * 30).default(24);
/** Smallest sample per arm before any verdict (default 2,000 visitors or impressions: below it, the A/A simulation shows revenue's sequential interval too narrow; docs/EXPERIMENTS.md). */
const minSample = z.number().int().min(10).default(DEFAULT_MIN_SAMPLE);
const since = z.iso.datetime().optional();

/** An A/B(/n) arm: what it changes for the slot (nothing: the slot as configured, the usual control). */
const abArm = z
  .strictObject({
    id,
    weight: z.number().positive(),
    /** Another strategy for an item slot. */
    strategy: slotStrategy.optional(),
    /** Another stored model version for an item slot: the retrained candidate as a canary. */
    model: z.string().min(1).max(64).optional(),
    /** One content variant of a variant slot, shown whatever its conditions. */
    variant: id.optional(),
  })
  .refine((arm) => [arm.strategy, arm.model, arm.variant].filter((x) => x !== undefined).length <= 1, 'an arm changes one thing: strategy, model or variant');

const common = { id, slot: id, start: since, window: windowHours, minSample };

const abExperiment = z.strictObject({
  ...common,
  kind: z.literal('ab'),
  /** Salt of the visitor hash (default: the experiment id); a new seed reshuffles visitors. */
  seed: seed.optional(),
  arms: z.array(abArm).min(2).max(8),
});

const banditExperiment = z.strictObject({
  ...common,
  kind: z.literal('bandit'),
  /** The fixed control arm outside the bandit: its share never changes. */
  control: z.strictObject({ id, share: z.number().min(0.01).max(0.9), variant: id }),
  arms: z.array(z.strictObject({ id, variant: id })).min(2).max(8),
  /** No arm of the bandit gets less than this share of the bandit's traffic (default 0.05). */
  minShare: z.number().min(0).max(0.5).default(0.05),
  /** Viewable impressions each arm collects before the allocation adapts (default 200). */
  burnIn: z.number().int().min(0).default(200),
});

const interleaveExperiment = z.strictObject({
  ...common,
  kind: z.literal('interleave'),
  /** The stored model version to interleave with the active one. */
  candidate: z.string().min(1).max(64),
  /** Share of the slot's decisions interleaved (the rest shows the active model alone; default all). */
  share: share.default(1),
});

const experiment = z.discriminatedUnion('kind', [abExperiment, banditExperiment, interleaveExperiment]);

/** A frequency cap: at most `max` decisions showing the slot's (variant's) content per visitor within `hours`. */
const cap = z.strictObject({ slot: id, variant: id.optional(), max: z.number().int().min(1), hours: z.number().min(1).max(24 * 30) });

export const experimentsConfig = z
  .strictObject({
    holdout: z
      .strictObject({
        /** Share of consenting visitors who get the default content everywhere (default 0.05). */
        share: share.max(0.5).default(0.05),
        /** Salt of the visitor hash; change it to draw a new holdout. */
        seed: seed.default('holdout'),
        start: since,
        window: windowHours,
        minSample,
      })
      .prefault({}),
    experiments: z.array(experiment).max(20).default([]),
    caps: z.array(cap).max(50).default([]),
  })
  .superRefine((config, ctx) => {
    const slots = new Set<string>();
    const ids = new Set<string>(['holdout']);
    config.experiments.forEach((e, i) => {
      if (ids.has(e.id)) ctx.addIssue({ code: 'custom', path: ['experiments', i, 'id'], message: `experiment id "${e.id}" is used twice` });
      if (slots.has(e.slot)) ctx.addIssue({ code: 'custom', path: ['experiments', i, 'slot'], message: `slot "${e.slot}" already has an experiment` });
      ids.add(e.id);
      slots.add(e.slot);
      const arms = e.kind === 'bandit' ? [e.control, ...e.arms] : e.kind === 'ab' ? e.arms : [];
      if (new Set(arms.map((arm) => arm.id)).size !== arms.length) ctx.addIssue({ code: 'custom', path: ['experiments', i, 'arms'], message: 'arm ids must differ' });
      if (e.kind === 'bandit' && e.minShare * e.arms.length > 1) {
        ctx.addIssue({ code: 'custom', path: ['experiments', i, 'minShare'], message: `${e.arms.length} arms cannot each get ${e.minShare} of the traffic` });
      }
    });
  });

export type ExperimentsConfig = z.output<typeof experimentsConfig>;
export type Experiment = ExperimentsConfig['experiments'][number];
export type AbArm = z.output<typeof abArm>;
export type Cap = ExperimentsConfig['caps'][number];

/**
 * The key an experiment's counts go under: its id and a hash of what decides
 * who sees what (arms, weights, seed, shares; not its window, minimum sample
 * or start). Changing any of those starts a new phase, counted afresh, so
 * visitors assigned under different rules are never pooled.
 * @example experimentKey({ id: 'hero-copy', … }) // 'hero-copy@1x2k9a'
 */
export function experimentKey(e: Experiment): string {
  const { start: _start, window: _window, minSample: _minSample, ...rules } = e;
  return `${e.id}@${fnv1a32(JSON.stringify(rules)).toString(36)}`;
}

/** The holdout's key (see {@link experimentKey}): its share and seed decide who is held out. */
export function holdoutKey(holdout: ExperimentsConfig['holdout']): string {
  return `holdout@${fnv1a32(JSON.stringify([holdout.share, holdout.seed])).toString(36)}`;
}

/** The experiment id of a key. */
export function idOfKey(key: string): string {
  const at = key.lastIndexOf('@');
  return at < 0 ? key : key.slice(0, at);
}

/** Checks a parsed experiments configuration; throws a `TypeError` naming what is wrong. */
export function buildExperiments(raw: unknown): ExperimentsConfig {
  return parseOrThrow(experimentsConfig, raw, 'experiments configuration');
}

/** The configuration until one is published: the holdout alone, at `holdoutShare` (the Worker's HOLDOUT_SHARE). */
export function defaultExperiments(holdoutShare: number): ExperimentsConfig {
  return buildExperiments({ holdout: { share: holdoutShare } });
}
