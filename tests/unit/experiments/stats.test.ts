/**
 * The uplift statistics (edge-worker/src/experiments/stats.ts) agree with GrowthBook's published
 * test vectors, and keep their promises on any input: p-values in [0, 1], intervals around the
 * lift, the confidence sequence wider than the fixed interval, no NaN on degenerate arms.
 *
 * Reference: growthbook/growthbook at commit 8f1db4456915a8e7b7faf23d5632ca7219d2f469, 20 vectors:
 *   packages/stats/tests/frequentist/test_tests.py   7 (gbstats TwoSidedTTest, SequentialTwoSidedTTest)
 *   packages/stats/tests/test_gbstats.py             3 (gbstats' analysis of count metrics, fixed and sequential)
 *   packages/back-end/test/stats.test.ts            10 (checkSrm: gbstats' check_srm has no unit test at this
 *     commit; the back-end's TypeScript checkSrm is the same chi-square test, but leaves arms of weight 0 out
 *     of the degrees of freedom, as srmPValue does, where check_srm counts every arm)
 * gbstats' SampleMeanStatistic(n, sum, sum_squares) is our Moments; its ProportionStatistic(n, sum) is
 * Moments with sumSquares = sum. Left out, as features we do not implement: the absolute difference
 * (test_two_sided_ttest_absolute), CUPED and CUPED ratio metrics (test_two_sided_ttest_test_runs_ratio_ra,
 * test_sequential_test_runs_ra, test_sequential_test_runs_ratio_ra, the RegressionAdjustment tests of
 * test_gbstats.py), ratio metrics (test_get_metric_dfs_frequentist_ratio, _ratio_zero_denom),
 * post-stratification (test_post_strat.py) and the eight one-sided tests; the relative lift and standard
 * error they share, printed there to full precision, are vector 7 (TestOneSidedGreaterTTest below).
 *
 * Agreement: 4 significant digits (relative 5e-5), or the reference's own printed precision (half a unit
 * in its last decimal) where that is coarser: test_tests.py rounds to 5 decimals, so its −0.03526 is only
 * known to ±5e-6.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chiSquareSurvival,
  compareMeans,
  DEFAULT_SEQUENTIAL_TUNING,
  type Moments,
  normalCdf,
  normalQuantile,
  relativeLift,
  SRM_THRESHOLD,
  srmPValue,
  studentTCdf,
  studentTQuantile,
  verdict,
} from '../../../edge-worker/src/experiments/stats';

function expectAgrees(actual: number, expected: number, decimals: number): void {
  const tolerance = Math.max(5e-5 * Math.abs(expected), 0.5 * 10 ** -decimals);
  expect(Math.abs(actual - expected), `${actual} against the reference's ${expected}`).toBeLessThanOrEqual(tolerance);
}

const sampleMean = (n: number, sum: number, sumSquares: number): Moments => ({ n, sum, sumSquares });
const proportion = (n: number, sum: number): Moments => ({ n, sum, sumSquares: sum });

/** One comparison from the reference: its inputs, and what it printed (to `decimals`) for lift, interval, standard error, p-value. */
interface Vector {
  source: string;
  control: Moments;
  treatment: Moments;
  sequentialTuning?: number;
  decimals: number;
  lift: number;
  ci?: [number | undefined, number | undefined];
  standardError?: number;
  pValue?: number;
}

// test_tests.py's shared arms (its stat_a with n 3407 in TestTwoSidedTTest, 3000 elsewhere).
const STAT_A = sampleMean(3407, 1396.87, 52377.9767);
const STAT_A_3000 = sampleMean(3000, 1396.87, 52377.9767);
const STAT_B = sampleMean(3461, 2422.7, 134698.29);
// test_gbstats.py's MULTI_DIMENSION_STATISTICS_DF, dimension "one": variations "zero" (control) and "one".
const ZERO = sampleMean(100, 270, 848.79);
const ONE = sampleMean(120, 300, 869);

