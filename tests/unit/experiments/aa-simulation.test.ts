/**
 * The A/A simulation (edge-worker/cli/aa-simulation.ts) on a small seeded run: reading once at the
 * end keeps the nominal error rate, peeking at the fixed interval inflates it, and the dashboard's
 * verdict (the confidence sequence, read at every look) keeps it. Seeded, so the same figures every run;
 * the bounds are 3 binomial standard errors of 200 experiments (seeds 1 to 8 all pass them).
 */
import { describe, expect, it } from 'vitest';
import { simulateAA } from '../../../edge-worker/cli/aa-simulation';

const EXPERIMENTS = 200;
const NOMINAL = 0.05;
const MARGIN = 3 * Math.sqrt((NOMINAL * (1 - NOMINAL)) / EXPERIMENTS);

describe('A/A simulation, 200 experiments × 20,000 visitors, 20 looks', () => {
  const result = simulateAA({ experiments: EXPERIMENTS, seed: 1 });

  it.each(['conversion', 'revenue'] as const)('%s: the fixed interval read once is near nominal', (metric) => {
    expect(Math.abs(result[metric].fixedOnce - NOMINAL)).toBeLessThanOrEqual(MARGIN);
  });

  it.each(['conversion', 'revenue'] as const)('%s: peeking at the fixed interval inflates false positives', (metric) => {
    expect(result[metric].fixedPeeking).toBeGreaterThan(NOMINAL + MARGIN);
  });

  it.each(['conversion', 'revenue'] as const)('%s: the verdict, read at every look, stays within nominal', (metric) => {
    expect(result[metric].verdictPeeking).toBeLessThanOrEqual(NOMINAL + MARGIN);
  });

  it('conversion: the confidence sequence read at every look from the first stays within nominal', () => {
    expect(result.conversion.sequentialPeeking).toBeLessThanOrEqual(NOMINAL + MARGIN);
  });

  it('is the same run for the same seed', () => {
    const small = { experiments: 20, visitors: 2000, seed: 3 };
    expect(simulateAA(small)).toEqual(simulateAA(small));
    expect(simulateAA(small)).not.toEqual(simulateAA({ ...small, seed: 4 }));
  });
});
