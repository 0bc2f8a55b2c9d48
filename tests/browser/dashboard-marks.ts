/**
 * Reading the uplift dashboard's charts back: every mark carries the
 * report's own numbers in `data-` attributes (written with `String(number)`,
 * which round-trips a double exactly), so a test compares what is drawn with
 * what the report said, and checks the drawn positions follow the values.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The attributes of every element matching `selector`, in document order. */
export function marks(page: Page, selector: string): Promise<Array<Record<string, string>>> {
  return page.locator(selector).evaluateAll((elements) => elements.map((el) => Object.fromEntries([...el.attributes].map((a) => [a.name, a.value]))));
}

/** A `data-values` list as numbers, `-` as null. */
export const values = (list: string) => list.split(' ').map((v) => (v === '-' ? null : Number(v)));

/** A polyline's vertices, from its path data. */
export const vertices = (d: string) => [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);

/**
 * Checks that a line path draws `expected` (nulls as breaks): its data says
 * so, it has one vertex per value, left to right, and higher values higher up.
 */
export function expectLine(path: Record<string, string>, keys: readonly string[], expected: ReadonlyArray<number | null>): void {
  expect(path['data-x']!.split(' ')).toEqual(keys);
  expect(values(path['data-values']!)).toEqual(expected);
  const drawn = vertices(path.d!);
  const present = expected.filter((v): v is number => v !== null);
  expect(drawn).toHaveLength(present.length);
  for (let i = 1; i < drawn.length; i++) {
    expect(drawn[i]![0]).toBeGreaterThan(drawn[i - 1]![0]);
    expect(Math.sign(drawn[i - 1]![1] - drawn[i]![1])).toBe(Math.sign(present[i]! - present[i - 1]!));
  }
}

/** One forest-plot row as drawn: its metric, arm and verdict, the lift and both intervals. */
export interface ForestRow {
  metric: string;
  arm: string;
  verdict: string;
  lift: number;
  ci: number[];
  sequentialCi: number[];
}

/** The rows of an experiment's forest plot, top to bottom. */
export function forestRows(page: Page, experiment: string): Promise<ForestRow[]> {
  return page.locator(`[data-experiment="${experiment}"] g[data-arm]`).evaluateAll((groups) =>
    groups.map((g) => {
      const data = (series: string) => (g.querySelector(`[data-series="${series}"]`) as SVGElement).dataset;
      return {
        metric: g.dataset.metric!,
        arm: g.dataset.arm!,
        verdict: g.dataset.verdict!,
        lift: Number(data('lift').value),
        ci: [Number(data('ci').lower), Number(data('ci').upper)],
        sequentialCi: [Number(data('sequential-ci').lower), Number(data('sequential-ci').upper)],
      };
    }),
  );
}