const VECTORS: Vector[] = [
  {
    source: 'test_tests.py TestTwoSidedTTest.test_two_sided_ttest',
    control: STAT_A,
    treatment: STAT_B,
    decimals: 5,
    lift: 0.70732,
    ci: [-0.03526, 1.44989],
    standardError: 0.37879,
    pValue: 0.06191,
  },
  {
    source: 'test_tests.py TestTwoSidedTTest.test_two_sided_ttest_binom',
    control: proportion(28, 14),
    treatment: proportion(30, 16),
    decimals: 5,
    lift: 0.06667,
    ci: [-0.47767, 0.61101],
    standardError: 0.2717,
    pValue: 0.80707,
  },
  {
    source: 'test_tests.py TestTwoSidedTTest.test_two_sided_ttest_missing_variance (negative variance: the uninformative default)',
    control: sampleMean(2, 1396.87, 52377.9767),
    treatment: STAT_B,
    decimals: 5,
    lift: 0,
    ci: [0, 0],
    pValue: 1,
  },
  {
    source: 'test_tests.py TestSequentialTTest.test_sequential_test_runs',
    control: STAT_A_3000,
    treatment: STAT_B,
    sequentialTuning: 1000,
    decimals: 5,
    lift: 0.50336,
    ci: [-0.55844, 1.56516],
    standardError: 0.33341,
    pValue: 1,
  },
  {
    source: 'test_tests.py TestSequentialTTest.test_sequential_test_runs_prop (default tuning 5000)',
    control: proportion(3000, 1396),
    treatment: proportion(3461, 2422),
    sequentialTuning: 5000,
    decimals: 5,
    lift: 0.50386,
    ci: [0.40098, 0.60675],
    standardError: 0.03386,
    pValue: 0,
  },
  {
    source: 'test_tests.py TestOneSidedGreaterTTest.test_one_sided_ttest (its relative moments, printed in full)',
    control: STAT_A_3000,
    treatment: STAT_B,
    decimals: 16,
    lift: 0.5033610858562358,
    standardError: 0.3334122146400735,
  },
  {
    source: 'test_gbstats.py TestAnalyzeMetricDfFrequentist.test_get_metric_dfs_frequentist',
    control: ZERO,
    treatment: ONE,
    decimals: 9,
    lift: -0.074074074,
    pValue: 0.145219005,
  },
  {
    source: 'test_gbstats.py TestAnalyzeMetricDfFrequentist.test_get_metric_dfs_zero_val (one visitor in the treatment: the default)',
    control: sampleMean(3, 20, 443),
    treatment: sampleMean(1, 1, 1),
    decimals: 9,
    lift: 0,
    pValue: 1,
  },
  {
    source: 'test_gbstats.py TestAnalyzeMetricDfSequential.test_analyze_metric_df_sequential (tuning 600)',
    control: ZERO,
    treatment: ONE,
    sequentialTuning: 600,
    decimals: 9,
    lift: -0.074074074,
    ci: [-0.233322085, undefined],
    pValue: 0.892332229,
  },
];

