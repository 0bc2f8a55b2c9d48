/**
 * The charts' building blocks, hand-drawn in SVG: the accessible chart
 * element, axes with ticks and grid, lines with their points, interval
 * bands, areas, rules, vertical markers, direct labels, and the HTML around
 * them (figure, legend, empty state). Every mark carries `data-` attributes
 * holding the report's own numbers, so what is drawn can be checked against
 * what was sent.
 */
import { h, s, uid, type Child } from './dom';
import { tickLabel, truncate } from './format';
import { BACKGROUND, GRID, INK, MUTED } from './palette';
import { areaPath, linePath, spread, type Point } from './path';
import { timeTicks, type Range } from './scale';

/** Text size in the charts, in pixels: one viewBox unit is one CSS pixel (charts are drawn at their width). */
export const FONT = 12;

/** A generous estimate of one character's width in the charts' text, in pixels. */
export const CHAR_WIDTH = FONT * 0.62;

/** `words` cut to fit `room` pixels of the charts' text (see {@link truncate}). */
export const fitted = (words: string, room: number) => truncate(words, Math.floor(room / CHAR_WIDTH));

/** A chart's SVG and the edges of its plotting area. */
export interface Chart {
  svg: SVGSVGElement;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Space around the plotting area, for axes and labels. */
export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/**
 * An empty chart, `width` × `height` pixels and scaling to its container's
 * width through its viewBox: `role="img"`, named by its `<title>` and
 * described by its `<desc>`, which says in words what the chart shows.
 */
export function chart(width: number, height: number, margin: Margin, title: string, desc: string): Chart {
  const titleId = uid('t');
  const descId = uid('d');
  const svg = s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId, 'aria-describedby': descId, class: 'chart' },
    s('title', { id: titleId }, title),
    s('desc', { id: descId }, desc),
    s('rect', { width, height, fill: BACKGROUND }),
  );
  return { svg, left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

/** Appends `nodes` to the chart's SVG. */
export function draw(c: Chart, ...nodes: Child[]): void {
  for (const node of nodes) if (node) c.svg.append(node);
}

const text = (x: number, y: number, label: string, attributes: Record<string, string | number> = {}) => s('text', { x, y, fill: MUTED, ...attributes }, label);

/**
 * Text drawn over the plot, where lines may cross it: outlined in the
 * background's colour, so it keeps its contrast whatever runs behind.
 */
export const label = (x: number, y: number, words: string, attributes: Record<string, string | number> = {}) =>
  text(x, y, words, { fill: INK, stroke: BACKGROUND, 'stroke-width': 3, 'paint-order': 'stroke', ...attributes });

/** The y axis: a grid line and a label at each of `values`. */
export function yAxis(c: Chart, y: (value: number) => number, values: readonly number[], format: (value: number) => string): void {
  for (const value of values) {
    const at = y(value);
    draw(c, s('line', { x1: c.left, x2: c.right, y1: at, y2: at, stroke: GRID }), text(c.left - 6, at + FONT / 3, format(value), { 'text-anchor': 'end' }));
  }
}

/** A horizontal x axis at the plot's bottom: a tick and a label at each of `values`. */
export function xAxis(c: Chart, x: (value: number) => number, values: readonly number[], format: (value: number) => string, at = c.bottom): void {
  draw(c, s('line', { x1: c.left, x2: c.right, y1: at, y2: at, stroke: MUTED }));
  for (const value of values) {
    const px = x(value);
    draw(c, s('line', { x1: px, x2: px, y1: at, y2: at + 4, stroke: MUTED }), text(px, at + 4 + FONT, format(value), { 'text-anchor': 'middle' }));
  }
}

/** A time x axis over `domain` (epoch ms), about one label per 70 pixels, `minStep` apart at least (a day for daily data). */
export function timeAxis(c: Chart, x: (value: number) => number, domain: Range, minStep = 0): void {
  const { step, values } = timeTicks(domain[0], domain[1], Math.max(3, Math.floor((c.right - c.left) / 70)), minStep);
  xAxis(c, x, values, (t) => tickLabel(t, step));
}

/** A line series as the report gives it: its points' raw x keys (days, ISO times), their times and values. */
export interface LineSeries {
  /** What `data-series` says: the metric, arm or percentile. */
  name: string;
  /** What the legend and the direct label say. */
  label: string;
  colour: string;
  dash: string;
  keys: readonly string[];
  times: readonly number[];
  /** `null` where there is no value (the line breaks). */
  values: ReadonlyArray<number | null>;
  /** A point's value for its dot's tooltip. */
  format: (value: number) => string;
}

/** More points than this (a month of days) and a line is drawn without a dot on each. */
const DOTS_UP_TO = 31;

/**
 * A line through a series, with a dot on each point (on isolated points only
 * for long series, which would otherwise draw nothing there). The path and
 * each dot carry the series' name, x keys and values.
 */
export function line(c: Chart, x: (t: number) => number, y: (value: number) => number, series: LineSeries): SVGGElement {
  const points: Point[] = series.values.map((value, i) => (value === null ? null : [x(series.times[i]!), y(value)]));
  const group = s(
    'g',
    {},
    s('path', {
      d: linePath(points),
      fill: 'none',
      stroke: series.colour,
      'stroke-width': 2,
      'stroke-dasharray': series.dash || null,
      'data-series': series.name,
      'data-x': series.keys.join(' '),
      'data-values': series.values.map((v) => (v === null ? '-' : v)).join(' '),
    }),
  );
  points.forEach((point, i) => {
    const isolated = !points[i - 1] && !points[i + 1];
    if (!point || (points.length > DOTS_UP_TO && !isolated)) return;
    const value = series.values[i]!;
    group.append(
      s(
        'circle',
        { cx: point[0], cy: point[1], r: 3, fill: series.colour, stroke: BACKGROUND, 'data-series': series.name, 'data-x': series.keys[i], 'data-value': value },
        s('title', {}, `${series.label}, ${series.keys[i]}: ${series.format(value)}`),
      ),
    );
  });
  draw(c, group);
  return group;
}

/** How wide, in pixels, a band of a single point is drawn. */
const LONE_BAND = 10;

/** An interval band: the area between `lower` and `upper`, tinted, with both edges drawn in the series' colour. */
export function band(
  c: Chart,
  x: (t: number) => number,
  y: (value: number) => number,
  series: { name: string; colour: string; keys: readonly string[]; times: readonly number[]; lower: readonly number[]; upper: readonly number[] },
): void {
  // A bound the report could not give (JSON has no Infinity) runs to the plot's edge.
  const clip = (value: number, edge: number) => Math.min(Math.max(Number.isFinite(value) ? y(value) : edge, c.top), c.bottom);
  // A band of one point (the first day of an experiment) would have no width: it is drawn as a bar.
  const xs = series.times.length === 1 ? [x(series.times[0]!) - LONE_BAND / 2, x(series.times[0]!) + LONE_BAND / 2] : series.times.map(x);
  const at = (i: number) => Math.min(i, series.times.length - 1);
  const upper: Point[] = xs.map((px, i) => [px, clip(series.upper[at(i)]!, c.top)]);
  const lower: Point[] = xs.map((px, i) => [px, clip(series.lower[at(i)]!, c.bottom)]);
  const edge = { fill: 'none', stroke: series.colour, 'stroke-width': 1 };
  draw(
    c,
    s('path', {
      d: areaPath(upper, lower),
      fill: series.colour,
      'fill-opacity': 0.16,
      'data-series': series.name,
      'data-x': series.keys.join(' '),
      'data-lower': series.lower.join(' '),
      'data-upper': series.upper.join(' '),
    }),
    s('path', { d: linePath(upper), ...edge }),
    s('path', { d: linePath(lower), ...edge }),
  );
}

/** A horizontal reference line (zero lift, no preference), labelled at its left end inside the plot. */
export function hRule(c: Chart, at: number, name: string): void {
  draw(c, s('line', { x1: c.left, x2: c.right, y1: at, y2: at, stroke: INK, 'stroke-width': 1.5, 'data-rule': name }), label(c.left + 4, at - 4, name));
}

/**
 * Vertical markers at instants (a model going live), each labelled above the
 * plot; labels alternate between two rows so neighbours do not collide.
 */
export function markers(c: Chart, x: (t: number) => number, marks: ReadonlyArray<{ t: number; label: string; data: Record<string, string> }>): void {
  marks.forEach((mark, i) => {
    const at = x(mark.t);
    const row = c.top - 6 - (i % 2) * (FONT + 3);
    const anchor = at > (c.left + c.right) / 2 ? 'end' : 'start';
    // The label runs from the line towards the middle, and stops at the chart's edge.
    const room = anchor === 'end' ? at - 3 : c.svg.viewBox.baseVal.width - at - 3;
    draw(
      c,
      s('g', { class: 'marker', ...Object.fromEntries(Object.entries(mark.data).map(([k, v]) => [`data-${k}`, v])) },
        s('title', {}, mark.label),
        s('line', { x1: at, x2: at, y1: row + 3, y2: c.bottom, stroke: INK, 'stroke-dasharray': '3 3' }),
        label(at + (anchor === 'end' ? -3 : 3), row, fitted(mark.label, room), { 'text-anchor': anchor })),
    );
  });
}

/** Labels at the right end of lines, in their colours, spread apart so none overlap. */
export function directLabels(c: Chart, labels: ReadonlyArray<{ label: string; colour: string; y: number }>): void {
  const ys = spread(labels.map((l) => l.y), FONT + 2, c.top + FONT / 2, c.bottom);
  labels.forEach((l, i) => draw(c, text(c.right + 6, ys[i]! + FONT / 3, l.label, { fill: l.colour, 'data-label': l.label })));
}

/** What a legend entry shows: a line (with its dash), a filled band, or a dot. */
export interface LegendEntry {
  label: string;
  colour: string;
  kind: 'line' | 'band' | 'area' | 'dot';
  dash?: string;
}

/** The legend, as an HTML list beside the chart (it wraps on narrow screens), each entry with its sample. */
export function legend(entries: readonly LegendEntry[]): HTMLUListElement {
  return h(
    'ul',
    { class: 'legend' },
    ...entries.map(({ label, colour, kind, dash }) =>
      h(
        'li',
        {},
        s(
          'svg',
          { viewBox: '0 0 24 12', width: 24, height: 12, 'aria-hidden': 'true' },
          kind === 'line' && s('line', { x1: 0, x2: 24, y1: 6, y2: 6, stroke: colour, 'stroke-width': 2, 'stroke-dasharray': dash || null }),
          kind === 'band' && s('rect', { x: 0, y: 1, width: 24, height: 10, fill: colour, 'fill-opacity': 0.16, stroke: colour }),
          kind === 'area' && s('rect', { x: 0, y: 0, width: 24, height: 12, fill: colour }),
          kind === 'dot' && s('circle', { cx: 12, cy: 6, r: 4, fill: colour }),
        ),
        ` ${label}`,
      ),
    ),
  );
}

/** A chart's figure: its caption, then the chart and whatever explains it (legend, verdict). */
export function figure(caption: string, ...children: Child[]): HTMLElement {
  return h('figure', {}, h('figcaption', {}, caption), ...children);
}

/** What a section says when there is nothing to draw; `what` names it for tests (`data-empty`). */
export function empty(what: string, message: string): HTMLParagraphElement {
  return h('p', { class: 'empty', 'data-empty': what }, message);
}

/** A section of the page: its heading, then its content. */
export function section(id: string, heading: string, ...children: Child[]): HTMLElement {
  const headingId = `${id}-heading`;
  return h('section', { id, 'aria-labelledby': headingId }, h('h2', { id: headingId }, heading), ...children);
}
