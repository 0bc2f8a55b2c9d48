/**
 * The holdout: the lift of personalization over the holdout on conversion
 * and on revenue per visitor, day by day on the cumulative data from the
 * first day with an estimate, with its sequential interval as a band around
 * a zero line, and today's verdict in words.
 */
import type { Comparison, ExperimentReport, MetricReport, Report } from '../src/contract/report';
import { empty, figure, legend, section } from './charts';
import { h } from './dom';
import { dayLabel, interval, percentTick, signedPercent } from './format';
import { lineChart } from './line-chart';
import { seriesStyle } from './palette';
import { dayTime } from './scale';
import { armsSentence, METRIC_NAMES, srmStatus, VERDICT_WORDS, verdictSentence } from './verdict';

/** The metrics the holdout is judged on, in the order they are drawn. */
const UPLIFT_METRICS: ReadonlyArray<MetricReport['metric']> = ['conversion', 'revenue'];
const NAMES = { treatment: 'Personalization', control: 'the holdout' };

/** The uplift section of the page. */
export function upliftSection(report: Report, width: number): HTMLElement {
  const holdout = report.holdout;
  if (!holdout) {
    return section('uplift', 'Uplift of personalization', empty('holdout', 'No holdout running: every visitor is personalized, so there is nothing to measure uplift against.'));
  }
  return section(
    'uplift',
    'Uplift of personalization',
    h('p', {}, armsSentence(holdout)),
    srmStatus(holdout),
    ...UPLIFT_METRICS.map((metric) => upliftFigure(holdout, metric, width)),
  );
}

/** One metric's lift over time, or its empty state. */
function upliftFigure(holdout: ExperimentReport, metric: MetricReport['metric'], width: number): HTMLElement {
  const name = METRIC_NAMES[metric];
  const caption = `Lift in ${name}, personalized vs holdout`;
  const treatment = holdout.arms[1]?.id;
  const days = (holdout.metrics.find((m) => m.metric === metric)?.overTime ?? []).flatMap(({ day, comparisons }) => {
    const c = comparisons.find((comparison) => comparison.arm === treatment) ?? comparisons[0];
    return c && estimated(c) ? [{ day, c }] : [];
  });
  const latest = days.at(-1);
  if (!latest) return figure(caption, empty(`holdout-${metric}`, `No data yet for ${name}.`));

  const keys = days.map((d) => d.day);
  const times = keys.map(dayTime);
  const { colour } = seriesStyle(0);
  const svg = lineChart({
    width,
    title: caption,
    desc: describe(name, latest.day, latest.c, keys),
    lines: [{ name: 'lift', label: 'lift', colour, dash: '', keys, times, values: days.map((d) => d.c.lift), format: signedPercent }],
    bands: [{ name: 'sequential-ci', colour, keys, times, lower: days.map((d) => d.c.sequentialCi[0]), upper: days.map((d) => d.c.sequentialCi[1]) }],
    yFormat: (value) => percentTick(value, true),
    yInclude: [0],
    rule: { at: 0, label: 'holdout' },
    daily: true,
  });
  return figure(
    caption,
    svg,
    legend([
      { label: 'lift, on the data up to each day', colour, kind: 'line' },
      { label: '95 % sequential interval (valid however often it is read)', colour, kind: 'band' },
    ]),
    h('p', { class: 'verdict', 'data-metric': metric, 'data-verdict': latest.c.verdict }, verdictSentence(latest.c, metric, holdout.minSample, NAMES)),
  );
}

/**
 * Whether the report could estimate the lift: it answers days before any
 * data (or without a conversion in an arm) with lift 0 inside intervals of
 * no width, which would read as a certain zero; those days are left out.
 */
function estimated(c: Comparison): boolean {
  return c.ci[0] !== c.ci[1] || c.sequentialCi[0] !== c.sequentialCi[1];
}

/** The chart's description: the latest lift, its interval and verdict, and the span drawn. */
function describe(name: string, day: string, c: Comparison, keys: readonly string[]): string {
  return (
    `Lift in ${name} of personalized over holdout visitors, on the data up to each day from ${dayLabel(dayTime(keys[0]!))} to ${dayLabel(dayTime(day))}. ` +
    `Latest: ${signedPercent(c.lift)}, 95 % sequential interval ${interval(c.sequentialCi, signedPercent)}: ${VERDICT_WORDS[c.verdict]}.`
  );
}
