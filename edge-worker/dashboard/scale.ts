/**
 * Where a number lands on a chart and which round numbers or dates label its
 * axes: linear scales, "nice" 1-2-5 ticks, UTC time ticks. Pure.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** An interval of data or of pixels, low end first (a y range may run downwards). */
export type Range = readonly [number, number];

/**
 * Maps `domain` linearly onto `range`; a domain of zero width maps to the middle of the range.
 * @example linear([0, 10], [0, 100])(2.5) // 25
 */
export function linear(domain: Range, range: Range): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * k;
}

/** The smallest of 1, 2, 5 × 10^k at least `span / count`. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  return power * (mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10);
}

/** `i × step` without the float noise (0.30000000000000004). */
const multiple = (i: number, step: number) => Number((i * step).toPrecision(12));

/**
 * Round values from `min` to `max` inclusive, about `count` of them (1, 2 or 5 × 10^k apart).
 * @example ticks(0, 1, 5) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function ticks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return Number.isFinite(min) ? [min] : [];
  const step = niceStep(max - min, count);
  const out: number[] = [];
  for (let i = Math.ceil(min / step - 1e-9); multiple(i, step) <= max + step * 1e-9; i++) out.push(multiple(i, step));
  return out;
}

/**
 * `domain` widened outwards to whole ticks, so the axis starts and ends on a
 * labelled value; a single value is widened around itself first.
 * @example nice([0.013, 0.087], 5) // [0, 0.1]
 */
export function nice(domain: Range, count: number): [number, number] {
  let [min, max] = domain;
  if (!(max > min)) {
    const pad = Math.abs(min) / 10 || 1;
    [min, max] = [min - pad, max + pad];
  }
  const step = niceStep(max - min, count);
  return [multiple(Math.floor(min / step + 1e-9), step), multiple(Math.ceil(max / step - 1e-9), step)];
}

/**
 * The smallest and largest finite value of `values` and `include` (a zero
 * line, say); `[0, 1]` when there is none.
 * @example extent([3, null, 1], [0]) // [0, 3]
 */
export function extent(values: Iterable<number | null | undefined>, include: readonly number[] = []): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of [...values, ...include]) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return min <= max ? [min, max] : [0, 1];
}

/** Steps a time axis may take, shortest first: hours, days, weeks, then about months and years. */
const TIME_STEPS = [1, 3, 6, 12].map((h) => h * HOUR_MS).concat([1, 2, 3, 7, 14, 28, 91, 182, 364].map((d) => d * DAY_MS));

/**
 * Ticks from `min` to `max` (epoch ms): the shortest step of at least
 * `minStep` cutting the span into at most `count` intervals, on whole hours,
 * or on UTC midnights from the first one in the span for steps of a day or more.
 * @example timeTicks(Date.UTC(2026, 2, 1), Date.UTC(2026, 2, 7), 3, DAY_MS) // { step: 2 days, values: 1, 3, 5 and 7 March }
 */
export function timeTicks(min: number, max: number, count: number, minStep = 0): { step: number; values: number[] } {
  const span = Math.max(0, max - min);
  const longest = TIME_STEPS.at(-1)!;
  const step = TIME_STEPS.find((candidate) => candidate >= minStep && span / candidate <= Math.max(1, count)) ?? longest * Math.ceil(span / count / longest);
  const values: number[] = [];
  for (let t = Math.ceil(min / Math.min(step, DAY_MS)) * Math.min(step, DAY_MS); t <= max; t += step) values.push(t);
  return { step, values };
}

/**
 * A report's day (`YYYY-MM-DD`) as epoch ms at its UTC midnight.
 * @example dayTime('2026-03-01') === Date.UTC(2026, 2, 1)
 */
export function dayTime(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** The time domain of `times`, widened by half a day each side when it is a single instant. */
export function timeDomain(times: readonly number[]): [number, number] {
  const [min, max] = extent(times);
  return max > min ? [min, max] : [min - DAY_MS / 2, max + DAY_MS / 2];
}
