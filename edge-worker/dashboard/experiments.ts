/**
 * Every experiment running besides the holdout, one article each: what it
 * is, its arms and sample ratio check, the forest plot of its arms, and its
 * kind's own chart (a bandit's allocation, an interleaving's preference).
 */
import type { ExperimentReport, Report } from '../src/contract/report';
import { empty, section } from './charts';
import { h } from './dom';
import { allocationChart } from './allocation';
import { dateTime } from './format';
import { forestPlot } from './forest';
import { interleavingChart } from './interleaving';
import { armsSentence, srmStatus } from './verdict';

const KINDS: Record<ExperimentReport['kind'], string> = { holdout: 'Holdout', ab: 'A/B test', bandit: 'Bandit', interleave: 'Interleaving' };

/** The experiments section of the page. */
export function experimentsSection(report: Report, width: number): HTMLElement {
  if (!report.experiments.length) return section('experiments', 'Experiments', empty('experiments', 'No experiment running.'));
  return section('experiments', 'Experiments', ...report.experiments.map((experiment) => experimentArticle(experiment, report.generatedAt, width)));
}

function experimentArticle(experiment: ExperimentReport, generatedAt: string, width: number): HTMLElement {
  const where = experiment.slot ? ` in slot “${experiment.slot}”` : '';
  return h(
    'article',
    { class: 'experiment', 'data-experiment': experiment.id, 'aria-labelledby': `experiment-${experiment.id}` },
    h('h3', { id: `experiment-${experiment.id}` }, experiment.id),
    h('p', {}, `${KINDS[experiment.kind]}${where}, since ${dateTime(Date.parse(experiment.start))}. ${armsSentence(experiment)}`),
    srmStatus(experiment),
    // An interleaving compares rankings within decisions; its arms have no metrics of their own to set side by side.
    experiment.kind !== 'interleave' && forestPlot(experiment, width),
    experiment.kind === 'bandit' && allocationChart(experiment, generatedAt, width),
    interleavingChart(experiment, width),
  );
}
