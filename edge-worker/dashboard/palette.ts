/**
 * The dashboard's colours, owned once: every series colour reads as text on
 * the page's background at WCAG AA (4.5:1, so direct labels in the series'
 * own colour are legible, and white labels on filled areas too), and every
 * line series also has its own dash pattern, so no chart relies on colour alone.
 */

/** The page and chart background (dashboard.css sets the same). */
export const BACKGROUND = '#ffffff';
/** Text, axes' labels, the zero line. */
export const INK = '#1a1a1a';
/** Secondary text and tick marks. */
export const MUTED = '#595959';
/** Grid lines: decoration only, values never depend on them. */
export const GRID = '#d9d9d9';

/** Series colours in order: blue, rust, green, purple, magenta, teal. */
export const SERIES = ['#1d5fa8', '#b34a0f', '#2a7a3a', '#7b3f9e', '#b0306b', '#00707a'] as const;

/** Dash patterns in the same order: solid, dashed, dotted, dash-dot, long dash, dash-dot-dot. */
export const DASHES = ['', '7 4', '2 3', '8 3 2 3', '12 4', '8 3 2 3 2 3'] as const;

/** The colour and dash of the i-th series (they repeat past six). */
export function seriesStyle(i: number): { colour: string; dash: string } {
  return { colour: SERIES[i % SERIES.length]!, dash: DASHES[i % DASHES.length]! };
}
