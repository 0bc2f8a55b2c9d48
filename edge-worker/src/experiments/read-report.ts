/**
 * Gathers what the measurement report is built from: every counter shard's
 * rows, the active experiments configuration and when it went live, the
 * bandits' allocation history, the model history and the catalog's size.
 */
import { dayOf } from '../log/layout';
import type { Report } from '../contract/report';
import { loadCatalog, loadExperiments, publishedStatus } from '../published/published';
import { readAllocations } from './allocation';
import { readCounters } from './counters';
import { buildReport } from './report';

/** The report over the last `days` days at `now`. */
export async function measurementReport(env: Env, days: number, now: number): Promise<Report> {
  const from = dayOf(now - days * 86_400_000);
  const [rows, experiments, allocations, status, catalog] = await Promise.all([
    // Experiments' counts since they began (their intervals are cumulative); monitoring only for the days shown.
    readCounters(env, [['m|'], ['i|'], ['c|', from], ['a|', from], ['l|', from], ['b|', from]]),
    loadExperiments(env.MODELS, Number(env.HOLDOUT_SHARE)),
    readAllocations(env.MODELS),
    publishedStatus(env.MODELS),
    loadCatalog(env.MODELS),
  ]);
  const activations = (kind: 'experiments' | 'model') => status[kind].history;
  const started = [...activations('experiments')].reverse().find((a) => a.version === experiments.version)?.at;
  const windowStart = new Date(now - days * 86_400_000).toISOString();
  const models = activations('model').map(({ version, at }) => ({ version, activatedAt: at }));
  // A model made active outside the admin API (the seed, `publish-data` into local KV) has no activation to show:
  // it is live since it was published, or at least since before the window.
  const active = status.model.active;
  if (active && models.at(-1)?.version !== active) {
    const publishedAt = status.model.versions.find((v) => v.version === active)?.publishedAt;
    models.push({ version: active, activatedAt: publishedAt && publishedAt > (models.at(-1)?.activatedAt ?? '') ? publishedAt : (models.at(-1)?.activatedAt ?? windowStart) });
  }
  return buildReport({
    rows,
    config: experiments.value,
    allocations: allocations.history,
    models,
    startedAt: started ?? windowStart,
    catalogSize: catalog.state === 'ok' ? catalog.value.core.size : 0,
    activeModel: status.model.active ?? 'popularity',
    now,
    days,
  });
}
