/**
 * How widely recommendations spread over the catalog, per day: coverage,
 * the top 1 %'s share of impressions and the Gini coefficient, all on 0–1,
 * so a model that narrows onto a few bestsellers shows.
 */
import type { BiasPoint, Report } from '../src/contract/report';
import { empty, figure, legend, section, type LineSeries } from './charts';
import { h } from './dom';
import { count, dayLabel, decimal } from './format';
import { lineChart } from './line-chart';
import { seriesStyle } from './palette';
import { dayTime } from './scale';

const MEASURES: ReadonlyArray<{ name: keyof BiasPoint & ('coverage' | 'top1Share' | 'gini'); label: string }> = [
  { name: 'coverage', label: 'coverage' },
  { name: 'top1Share', label: 'top 1 % share' },
  { name: 'gini', label: 'Gini' },
];

/** The bias section of the page. */
export function biasSection(report: Report, width: number): HTMLElement {
  const caption = 'Spread of recommendations over the catalog, per day';
  const days = report.bias;
  const latest = days.at(-1);
  if (!latest) return section('bias', 'Bias', empty('bias', 'No data yet: no recommendation has been seen.'));

  const keys = days.map((d) => d.day);
  const times = keys.map(dayTime);
  const lines: LineSeries[] = MEASURES.map(({ name, label }, i) => ({ name, label, ...seriesStyle(i), keys, times, values: days.map((d) => d[name]), format: decimal }));
  const desc =
    `On ${dayLabel(dayTime(latest.day))}, ${count(latest.impressions)} impressions showed ${count(latest.items)} distinct items: ` +
    `coverage ${decimal(latest.coverage)} of the catalog, the top 1 % of items took ${decimal(latest.top1Share)} of impressions, Gini ${decimal(latest.gini)}.`;
  const svg = lineChart({ width, title: caption, desc, lines, yFormat: (value) => decimal(value), yDomain: [0, 1], daily: true });
  return section(
    'bias',
    'Bias',
    figure(
      caption,
      svg,
      legend(lines.map((l) => ({ label: l.label, colour: l.colour, dash: l.dash, kind: 'line' }))),
      h(
        'p',
        {},
        'Coverage: the share of the catalog shown at least once. Top 1 % share: the share of impressions that went to the most shown 1 % of items. ' +
          'Gini: 0 when every item is shown equally often, 1 when one item gets every impression. Higher coverage and a lower Gini mean a wider spread.',
      ),
    ),
  );
}
