/**
 * A forest plot of an experiment's arms against its control: one row per
 * metric and arm, the lift as a dot, the fixed-horizon interval as a thin
 * line and the sequential interval (the one verdicts use) as a thick bar,
 * around a vertical line at no change.
 */
import type { Comparison, ExperimentReport, MetricReport } from '../src/contract/report';
import { CHAR_WIDTH, chart, draw, empty, figure, FONT, label, legend, xAxis } from './charts';
import { s } from './dom';
import { interval, percentTick, signedPercent } from './format';
import { BACKGROUND, INK, seriesStyle } from './palette';
import { extent, linear, nice, ticks } from './scale';
import { METRIC_NAMES, VERDICT_WORDS } from './verdict';

const ROW = 46;

/** The experiment's forest plot, or its empty state when no arm has been compared yet. */
export function forestPlot(experiment: ExperimentReport, width: number): HTMLElement {
  const caption = `Lift of each arm over ${experiment.arms[0]?.id ?? 'control'}, ${experiment.id}`;
  const rows = experiment.metrics.flatMap((m) => m.comparisons.map((c) => ({ metric: m.metric, c })));
  if (!rows.length) return figure(caption, empty(`forest-${experiment.id}`, 'No data yet: no arm has been compared with control.'));

  const control = experiment.arms[0]?.id ?? 'control';
  const name = (metric: MetricReport['metric'], c: Comparison) => `${METRIC_NAMES[metric]}, ${c.arm} vs ${control}`;
  const result = (c: Comparison) => `${signedPercent(c.lift)}, ${VERDICT_WORDS[c.verdict]}`;
  const desc = rows
    .map(({ metric, c }) => `${name(metric, c)}: ${result(c)} (sequential interval ${interval(c.sequentialCi, signedPercent)}; fixed-horizon ${interval(c.ci, signedPercent)}).`)
    .join(' ');
  const domain = nice(extent(rows.flatMap(({ c }) => [c.lift, ...c.ci, ...c.sequentialCi]), [0]), 5);
  const tickValues = ticks(domain[0], domain[1], Math.max(2, Math.floor(width / 110)));
  const tickFormat = (value: number) => percentTick(value, true);
  // The axis' end labels are centred on the plot's edges: each side holds half the widest (−2000 % is wide).
  const side = Math.max(20, Math.ceil((Math.max(...tickValues.map((v) => tickFormat(v).length)) * CHAR_WIDTH) / 2) + 4);
  // A row's words on one line where they fit (by a generous estimate of their width), else on two.
  const wrap = rows.some(({ metric, c }) => `${name(metric, c)}: ${result(c)}`.length * CHAR_WIDTH > width - 2 * side);
  const height = ROW + (wrap ? FONT + 4 : 0);
  const c = chart(width, rows.length * height + 40, { top: 8, right: side, bottom: 32, left: side }, caption, desc);
  const x = linear(domain, [c.left, c.right]);
  // A bound the report could not give (JSON has no Infinity) runs to the plot's edge.
  const at = (value: number, edge: number) => (Number.isFinite(value) ? x(value) : edge);
  const { colour } = seriesStyle(0);

  xAxis(c, x, tickValues, tickFormat);
  draw(c, s('line', { x1: x(0), x2: x(0), y1: c.top, y2: c.bottom, stroke: INK, 'stroke-width': 1.5, 'data-rule': 'no change' }));
  rows.forEach(({ metric, c: comparison }, i) => {
    const top = c.top + i * height + FONT;
    const mid = top + height - ROW + 16;
    const [seqLow, seqHigh] = comparison.sequentialCi;
    const [low, high] = comparison.ci;
    draw(
      c,
      s(
        'g',
        { 'data-metric': metric, 'data-arm': comparison.arm, 'data-verdict': comparison.verdict },
        wrap ? label(c.left, top, `${name(metric, comparison)}:`) : label(c.left, top, `${name(metric, comparison)}: ${result(comparison)}`),
        wrap && label(c.left, top + FONT + 4, result(comparison)),
        // The two intervals side by side rather than overlaid: each keeps its contrast against the background.
        s('line', { x1: at(seqLow, c.left), x2: at(seqHigh, c.right), y1: mid - 4, y2: mid - 4, stroke: colour, 'stroke-width': 6, 'data-series': 'sequential-ci', 'data-lower': seqLow, 'data-upper': seqHigh }),
        s('path', { d: `M${at(low, c.left)} ${mid + 1}v8M${at(low, c.left)} ${mid + 5}H${at(high, c.right)}M${at(high, c.right)} ${mid + 1}v8`, stroke: INK, 'stroke-width': 1.5, fill: 'none', 'data-series': 'ci', 'data-lower': low, 'data-upper': high }),
        s('circle', { cx: x(comparison.lift), cy: mid, r: 5, fill: INK, stroke: BACKGROUND, 'stroke-width': 2, 'data-series': 'lift', 'data-value': comparison.lift }),
      ),
    );
  });
  return figure(
    caption,
    c.svg,
    legend([
      { label: 'lift', colour: INK, kind: 'dot' },
      { label: '95 % sequential interval (verdicts use it)', colour, kind: 'area' },
      { label: '95 % fixed-horizon interval (valid once, at the planned sample)', colour: INK, kind: 'line' },
    ]),
  );
}