describe('agreement with gbstats (growthbook/growthbook@8f1db445)', () => {
  it.each(VECTORS)('$source', (vector) => {
    const options = vector.sequentialTuning === undefined ? {} : { sequentialTuning: vector.sequentialTuning };
    const result = compareMeans(vector.control, vector.treatment, options);
    expectAgrees(result.lift, vector.lift, vector.decimals);
    if (vector.ci?.[0] !== undefined) expectAgrees(result.ci[0], vector.ci[0], vector.decimals);
    if (vector.ci?.[1] !== undefined) expectAgrees(result.ci[1], vector.ci[1], vector.decimals);
    if (vector.pValue !== undefined) expectAgrees(result.pValue, vector.pValue, vector.decimals);
    if (vector.standardError !== undefined) expectAgrees(relativeLift(vector.control, vector.treatment)!.standardError, vector.standardError, vector.decimals);
  });

  const width = (ci: [number, number]): number => ci[1] - ci[0];

  it('test_tests.py TestSequentialTTest.test_sequential_test_tuning_as_expected: the sequence is narrowest tuned near the sample (6,461)', () => {
    const ci = (tuning: number) => compareMeans(STAT_A_3000, STAT_B, { sequentialTuning: tuning }).ci;
    const [below, near, above] = [ci(10), ci(6461), ci(10_000)];
    expect(below[0]).toBeLessThan(above[0]);
    expect(below[1]).toBeGreaterThan(above[1]);
    expect(below[0]).toBeLessThan(near[0]);
    expect(below[1]).toBeGreaterThan(near[1]);
    expect(above[0]).toBeLessThan(near[0]);
    expect(above[1]).toBeGreaterThan(near[1]);
  });

  it('test_gbstats.py test_analyze_metric_df_sequential: tuned far below the sample (1), the sequence is wider', () => {
    const wellTuned = compareMeans(ZERO, ONE, { sequentialTuning: 600 }).ci;
    const badlyTuned = compareMeans(ZERO, ONE, { sequentialTuning: 1 }).ci;
    expect(wellTuned[0]).toBeGreaterThan(badlyTuned[0]);
    expect(width(badlyTuned)).toBeGreaterThan(width(wellTuned));
  });

  // packages/back-end/test/stats.test.ts "calculates SRM correctly", values printed with toFixed(9).
  it.each([
    { case: 'simple 2-way test', observed: [1000, 1200], weights: [0.5, 0.5], pValue: 0.000020079 },
    { case: 'another 2-way test', observed: [135, 115], weights: [0.5, 0.5], pValue: 0.205903211 },
    { case: 'uneven weights', observed: [310, 98], weights: [0.75, 0.25], pValue: 0.647434186 },
    { case: 'not enough valid variations', observed: [1000], weights: [0.5, 0.5], pValue: 1 },
    { case: 'not enough valid weights', observed: [1000, 900, 800], weights: [1, 0, 0], pValue: 1 },
    { case: 'skip empty weights', observed: [1000, 1200, 900], weights: [0.5, 0.5, 0], pValue: 0.000020079 },
    { case: 'skip if all users are 0', observed: [0, 0, 0], weights: [0.34, 0.33, 0.33], pValue: 1 },
    { case: 'use empty users in the test', observed: [0, 10, 10], weights: [0.34, 0.33, 0.33], pValue: 0.005790624 },
    { case: 'more than 2 variations', observed: [500, 500, 600], weights: [0.34, 0.33, 0.33], pValue: 0.000592638 },
    { case: 'completely equal', observed: [500, 500], weights: [0.5, 0.5], pValue: 1 },
  ])('back-end/test/stats.test.ts checkSrm: $case', ({ observed, weights, pValue }) => {
    expectAgrees(srmPValue(observed, weights), pValue, 9);
  });
});

describe('distributions', () => {
  // Values from scipy 1.17.1 (scipy.stats.norm, t, chi2), to 13 significant digits; agreement to 9.
  it.each([
    { name: 'Φ(1.96)', actual: () => normalCdf(1.96), expected: 0.9750021048518 },
    { name: 'Φ(−8), deep in the tail', actual: () => normalCdf(-8), expected: 6.220960574272e-16 },
    { name: 'Φ⁻¹(0.975)', actual: () => normalQuantile(0.975), expected: 1.959963984540 },
    { name: 'Φ⁻¹(1e−10)', actual: () => normalQuantile(1e-10), expected: -6.361340902404 },
    { name: 't₁₀ cdf(2.228)', actual: () => studentTCdf(2.228, 10), expected: 0.9749941140914 },
    { name: 't₃ cdf(−3)', actual: () => studentTCdf(-3, 3), expected: 0.02883444281122 },
    { name: 't₁₀ quantile(0.975)', actual: () => studentTQuantile(0.975, 10), expected: 2.228138851986 },
    { name: 't₁ quantile(0.975)', actual: () => studentTQuantile(0.975, 1), expected: 12.70620473617 },
    { name: 't₂.₅ quantile(0.995)', actual: () => studentTQuantile(0.995, 2.5), expected: 7.163728138949 },
    { name: 't₁₀₀₀₀₀₀ quantile(0.975)', actual: () => studentTQuantile(0.975, 1e6), expected: 1.959966356814 },
    { name: 'χ²₁ sf(3.841)', actual: () => chiSquareSurvival(3.841, 1), expected: 0.05001368376396 },
    { name: 'χ²₇ sf(50)', actual: () => chiSquareSurvival(50, 7), expected: 1.444485277922e-8 },
  ])('$name', ({ actual, expected }) => {
    expect(Math.abs(actual() - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
  });

  it('χ² with 2 degrees of freedom is exp(−x/2), and with 1 the two normal tails', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 200, noNaN: true }), (x) => {
        expect(chiSquareSurvival(x, 2)).toBeCloseTo(Math.exp(-x / 2), 12);
        expect(chiSquareSurvival(x, 1)).toBeCloseTo(2 * normalCdf(-Math.sqrt(x)), 12);
      }),
      { seed: 11 },
    );
  });

  it('quantiles invert their distribution functions', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }), fc.double({ min: 1, max: 1e5, noNaN: true }), (p, dof) => {
        expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12);
        expect(studentTCdf(studentTQuantile(p, dof), dof)).toBeCloseTo(p, 10);
      }),
      { seed: 11 },
    );
  });
});

