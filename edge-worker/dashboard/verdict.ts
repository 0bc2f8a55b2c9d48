/**
 * What an experiment's numbers mean, in words: the metric's name, the
 * verdict of one arm against control, and the sample ratio check. The
 * Worker decides the verdict (`Comparison.verdict`); this only says it.
 */
import type { Comparison, ExperimentReport, MetricReport } from '../src/contract/report';
import { h } from './dom';
import { count, interval, percent, pValue, signedPercent } from './format';

/** Metric names as a merchant reads them. */
export const METRIC_NAMES: Record<MetricReport['metric'], string> = {
  conversion: 'conversion',
  revenue: 'revenue per visitor',
  ctr: 'click-through',
};

/** One word for a verdict, for labels. */
export const VERDICT_WORDS: Record<Comparison['verdict'], string> = {
  better: 'better',
  worse: 'worse',
  inconclusive: 'no clear difference',
  insufficient: 'too few visitors',
};

/**
 * The verdict of `treatment` against `control` on a metric, as a sentence.
 * @param names how the two arms read (`Personalization`, `the holdout`)
 * @example verdictSentence(c, 'revenue', 5000, { treatment: 'Personalization', control: 'the holdout' })
 */
export function verdictSentence(c: Comparison, metric: MetricReport['metric'], minSample: number, names: { treatment: string; control: string }): string {
  const name = METRIC_NAMES[metric];
  const lift = signedPercent(c.lift);
  const sequential = `95 % sequential interval ${interval(c.sequentialCi, signedPercent)}`;
  switch (c.verdict) {
    case 'better':
      return `${names.treatment} does better than ${names.control} on ${name}: ${lift} (${sequential}).`;
    case 'worse':
      return `${names.treatment} does worse than ${names.control} on ${name}: ${lift} (${sequential}).`;
    case 'inconclusive':
      return `No clear difference between ${names.treatment} and ${names.control} on ${name} yet: ${lift}, but the ${sequential} includes zero.`;
    case 'insufficient':
      return `Too few visitors yet for a verdict on ${name}: each arm needs ${count(minSample)}.`;
  }
}

/** What an experiment's arms count: visitors for sticky ones, viewable impressions for those drawn per decision. */
function unitOf(experiment: ExperimentReport): string {
  return experiment.kind === 'bandit' || experiment.kind === 'interleave' ? 'Viewable impressions' : 'Visitors';
}

/** Each arm's visitors (or impressions) and configured weight, in words. */
export function armsSentence(experiment: ExperimentReport): string {
  const arms = experiment.arms.map((arm) => `${arm.id} ${count(arm.visitors)} (weight ${percent(arm.weight, 0)})`);
  return `${unitOf(experiment)} per arm: ${arms.join(', ')}.`;
}

/**
 * The sample ratio check: a warning that stands out when the visitors per
 * arm do not match the weights (the results cannot be trusted then), else a
 * quiet line saying the check passed.
 */
export function srmStatus(experiment: ExperimentReport): HTMLElement {
  const { pValue: p, flagged } = experiment.srm;
  if (!flagged) return h('p', { class: 'srm-ok', 'data-srm': 'ok', 'data-p-value': p }, `Sample ratio as configured (${pValue(p)}).`);
  return h(
    'p',
    { class: 'warning', 'data-srm': 'flagged', 'data-p-value': p },
    h('strong', {}, 'Warning: sample ratio mismatch. '),
    `${unitOf(experiment)} per arm do not match the configured weights (${pValue(p)}). Something assigns or counts them unevenly, so these results cannot be trusted until the cause is found.`,
  );
}
