/**
 * SVG path data for lines, bands and stacked areas, and label placement that
 * keeps direct labels apart. Pure: points in, strings and numbers out.
 */

/** A point in the chart's pixels; `null` where a series has no value (the line breaks there). */
export type Point = readonly [number, number] | null;

/** Pixels to a tenth: enough for any screen, and short path data. */
const px = (n: number) => Math.round(n * 10) / 10;

/**
 * A polyline through `points`, broken where a point is `null`.
 * @example linePath([[0, 0], [10, 5], null, [20, 5]]) // 'M0 0L10 5M20 5'
 */
export function linePath(points: readonly Point[]): string {
  let d = '';
  let drawing = false;
  for (const point of points) {
    if (!point) {
      drawing = false;
      continue;
    }
    d += `${drawing ? 'L' : 'M'}${px(point[0])} ${px(point[1])}`;
    drawing = true;
  }
  return d;
}

/**
 * The area between two lines over the same x positions (an interval band, a
 * stacked layer): one closed shape per run where both have a point.
 * @example areaPath([[0, 0], [10, 0]], [[0, 5], [10, 6]]) // 'M0 0L10 0L10 6L0 5Z'
 */
export function areaPath(upper: readonly Point[], lower: readonly Point[]): string {
  let d = '';
  let run: number[] = [];
  const close = () => {
    if (run.length) d += `${linePath(run.map((i) => upper[i]!))}${linePath(run.reverse().map((i) => lower[i]!)).replace(/^M/, 'L')}Z`;
    run = [];
  };
  for (let i = 0; i < upper.length; i++) {
    if (upper[i] && lower[i]) run.push(i);
    else close();
  }
  close();
  return d;
}

/**
 * Stacks series of shares (series × time): for each series and time, its
 * bottom and top. A missing value stacks as 0.
 * @example stack([[0.5, 0.2], [0.5, 0.8]]) // [[[0, 0.5], [0, 0.2]], [[0.5, 1], [0.2, 1]]]
 */
export function stack(series: ReadonlyArray<ReadonlyArray<number | undefined>>): Array<Array<[number, number]>> {
  const base: number[] = [];
  return series.map((values) =>
    values.map((value, t) => {
      const bottom = base[t] ?? 0;
      base[t] = bottom + (value ?? 0);
      return [bottom, base[t]!];
    }),
  );
}

/**
 * Label positions as close to `wanted` as they can be while at least `gap`
 * apart and within [`min`, `max`] (when they fit), in the order given: for
 * direct labels at the ends of lines that end close together. Overlapping
 * labels are pushed down, then back up from the bottom edge.
 * @example spread([50, 52, 90], 12, 0, 100) // [50, 62, 90]
 */
export function spread(wanted: readonly number[], gap: number, min: number, max: number): number[] {
  const order = wanted.map((y, i) => ({ y, i })).sort((a, b) => a.y - b.y);
  const placed = order.map(({ y }) => Math.min(Math.max(y, min), max));
  for (let k = 1; k < placed.length; k++) placed[k] = Math.max(placed[k]!, placed[k - 1]! + gap);
  for (let k = placed.length - 1; k >= 0; k--) placed[k] = Math.min(placed[k]!, k === placed.length - 1 ? max : placed[k + 1]! - gap);
  const out = new Array<number>(wanted.length);
  order.forEach(({ i }, k) => (out[i] = placed[k]!));
  return out;
}
