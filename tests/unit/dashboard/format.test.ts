/**
 * How the dashboard's numbers read, in axis labels and in the sentences that
 * state each chart's result.
 */
import { describe, expect, it } from 'vitest';
import { count, dateTime, dayLabel, decimal, interval, milliseconds, percent, percentTick, pValue, signedPercent, tickLabel, truncate } from '../../../edge-worker/dashboard/format';
import { DAY_MS, HOUR_MS } from '../../../edge-worker/dashboard/scale';

describe('numbers', () => {
  it('says shares and lifts as percentages, a lift with its sign and a true minus', () => {
    expect([percent(0.0423), percent(0.5, 0), percent(0.0123, 2)]).toEqual(['4.2 %', '50 %', '1.23 %']);
    expect([signedPercent(0.047), signedPercent(-0.031), signedPercent(0)]).toEqual(['+4.7 %', '\u22123.1 %', '0.0 %']);
  });

  it('never writes −0.0 % or +0.0 % for a lift that rounds to nothing', () => {
    expect([signedPercent(-0.0001), signedPercent(0.0001)]).toEqual(['0.0 %', '0.0 %']);
  });

  it('labels axes with as many decimals as a tick needs', () => {
    expect([percentTick(0.025, true), percentTick(-0.1, true), percentTick(0), percentTick(0.3)]).toEqual(['+2.5 %', '\u221210 %', '0 %', '30 %']);
    expect([decimal(0.4000001), decimal(12.345), decimal(-0.2)]).toEqual(['0.4', '12.3', '\u22120.2']);
    expect(milliseconds(3.25)).toBe('3.25 ms');
  });

  it('cuts a label that would not fit, and says so with an ellipsis', () => {
    expect(truncate('demo-shop-2026-11-30T06:56:22.879Z', 12)).toBe('demo-shop-2\u2026');
    expect(truncate('v3', 12)).toBe('v3');
    expect(truncate('v12345', 6)).toBe('v12345');
    expect(truncate('v12345', 0)).toBe('\u2026');
  });

  it('says counts, intervals and p-values as a reader expects', () => {
    expect(count(12345)).toBe('12,345');
    expect(interval([-0.01, 0.03], signedPercent)).toBe('\u22121.0 % to +3.0 %');
    // A bound the Worker could not give arrives as null from JSON.
    expect(interval([null as unknown as number, 0.03], signedPercent)).toBe('\u2212unbounded to +3.0 %');
    expect([pValue(0.00002), pValue(0.0123)]).toEqual(['p < 0.001', 'p = 0.012']);
  });
});

describe('times', () => {
  it('labels days, and hours within a day, in UTC', () => {
    expect(dayLabel(Date.UTC(2026, 2, 4))).toBe('4 Mar');
    expect(tickLabel(Date.UTC(2026, 2, 4, 6), 6 * HOUR_MS)).toBe('06:00');
    expect(tickLabel(Date.UTC(2026, 2, 4), 6 * HOUR_MS)).toBe('4 Mar');
    expect(tickLabel(Date.UTC(2026, 2, 4), DAY_MS)).toBe('4 Mar');
    expect(dateTime(Date.parse('2026-03-04T10:05:00Z'))).toBe('4 Mar 10:05 UTC');
  });
});
