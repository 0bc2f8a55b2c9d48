/**
 * A bandit's allocation over time: each arm's share of traffic as a stacked
 * area, each share held from the update that set it until the next one (the
 * last until the report was generated), labelled directly at its right end.
 */
import type { ExperimentReport } from '../src/contract/report';
import { CHAR_WIDTH, chart, directLabels, draw, empty, figure, legend, timeAxis, yAxis } from './charts';
import { s } from './dom';
import { dateTime, percent, percentTick } from './format';
import { BACKGROUND, seriesStyle } from './palette';
import { areaPath, stack, type Point } from './path';
import { linear, ticks, timeDomain } from './scale';

/** The bandit's allocation chart, or its empty state before its first update. */
export function allocationChart(experiment: ExperimentReport, generatedAt: string, width: number): HTMLElement {
  const caption = `Share of traffic per arm over time, ${experiment.id}`;
  const updates = experiment.allocation ?? [];
  const latest = updates.at(-1);
  if (!latest) return figure(caption, empty(`allocation-${experiment.id}`, 'No data yet: the bandit has not updated its allocation.'));

  // Arms in the experiment's order, then any the updates name besides.
  const arms = [...new Set([...experiment.arms.map((a) => a.id), ...updates.flatMap((u) => Object.keys(u.shares))])];
  const starts = updates.map((u) => Date.parse(u.at));
  const end = Math.max(Date.parse(generatedAt) || 0, starts.at(-1)!);
  // Each update's shares hold until the next: two x positions per update.
  const steps = starts.flatMap((t, i) => [t, starts[i + 1] ?? end]);
  const layers = stack(arms.map((arm) => updates.flatMap((u) => [u.shares[arm], u.shares[arm]])));

  const desc = `Latest allocation, set ${dateTime(starts.at(-1)!)}: ${arms.map((arm) => `${arm} ${percent(latest.shares[arm] ?? 0)}`).join(', ')}. ${updates.length} updates since ${dateTime(starts[0]!)}.`;
  const room = Math.ceil(Math.max(...arms.map((a) => a.length)) * CHAR_WIDTH) + 12;
  const c = chart(width, width < 560 ? 200 : 240, { top: 12, right: room, bottom: 24, left: 58 }, caption, desc);
  const domain = timeDomain(steps);
  const x = linear(domain, [c.left, c.right]);
  const y = linear([0, 1], [c.bottom, c.top]);

  yAxis(c, y, ticks(0, 1, 4), (value) => percentTick(value));
  timeAxis(c, x, domain);
  const ends: Array<{ label: string; colour: string; y: number }> = [];
  layers.forEach((layer, i) => {
    const arm = arms[i]!;
    const { colour } = seriesStyle(i);
    const upper: Point[] = layer.map(([, top], k) => [x(steps[k]!), y(top)]);
    const lower: Point[] = layer.map(([bottom], k) => [x(steps[k]!), y(bottom)]);
    draw(
      c,
      s('path', {
        d: areaPath(upper, lower),
        fill: colour,
        stroke: BACKGROUND,
        'data-series': arm,
        'data-x': updates.map((u) => u.at).join(' '),
        'data-values': updates.map((u) => u.shares[arm] ?? 0).join(' '),
      }),
    );
    const [bottom, top] = layer.at(-1)!;
    ends.push({ label: arm, colour, y: y((bottom + top) / 2) });
  });
  directLabels(c, ends);
  return figure(caption, c.svg, legend(arms.map((arm, i) => ({ label: arm, colour: seriesStyle(i).colour, kind: 'area' as const }))));
}
