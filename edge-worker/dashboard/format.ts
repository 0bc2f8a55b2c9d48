/**
 * How numbers, intervals and times read on the dashboard, in axis labels and
 * in the sentences that state each chart's result. Pure.
 */
import { DAY_MS } from './scale';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MINUS = '\u2212';

const two = (n: number) => String(n).padStart(2, '0');

/**
 * A share as a percentage.
 * @param digits decimals (default 1)
 * @example percent(0.0423) // '4.2 %'
 */
export function percent(share: number, digits = 1): string {
  const text = (Math.abs(share) * 100).toFixed(digits);
  return `${share < 0 && Number(text) !== 0 ? MINUS : ''}${text} %`;
}

/**
 * A relative change, signed: lift reads as more or less than the control.
 * @example signedPercent(-0.031) // '−3.1 %'
 */
export function signedPercent(change: number, digits = 1): string {
  const text = percent(change, digits);
  return change > 0 && Number((change * 100).toFixed(digits)) !== 0 ? `+${text}` : text;
}

/**
 * A number for an axis or a sentence: at most `digits` significant digits, a true minus sign.
 * @example decimal(0.4000001) // '0.4'
 */
export function decimal(value: number, digits = 3): string {
  const text = String(Number(value.toPrecision(digits)));
  return text.replace('-', MINUS);
}

/**
 * A count with thousands separators.
 * @example count(12345) // '12,345'
 */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * An interval in words.
 * @example interval([-0.01, 0.03], signedPercent) // '−1.0 % to +3.0 %'
 */
export function interval([low, high]: readonly [number, number], format: (value: number) => string): string {
  const bound = (value: number) => (Number.isFinite(value) ? format(value) : value > 0 ? 'unbounded' : `${MINUS}unbounded`);
  return `${bound(low)} to ${bound(high)}`;
}

/**
 * A p-value as statisticians quote it.
 * @example pValue(0.00002) // 'p < 0.001'
 */
export function pValue(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/**
 * A day as the axis labels it (UTC).
 * @example dayLabel(Date.UTC(2026, 2, 4)) // '4 Mar'
 */
export function dayLabel(ms: number): string {
  const date = new Date(ms);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}`;
}

/**
 * A tick on a time axis: the day for steps of a day or more, else the hour (the day at midnight).
 * @example tickLabel(Date.UTC(2026, 2, 4, 6), 6 * HOUR_MS) // '06:00'
 */
export function tickLabel(ms: number, step: number): string {
  const date = new Date(ms);
  return step >= DAY_MS || date.getUTCHours() === 0 ? dayLabel(ms) : `${two(date.getUTCHours())}:00`;
}

/**
 * An instant, to the minute, in UTC.
 * @example dateTime(Date.parse('2026-03-04T10:05:00Z')) // '4 Mar 10:05 UTC'
 */
export function dateTime(ms: number): string {
  const date = new Date(ms);
  return `${dayLabel(ms)} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())} UTC`;
}

/**
 * Milliseconds as latency reads.
 * @example milliseconds(3.25) // '3.25 ms'
 */
export function milliseconds(ms: number): string {
  return `${decimal(ms)} ms`;
}

/**
 * An axis label for a share or a lift, as many decimals as the value needs.
 * @param signed a `+` before positive values (lifts)
 * @example percentTick(0.025, true) // '+2.5 %'
 */
export function percentTick(value: number, signed = false): string {
  return `${signed && value > 0 ? '+' : ''}${decimal(value * 100)} %`;
}

/**
 * Text cut to at most `chars` characters, an ellipsis saying where (at least
 * the ellipsis): a long model version must not run off a narrow chart.
 * @example truncate('demo-shop-2026-11-30T06:56:22.879Z', 12) // 'demo-shop-2…'
 */
export function truncate(words: string, chars: number): string {
  return words.length <= chars ? words : `${words.slice(0, Math.max(0, chars - 1))}…`;
}
