/**
 * The dashboard's colours meet WCAG AA: every series colour reads as text
 * on the background (4.5:1; direct labels are drawn in it, and white labels
 * on its areas), and lines sharing a chart differ in dash pattern as well as colour.
 */
import { describe, expect, it } from 'vitest';
import { BACKGROUND, DASHES, INK, MUTED, SERIES } from '../../../edge-worker/dashboard/palette';

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const channel = parseInt(hex.slice(i, i + 2), 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

describe('the palette', () => {
  it('keeps text and every series colour at 4.5:1 or more against the background', () => {
    for (const colour of [INK, MUTED, ...SERIES]) expect(contrast(colour, BACKGROUND), colour).toBeGreaterThanOrEqual(4.5);
  });

  it('checks contrast as WCAG defines it', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeLessThan(4.5);
  });

  it('gives each series its own dash pattern', () => {
    expect(new Set(DASHES).size).toBe(SERIES.length);
  });
});
