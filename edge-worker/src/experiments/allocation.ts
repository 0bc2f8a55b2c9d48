/**
 * Bandit allocations: the scheduled update (cron) reads each bandit's
 * viewable impressions and clicks from the counters, allocates its traffic
 * by Thompson sampling (`bandit.ts`) and writes the shares, with their
 * history, to one KV value that decisions read through the isolate cache.
 * Decisions never compute an allocation: they draw an arm from the shares.
 */
import { allocate } from './bandit';
import type { Allocations } from './assign';
import { keys } from './attribution';
import { readCounters } from './counters';
import { loadExperiments } from '../published/published';
import { experimentKey } from './config';
import { cachedKv, forgetKv, type PublishedStore } from '../published/isolate-cache';

/** The KV key of the allocations (in MODELS, beside the published data; decisions read it like a pointer). */
export const ALLOCATION_KEY = 'experiments:allocation';

/** The cron that updates the allocations (wrangler.toml's [triggers] lists it). */
export const BANDIT_CRON = '*/10 * * * *';

/** How many updates each bandit's history keeps: five days of updates every 10 minutes. */
const HISTORY = 720;

/** What the key holds. */
export interface StoredAllocations {
  /** Experiment id → arm id → share of the slot's traffic (the control's included). */
  shares: Record<string, Record<string, number>>;
  /** Experiment id → every update, oldest first. */
  history: Record<string, Array<{ at: string; shares: Record<string, number> }>>;
}

/** The allocations decisions draw from (none before the first update: bandits split evenly). */
export async function loadAllocations(kv: PublishedStore): Promise<Allocations> {
  try {
    return (await cachedKv(kv, ALLOCATION_KEY, (text) => (JSON.parse(text) as StoredAllocations).shares)) ?? {};
  } catch (err) {
    console.error('rapport: the bandit allocations are unreadable; bandits split evenly until the next update', err);
    return {};
  }
}

/** The stored allocations and their history, for the report. */
export async function readAllocations(kv: KVNamespace): Promise<StoredAllocations> {
  return ((await kv.get(ALLOCATION_KEY, 'json')) as StoredAllocations | null) ?? { shares: {}, history: {} };
}

/** The scheduled update: every running bandit's shares from its counts so far. Returns the new shares. */
export async function updateAllocations(env: Env, now: number, random: () => number = Math.random): Promise<StoredAllocations['shares']> {
  const config = (await loadExperiments(env.MODELS, Number(env.HOLDOUT_SHARE))).value;
  const stored = await readAllocations(env.MODELS);
  const shares: StoredAllocations['shares'] = {};
  const history: StoredAllocations['history'] = {};
  for (const e of config.experiments) {
    if (e.kind !== 'bandit') continue;
    // This phase's counts only: a bandit whose arms changed learns afresh.
    const key = experimentKey(e);
    const rows = await readCounters(env, [[`m|${key}|`]]);
    const arms = e.arms.map(({ id }) => {
      const prefix = keys.metric(key, id, 'ctr', '');
      const own = rows.filter((r) => r.k.startsWith(prefix));
      return { id, trials: own.reduce((t, r) => t + r.n, 0), successes: own.reduce((t, r) => t + r.s, 0) };
    });
    const rest = 1 - e.control.share;
    shares[e.id] = allocate({ arms, control: { id: e.control.id, share: e.control.share }, minShare: e.minShare * rest, burnIn: e.burnIn }, random);
    history[e.id] = [...(stored.history[e.id] ?? []), { at: new Date(now).toISOString(), shares: shares[e.id]! }].slice(-HISTORY);
  }
  await env.MODELS.put(ALLOCATION_KEY, JSON.stringify({ shares, history } satisfies StoredAllocations));
  forgetKv(ALLOCATION_KEY);
  return shares;
}
