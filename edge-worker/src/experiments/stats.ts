/**
 * The statistics of measured uplift: relative lift with its fixed-horizon interval and its
 * confidence sequence (valid under peeking), the verdict read from it, the sample-ratio-mismatch
 * check, and the distributions they need; pure and dependency-free, for the Worker's bundle. The
 * method is GrowthBook's gbstats (`packages/stats` of growthbook/growthbook): its published vectors
 * are checked in `tests/unit/experiments/stats.test.ts`, the maths written out in docs/EXPERIMENTS.md.
 */

/** Sample moments of one metric in one arm: visitors, and the sum and sum of squares of their values. */
export interface Moments {
  n: number;
  sum: number;
  sumSquares: number;
}

/** A comparison's outcome once read: see {@link verdict}. */
export type Verdict = 'insufficient' | 'better' | 'worse' | 'inconclusive';

/** Sample-ratio-mismatch p-values below this flag an experiment's assignment as broken. */
export const SRM_THRESHOLD = 0.001;

/** Two-sided error rate of every interval unless told otherwise. */
export const DEFAULT_ALPHA = 0.05;

/**
 * The confidence sequence's tuning parameter: the total sample (both arms) at which it is
 * narrowest. GrowthBook's default; a shop with 1,000 visitors a day passes it within a week, and
 * past it the interval widens only as √(log n) relative to the fixed one (docs/EXPERIMENTS.md).
 */
export const DEFAULT_SEQUENTIAL_TUNING = 5000;

/**
 * Visitors per arm before any verdict. The confidence sequence is asymptotic: it holds its error
 * rate once the normal approximation of the lift does, and that fails first for revenue (few,
 * heavy-tailed orders). In the A/A simulation (3 % conversion, lognormal orders, 20 looks, 5 seeds),
 * reading revenue from the first look (500 visitors per arm) finds about 10 % false positives, from
 * 1,000 per arm 5.6 %, from 2,000 (about 60 orders per arm) 4.0 %: docs/EXPERIMENTS.md.
 */
export const DEFAULT_MIN_SAMPLE = 2000;

/**
 * The mean of the values behind `m` (0 when `m.n` is 0).
 *
 * @example
 * mean({ n: 200, sum: 6, sumSquares: 6 }); // 0.03, a 3 % conversion rate
 */
export function mean(m: Moments): number {
  return m.n > 0 ? m.sum / m.n : 0;
}

/**
 * The variance of the values behind `m`, as gbstats estimates it: p(1 − p) when `sumSquares`
 * equals `sum` (0/1 values, a conversion rate: its ProportionStatistic), the sample variance
 * (n − 1 in the denominator) otherwise (its SampleMeanStatistic). Whenever `sumSquares = sum` the
 * two differ only by the factor n / (n − 1), so the choice never misreads other data. 0 when n < 2.
 *
 * @example
 * variance({ n: 100, sum: 50, sumSquares: 50 }); // 0.25
 */
export function variance(m: Moments): number {
  if (m.n < 2) return 0;
  const p = m.sum / m.n;
  return m.sumSquares === m.sum ? p * (1 - p) : (m.sumSquares - m.sum * p) / (m.n - 1);
}

/**
 * Relative lift of `treatment` over `control`, (treatment mean − control mean) / |control mean|,
 * and its standard error by the delta method on the ratio of two independent means:
 * se² = var_t / (n_t · m_c²) + var_c · m_t² / (n_c · m_c⁴). `null` when it is undefined: either arm
 * with fewer than 2 visitors or no variance, or a control mean of 0.
 *
 * @example
 * relativeLift({ n: 1000, sum: 30, sumSquares: 30 }, { n: 1000, sum: 36, sumSquares: 36 }); // { lift: 0.2, standardError: ≈0.29 }
 */
export function relativeLift(control: Moments, treatment: Moments): { lift: number; standardError: number } | null {
  const mc = mean(control);
  const mt = mean(treatment);
  const vc = variance(control);
  const vt = variance(treatment);
  if (!(vc > 0 && vt > 0) || mc === 0) return null;
  const se2 = vt / (treatment.n * mc * mc) + (vc * mt * mt) / (control.n * mc ** 4);
  return se2 > 0 && Number.isFinite(se2) ? { lift: (mt - mc) / Math.abs(mc), standardError: Math.sqrt(se2) } : null;
}

