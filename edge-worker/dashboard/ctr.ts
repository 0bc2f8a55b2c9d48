/**
 * Click-through per slot over time: one chart per slot, one line per arm,
 * each day's clicks over its viewable impressions (no line on a day without any).
 */
import type { CtrSeries, Report } from '../src/contract/report';
import { empty, figure, legend, section, type LineSeries } from './charts';
import { count, dayLabel, percent, percentTick } from './format';
import { lineChart } from './line-chart';
import { seriesStyle } from './palette';
import { dayTime } from './scale';

/** The click-through section of the page. */
export function ctrSection(report: Report, width: number): HTMLElement {
  const slots = new Map<string, CtrSeries[]>();
  for (const series of report.ctr) slots.set(series.slot, [...(slots.get(series.slot) ?? []), series]);
  if (!slots.size) return section('ctr', 'Click-through', empty('ctr', 'No data yet: no slot has recorded a viewable impression.'));
  return section('ctr', 'Click-through', ...[...slots].map(([slot, series]) => slotFigure(slot, series, width)));
}

function slotFigure(slot: string, arms: readonly CtrSeries[], width: number): HTMLElement {
  const caption = `Click-through in slot “${slot}”, per arm and day`;
  const lines: LineSeries[] = arms.map((arm, i) => ({
    name: arm.arm,
    label: arm.arm,
    ...seriesStyle(i),
    keys: arm.days.map((d) => d.day),
    times: arm.days.map((d) => dayTime(d.day)),
    values: arm.days.map((d) => (d.impressions ? d.clicks / d.impressions : null)),
    format: (value) => percent(value, 2),
  }));
  const latest = arms.flatMap((arm) => {
    const day = arm.days.at(-1);
    return day ? [`${arm.arm} ${day.impressions ? percent(day.clicks / day.impressions, 2) : 'no impressions'} (${count(day.clicks)} clicks of ${count(day.impressions)} impressions on ${dayLabel(dayTime(day.day))})`] : [];
  });
  if (!latest.length) return figure(caption, empty(`ctr-${slot}`, `No data yet for slot “${slot}”.`));
  const desc = `Click-through in slot ${slot}. Latest day: ${latest.join('; ')}.`;
  const svg = lineChart({ width, title: caption, desc, lines, yFormat: (value) => percentTick(value), yInclude: [0], daily: true });
  return figure(caption, svg, legend(lines.map((l) => ({ label: l.label, colour: l.colour, dash: l.dash, kind: 'line' }))));
}