describe('compareMeans', () => {
  const control = proportion(10_000, 300);
  const treatment = proportion(10_000, 360);

  it('reads a conversion rate and a revenue per visitor alike', () => {
    expect(compareMeans(control, treatment).lift).toBeCloseTo(0.2, 12);
    // Revenue per visitor 2.00 against 2.20, with standard deviations near 9: +10 %, not yet evidence.
    const revenue = compareMeans(sampleMean(5000, 10_000, 400_000), sampleMean(5000, 11_000, 480_000));
    expect(revenue.lift).toBeCloseTo(0.1, 12);
    expect(revenue.ci[0]).toBeLessThan(0);
    expect(revenue.pValue).toBeGreaterThan(0.05);
  });

  it('makes the sequence wider than the fixed interval, which is the price of peeking', () => {
    const fixed = compareMeans(control, treatment);
    const sequential = compareMeans(control, treatment, { sequentialTuning: DEFAULT_SEQUENTIAL_TUNING });
    expect(fixed.ci[0]).toBeGreaterThan(0);
    expect(sequential.ci[0]).toBeLessThan(0);
    expect(sequential.pValue).toBeGreaterThan(fixed.pValue);
  });

  it.each([
    { case: 'empty arms', control: sampleMean(0, 0, 0), treatment: sampleMean(0, 0, 0) },
    { case: 'one visitor per arm', control: proportion(1, 1), treatment: proportion(1, 0) },
    { case: 'no conversion in control (mean 0)', control: proportion(5000, 0), treatment: proportion(5000, 12) },
    { case: 'every visitor converted (no variance)', control: proportion(5000, 5000), treatment: proportion(5000, 4000) },
    { case: 'identical revenue for everyone (no variance)', control: sampleMean(100, 500, 2500), treatment: sampleMean(100, 600, 3700) },
  ])('answers no evidence, without NaN, for $case', ({ control, treatment }) => {
    for (const options of [{}, { sequentialTuning: 5000 }]) {
      expect(compareMeans(control, treatment, options)).toEqual({ lift: 0, ci: [0, 0], pValue: 1 });
    }
    expect(relativeLift(control, treatment)).toBeNull();
  });

  it('refuses an alpha outside (0, 1) and a tuning parameter ≤ 0', () => {
    expect(() => compareMeans(control, treatment, { alpha: 0 })).toThrow(RangeError);
    expect(() => compareMeans(control, treatment, { sequentialTuning: 0 })).toThrow(RangeError);
  });

  /** An arm's moments: conversions out of visitors, or revenue with a mean and a spread. */
  const arm = (minN: number) =>
    fc.oneof(
      fc.integer({ min: minN, max: 1_000_000 }).chain((n) => fc.integer({ min: 0, max: n }).map((sum) => proportion(n, sum))),
      fc
        .tuple(fc.integer({ min: minN, max: 1_000_000 }), fc.double({ min: 0.01, max: 500, noNaN: true }), fc.double({ min: 0.01, max: 1e4, noNaN: true }))
        .map(([n, m, sd]) => sampleMean(n, n * m, (n - 1) * sd * sd + n * m * m)),
    );
  const alpha = fc.double({ min: 0.001, max: 0.3, noNaN: true });
  const tuning = fc.integer({ min: 100, max: 1_000_000 });

  it('gives p-values in [0, 1] and intervals around the lift, on any arms', () => {
    fc.assert(
      fc.property(arm(0), arm(0), alpha, fc.option(tuning, { nil: undefined }), (c, t, a, sequentialTuning) => {
        const { lift, ci, pValue } = compareMeans(c, t, { alpha: a, sequentialTuning });
        expect(pValue).toBeGreaterThanOrEqual(0);
        expect(pValue).toBeLessThanOrEqual(1);
        expect(ci[0]).toBeLessThanOrEqual(lift);
        expect(ci[1]).toBeGreaterThanOrEqual(lift);
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('excludes 0 from the interval exactly when the p-value is below alpha, fixed or sequential', () => {
    fc.assert(
      fc.property(arm(2), arm(2), alpha, fc.option(tuning, { nil: undefined }), (c, t, a, sequentialTuning) => {
        const { ci, pValue } = compareMeans(c, t, { alpha: a, sequentialTuning });
        fc.pre(Math.abs(pValue - a) > 1e-9 * a);
        expect(ci[0] > 0 || ci[1] < 0).toBe(pValue < a);
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it('makes the sequence contain the fixed interval once each arm has 30 visitors', () => {
    fc.assert(
      fc.property(arm(30), arm(30), alpha, tuning, (c, t, a, sequentialTuning) => {
        const fixed = compareMeans(c, t, { alpha: a }).ci;
        const sequential = compareMeans(c, t, { alpha: a, sequentialTuning }).ci;
        expect(sequential[0]).toBeLessThanOrEqual(fixed[0]);
        expect(sequential[1]).toBeGreaterThanOrEqual(fixed[1]);
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});

describe('verdict', () => {
  it('is insufficient while either arm is below the minimum sample (2,000 visitors unless told)', () => {
    const strong = [proportion(1999, 200), proportion(2500, 500)] as const;
    expect(verdict(...strong)).toBe('insufficient');
    expect(verdict(...strong, { minSample: 1000 })).toBe('better');
  });

  it('reads the confidence sequence: better, worse, or inconclusive while it straddles 0', () => {
    expect(verdict(proportion(20_000, 600), proportion(20_000, 760))).toBe('better');
    expect(verdict(proportion(20_000, 760), proportion(20_000, 600))).toBe('worse');
    // Significant read once (the fixed interval excludes 0), not yet under peeking.
    const control = proportion(10_000, 300);
    const treatment = proportion(10_000, 360);
    expect(compareMeans(control, treatment).ci[0]).toBeGreaterThan(0);
    expect(verdict(control, treatment)).toBe('inconclusive');
  });
});

describe('srmPValue', () => {
  it('flags a 48/52 split of 20,000 visitors meant to be 50/50, not a 49.6/50.4 one', () => {
    expect(srmPValue([9600, 10_400], [0.5, 0.5])).toBeLessThan(SRM_THRESHOLD);
    expect(srmPValue([9920, 10_080], [0.5, 0.5])).toBeGreaterThan(SRM_THRESHOLD);
  });

  it('is a p-value, and 1 when the counts match the weights exactly', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 10 })), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 1000 }), (arms, scale) => {
        const p = srmPValue(arms.map(([count]) => count), arms.map(([, weight]) => weight));
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        const weights = arms.map(([, weight]) => weight);
        expect(srmPValue(weights.map((w) => w * scale), weights)).toBeCloseTo(1, 12);
      }),
      { seed: 11 },
    );
  });
});