/**
 * Relative lift (treatment mean / control mean − 1) with a delta-method confidence interval and
 * two-sided p-value. Without `sequentialTuning` it is gbstats' TwoSidedTTest: Student's t with
 * Welch–Satterthwaite degrees of freedom, valid when read once at a planned sample. With it, it is
 * gbstats' SequentialTwoSidedTTest: the interval is an asymptotic confidence sequence (Waudby-Smith
 * et al. 2023, eq. 9), valid however often it is read, and the p-value the matching always-valid
 * one (1 / e-value). Conversion rates (0/1 values) and revenue per visitor go through alike.
 * When the lift is undefined (see {@link relativeLift}) the answer is gbstats' uninformative one:
 * lift 0, interval [0, 0], p-value 1.
 *
 * @param control the control arm's moments
 * @param treatment the treatment arm's moments
 * @param options.alpha two-sided error rate, in (0, 1) (default 0.05: 95 % intervals)
 * @param options.sequentialTuning the confidence sequence's tuning parameter, > 0 (default: none,
 *   the fixed-horizon interval; {@link DEFAULT_SEQUENTIAL_TUNING} is the product's choice)
 * @example
 * const control = { n: 10_000, sum: 300, sumSquares: 300 };
 * const treatment = { n: 10_000, sum: 360, sumSquares: 360 };
 * compareMeans(control, treatment); // { lift: 0.2, ci: [≈0.02, ≈0.38], pValue: ≈0.03 }
 * compareMeans(control, treatment, { sequentialTuning: 5000 }).ci; // wider: [≈−0.09, ≈0.49]
 */
