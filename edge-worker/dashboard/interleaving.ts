/**
 * An interleaving experiment's result: the candidate model's preference
 * share with its interval on a 0–100 % scale around "no preference" (50 %),
 * and the decisions it won, lost and tied as one stacked bar.
 */
import type { ExperimentReport } from '../src/contract/report';
import { CHAR_WIDTH, chart, draw, empty, figure, fitted, FONT, legend, xAxis } from './charts';
import { h, s } from './dom';
import { count, interval, percent, percentTick, pValue } from './format';
import { BACKGROUND, INK, MUTED, seriesStyle } from './palette';
import { linear, ticks } from './scale';

/** The interleaving chart, or its empty state before any interleaved decision. */
export function interleavingChart(experiment: ExperimentReport, width: number): HTMLElement | null {
  const result = experiment.interleaving;
  if (!result) return null;
  const caption = `Preference for ${result.candidate} over ${result.active}, ${experiment.id}`;
  const { wins, losses, ties } = result;
  const total = wins + losses + ties;
  if (!total) return figure(caption, empty(`interleaving-${experiment.id}`, 'No data yet: no interleaved decision has been recorded.'));

  const sentence =
    `${result.candidate} was preferred to ${result.active} in ${percent(result.preference)} of the decisions where clicks preferred one ` +
    `(95 % interval ${interval(result.ci, percent)}, ${pValue(result.pValue)}): ${count(wins)} wins, ${count(losses)} losses, ${count(ties)} ties.`;
  // A long model version is cut to fit; the caption and the sentence below name it in full.
  const headline = (candidate: string) => `Preference for ${candidate}: ${percent(result.preference)}`;
  const c = chart(width, 130, { top: 8, right: 20, bottom: 8, left: 20 }, caption, sentence);
  const x = linear([0, 1], [c.left, c.right]);
  const row = c.top + FONT + 14;
  const axisAt = row + 16;
  const barTop = axisAt + FONT + 36;
  const segments = [
    { name: 'wins', value: wins, colour: seriesStyle(2).colour },
    { name: 'losses', value: losses, colour: seriesStyle(1).colour },
    { name: 'ties', value: ties, colour: MUTED },
  ];

  draw(
    c,
    s('text', { x: c.left, y: c.top + FONT, fill: INK }, headline(fitted(result.candidate, c.right - c.left - headline('').length * CHAR_WIDTH))),
    s('line', { x1: x(0.5), x2: x(0.5), y1: row - 12, y2: axisAt, stroke: INK, 'stroke-dasharray': '3 3', 'data-rule': 'no preference' }),
    s('line', { x1: x(result.ci[0]), x2: x(result.ci[1]), y1: row, y2: row, stroke: seriesStyle(0).colour, 'stroke-width': 6, 'data-series': 'ci', 'data-lower': result.ci[0], 'data-upper': result.ci[1] }),
    s('circle', { cx: x(result.preference), cy: row, r: 5, fill: INK, stroke: BACKGROUND, 'stroke-width': 2, 'data-series': 'preference', 'data-value': result.preference }),
    s('text', { x: c.left, y: barTop - 6, fill: INK }, 'Decisions: wins, losses, ties'),
  );
  xAxis(c, x, ticks(0, 1, width < 560 ? 4 : 10), (value) => percentTick(value), axisAt);
  let start = 0;
  for (const { name, value, colour } of segments) {
    draw(c, s('rect', { x: x(start / total), y: barTop, width: x(value / total) - x(0), height: 18, fill: colour, stroke: BACKGROUND, 'data-series': name, 'data-value': value }));
    start += value;
  }
  return figure(
    caption,
    c.svg,
    legend([
      { label: `preference share (50 %: no preference)`, colour: INK, kind: 'dot' },
      { label: '95 % interval', colour: seriesStyle(0).colour, kind: 'area' },
      ...segments.map(({ name, value, colour }) => ({ label: `${name} ${count(value)}`, colour, kind: 'area' as const })),
    ]),
    h('p', { class: 'verdict' }, sentence),
  );
}
