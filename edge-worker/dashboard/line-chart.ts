/**
 * The time-series chart every section but the forest plots uses: lines over
 * time, optional interval bands, a reference line and vertical markers, on
 * a UTC time axis and a nice y axis, with direct labels when there are
 * several lines.
 */
import { band, CHAR_WIDTH, chart, directLabels, FONT, hRule, line, markers, timeAxis, yAxis, type LineSeries } from './charts';
import { DAY_MS, extent, linear, nice, ticks, timeDomain, type Range } from './scale';

/** An interval band over time (bounds in the y axis' units). */
export interface BandSeries {
  name: string;
  colour: string;
  keys: readonly string[];
  times: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
}

/** What {@link lineChart} draws. */
export interface LineChartOptions {
  /** Pixels, the container's width. */
  width: number;
  title: string;
  desc: string;
  lines: readonly LineSeries[];
  bands?: readonly BandSeries[];
  /**
   * Instants to mark (a model going live); those outside the data's time span
   * (the last point's `period` included) are left out.
   */
  marks?: ReadonlyArray<{ t: number; label: string; data: Record<string, string> }>;
  /**
   * How long each point stands for, from its time on (an hour for hourly
   * figures; default 0): a mark within the last point's period is drawn, the
   * time axis widened to reach it.
   */
  period?: number;
  yFormat: (value: number) => string;
  /** The y axis' extent when fixed (shares from 0 to 1), else it fits the data. */
  yDomain?: Range;
  /** Values the fitted y axis must reach (0 for a lift). */
  yInclude?: readonly number[];
  /** A reference line across the plot. */
  rule?: { at: number; label: string };
  /** Points are days: the time axis labels days, never hours. */
  daily?: boolean;
}

/** Half a time axis label ("30 Nov"): the axis centres one on the plot's right edge. */
const HALF_TIME_LABEL = Math.ceil((6 * CHAR_WIDTH) / 2) + 4;

/** Right margin for direct labels of this many characters. */
const labelRoom = (chars: number) => Math.ceil(chars * CHAR_WIDTH) + 12;

/**
 * Draws lines over time into a new chart `width` pixels wide.
 * @example lineChart({ width: 640, title: 'Bias', desc: '…', lines: [coverage, gini], yFormat: decimal, yDomain: [0, 1] })
 */
export function lineChart(o: LineChartOptions): SVGSVGElement {
  const bands = o.bands ?? [];
  const times = [...o.lines.flatMap((l) => l.times), ...bands.flatMap((b) => b.times)];
  const span = timeDomain(times);
  const end = Math.max(span[1], Math.max(...times) + (o.period ?? 0));
  const marks = (o.marks ?? []).filter(({ t }) => t >= span[0] && t <= end);
  const domain: Range = [span[0], Math.max(span[1], ...marks.map(({ t }) => t))];
  const labelled = o.lines.length > 1;
  const margin = {
    top: 12 + (marks.length ? 2 * (FONT + 3) : 0),
    right: Math.max(labelled ? labelRoom(Math.max(...o.lines.map((l) => l.label.length))) : 0, HALF_TIME_LABEL),
    bottom: 24,
    left: 58,
  };
  const height = (o.width < 560 ? 220 : 260) + margin.top;
  const c = chart(o.width, height, margin, o.title, o.desc);
  const x = linear(domain, [c.left, c.right]);
  const yDomain =
    o.yDomain ?? nice(extent([...o.lines.flatMap((l) => l.values), ...bands.flatMap((b) => [...b.lower, ...b.upper])], o.yInclude), 5);
  const y = linear(yDomain, [c.bottom, c.top]);

  yAxis(c, y, ticks(yDomain[0], yDomain[1], 5), o.yFormat);
  timeAxis(c, x, domain, o.daily ? DAY_MS : 0);
  for (const b of bands) band(c, x, y, b);
  if (o.rule) hRule(c, y(o.rule.at), o.rule.label);
  markers(c, x, marks);
  for (const l of o.lines) line(c, x, y, l);
  if (labelled) {
    const ends = o.lines.flatMap((l) => {
      const last = l.values.filter((v) => v !== null).at(-1);
      return last === undefined ? [] : [{ label: l.label, colour: l.colour, y: y(last) }];
    });
    directLabels(c, ends);
  }
  return c.svg;
}