export function compareMeans(
  control: Moments,
  treatment: Moments,
  options: { alpha?: number; sequentialTuning?: number } = {},
): { lift: number; ci: [number, number]; pValue: number } {
  const { alpha = DEFAULT_ALPHA, sequentialTuning } = options;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), not ${alpha}`);
  if (sequentialTuning !== undefined && !(sequentialTuning > 0)) throw new RangeError(`sequentialTuning must be > 0, not ${sequentialTuning}`);
  const effect = relativeLift(control, treatment);
  if (!effect) return { lift: 0, ci: [0, 0], pValue: 1 };
  const { lift, standardError: se } = effect;
  let halfWidth: number;
  let pValue: number;
  if (sequentialTuning === undefined) {
    const dof = welchDegreesOfFreedom(control, treatment);
    halfWidth = studentTQuantile(1 - alpha / 2, dof) * se;
    pValue = 2 * studentTCdf(-Math.abs(lift) / se, dof);
  } else {
    // ρ minimises the sequence's width at n = sequentialTuning (eq. 161 of arXiv:2103.06476v7).
    const logAlpha = -2 * Math.log(alpha);
    const rho2 = (logAlpha + Math.log(logAlpha + 1)) / sequentialTuning;
    const n = control.n + treatment.n;
    const spread = n * rho2 + 1;
    halfWidth = se * Math.sqrt((2 * spread * Math.log(Math.sqrt(spread) / alpha)) / (n * rho2));
    pValue = Math.min(1, Math.sqrt(spread) * Math.exp((-rho2 * n * (lift / se) ** 2) / (2 * spread)));
  }
  return { lift, ci: [lift - halfWidth, lift + halfWidth], pValue };
}

/**
 * What the dashboard says of a treatment: `insufficient` while either arm has fewer than
 * `minSample` visitors; `better` or `worse` once the confidence sequence (always valid under
 * peeking) lies wholly above or below zero; `inconclusive` otherwise.
 *
 * @param options.minSample visitors per arm before any verdict (default {@link DEFAULT_MIN_SAMPLE}, 2,000)
 * @param options.sequentialTuning (default {@link DEFAULT_SEQUENTIAL_TUNING}, 5,000)
 * @param options.alpha (default 0.05)
 * @example
 * verdict({ n: 20_000, sum: 600, sumSquares: 600 }, { n: 20_000, sum: 760, sumSquares: 760 }); // 'better'
 */
export function verdict(
  control: Moments,
  treatment: Moments,
  options: { minSample?: number; sequentialTuning?: number; alpha?: number } = {},
): Verdict {
  const { minSample = DEFAULT_MIN_SAMPLE, sequentialTuning = DEFAULT_SEQUENTIAL_TUNING, alpha = DEFAULT_ALPHA } = options;
  if (control.n < minSample || treatment.n < minSample) return 'insufficient';
  const [low, high] = compareMeans(control, treatment, { alpha, sequentialTuning }).ci;
  return low > 0 ? 'better' : high < 0 ? 'worse' : 'inconclusive';
}

/**
 * Chi-square sample-ratio-mismatch p-value: how surprising the visitors per arm are under the
 * configured weights. Arms with weight 0 (or no count) are left out; with fewer than two arms
 * left, or no visitors, it is 1. Compare it with {@link SRM_THRESHOLD}.
 *
 * @param observed visitors per arm
 * @param weights each arm's configured weight (any scale: they are normalised over the arms kept)
 * @example
 * srmPValue([1000, 1200], [0.5, 0.5]); // ≈2.0e-5: flagged
 * srmPValue([310, 98], [0.75, 0.25]); // ≈0.65
 */
export function srmPValue(observed: number[], weights: number[]): number {
  const arms: Array<[number, number]> = [];
  for (const [i, weight] of weights.entries()) {
    const count = observed[i];
    if (weight > 0 && count !== undefined) arms.push([count, weight]);
  }
  const total = arms.reduce((sum, [count]) => sum + count, 0);
  const totalWeight = arms.reduce((sum, [, weight]) => sum + weight, 0);
  if (arms.length < 2 || total === 0) return 1;
  let chiSquare = 0;
  for (const [count, weight] of arms) {
    const expected = (weight / totalWeight) * total;
    chiSquare += (count - expected) ** 2 / expected;
  }
  return chiSquareSurvival(chiSquare, arms.length - 1);
}

/** Welch–Satterthwaite degrees of freedom of the difference of two means. */
function welchDegreesOfFreedom(a: Moments, b: Moments): number {
  const ua = variance(a) / a.n;
  const ub = variance(b) / b.n;
  return (ua + ub) ** 2 / ((ua * ua) / (a.n - 1) + (ub * ub) / (b.n - 1));
}

/**
 * The standard normal distribution function Φ(z), to double precision in both tails.
 *
 * @example
 * normalCdf(1.96); // ≈0.975
 */
export function normalCdf(z: number): number {
  const tail = normalTail(z);
  return z < 0 ? tail : 1 - tail;
}

/**
 * The standard normal quantile Φ⁻¹(p) (−∞ at 0, +∞ at 1).
 *
 * @example
 * normalQuantile(0.975); // ≈1.959964
 */
export function normalQuantile(p: number): number {
  // Abramowitz & Stegun 26.2.23 (error < 4.5e-4) as the start, then Newton to full precision.
  return quantile(p, normalTail, (z) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI), (q) => {
    const t = Math.sqrt(-2 * Math.log(q));
    return t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
  });
}

/**
 * Student's t distribution function with `dof` degrees of freedom (any dof > 0; Infinity is the normal).
 *
 * @example
 * studentTCdf(2.228, 10); // ≈0.975
 */
export function studentTCdf(t: number, dof: number): number {
  const tail = studentTTail(t, dof);
  return t < 0 ? tail : 1 - tail;
}

/**
 * Student's t quantile with `dof` degrees of freedom (any dof > 0; Infinity is the normal).
 *
 * @example
 * studentTQuantile(0.975, 10); // ≈2.228139
 */
export function studentTQuantile(p: number, dof: number): number {
  if (dof === Infinity) return normalQuantile(p);
  const logScale = logGamma((dof + 1) / 2) - logGamma(dof / 2) - 0.5 * Math.log(dof * Math.PI);
  const density = (t: number): number => Math.exp(logScale - ((dof + 1) / 2) * Math.log1p((t * t) / dof));
  return quantile(p, (t) => studentTTail(t, dof), density, (q) => -normalQuantile(q));
}

/**
 * The chi-square survival function P(X > x) with `dof` degrees of freedom (any dof > 0): the
 * regularized upper incomplete gamma Q(dof / 2, x / 2).
 *
 * @example
 * chiSquareSurvival(3.841, 1); // ≈0.05
 */
export function chiSquareSurvival(x: number, dof: number): number {
  return gammaQ(dof / 2, x / 2);
}

/** P(Z > |z|) for a standard normal Z. */
function normalTail(z: number): number {
  return 0.5 * gammaQ(0.5, (z * z) / 2);
}

/** P(T > |t|) for Student's T with `dof` degrees of freedom. */
function studentTTail(t: number, dof: number): number {
  return dof === Infinity ? normalTail(t) : 0.5 * betaI(dof / (dof + t * t), dof / 2, 0.5);
}

/**
 * The p-quantile of a distribution symmetric about 0, from its upper tail P(X > |x|) and its
 * density: Newton's method on tail(x) = min(p, 1 − p) from `start(q)`, which converges from
 * the left because the tail is convex above 0, with bisection should a step leave the bracket.
 */
function quantile(p: number, tail: (x: number) => number, density: (x: number) => number, start: (q: number) => number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const q = Math.min(p, 1 - p);
  let low = 0;
  let high = Infinity;
  let x = q === 0.5 ? 0 : Math.max(0, start(q));
  for (let i = 0; i < 200 && q < 0.5; i++) {
    const error = tail(x) - q;
    if (error === 0) break;
    if (error > 0) low = x;
    else high = x;
    let next = x + error / density(x);
    if (!(next > low && next < high)) next = high === Infinity ? 2 * x + 1 : (low + high) / 2;
    const done = Math.abs(next - x) <= 1e-14 * next;
    x = next;
    if (done) break;
  }
  return p < 0.5 ? -x : x;
}

const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 10_000;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7: about 15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * The continued fraction 1 / (b₁ + a₂ / (b₂ + a₃ / (b₃ + …))) with b_j = b₁ + (j − 1)·bStep, by the
 * modified Lentz method (Numerical Recipes §5.2).
 */
function continuedFraction(b1: number, bStep: number, a: (j: number) => number): number {
  const nonZero = (v: number): number => (Math.abs(v) < TINY ? TINY : v);
  let d = 1 / nonZero(b1);
  let c = 1 / TINY;
  let fraction = d;
  for (let j = 2; j < MAX_ITERATIONS; j++) {
    const aj = a(j);
    const bj = b1 + (j - 1) * bStep;
    d = 1 / nonZero(bj + aj * d);
    c = nonZero(bj + aj / c);
    fraction *= c * d;
    if (Math.abs(c * d - 1) < EPSILON) break;
  }
  return fraction;
}

/** The regularized upper incomplete gamma function Q(a, x) (Numerical Recipes §6.2: series below a + 1, continued fraction above). */
function gammaQ(a: number, x: number): number {
  if (!(x > 0)) return x === 0 ? 1 : NaN;
  const front = Math.exp(a * Math.log(x) - x - logGamma(a));
  if (x >= a + 1) return front * continuedFraction(x + 1 - a, 2, (j) => -(j - 1) * (j - 1 - a));
  let term = 1 / a;
  let sum = term;
  for (let k = 1; k < MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPSILON; k++) {
    term *= x / (a + k);
    sum += term;
  }
  return 1 - front * sum;
}

/** The regularized incomplete beta function I_x(a, b) (Numerical Recipes §6.4). */
function betaI(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - betaI(1 - x, b, a);
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // Terms d₁, d₂, …: d₂ₘ₊₁ = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)), d₂ₘ = m(b − m)x / ((a + 2m − 1)(a + 2m)).
  const term = (j: number): number => {
    const k = j - 1;
    const m = k >> 1;
    return k % 2 === 1 ? (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1)) : (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
  };
  return (front * continuedFraction(1, 0, term)) / a;
}
