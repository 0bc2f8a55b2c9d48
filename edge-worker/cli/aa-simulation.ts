/**
 * A/A simulation of the uplift statistics (`src/experiments/stats.ts`): experiments whose two arms
 * are the same, read as the dashboard would read them, to count how often each way of reading
 * finds a difference that is not there. `npm run aa` runs it (`scripts/aa-simulation.ts`).
 */
import { compareMeans, DEFAULT_ALPHA, DEFAULT_MIN_SAMPLE, DEFAULT_SEQUENTIAL_TUNING, type Moments, verdict } from '../src/experiments/stats';
import { seededRandom } from '../src/model/random';

/** Options for {@link simulateAA}. */
export interface AAOptions {
  /** A/A experiments to run (default 1,000). */
  experiments: number;
  /** Visitors per experiment, each assigned to an arm with probability 1/2 (default 20,000). */
  visitors: number;
  /** Reads per experiment, after every visitors / looks arrivals, the last at the end (default 20). */
  looks: number;
  seed: number;
  /** Both arms' conversion rate (default 0.03). */
  conversionRate: number;
  alpha: number;
  sequentialTuning: number;
  /** Visitors per arm before the verdict reads anything (default the product's, 2,000). */
  minSample: number;
}

export const DEFAULT_AA_OPTIONS: AAOptions = {
  experiments: 1000,
  visitors: 20_000,
  looks: 20,
  seed: 1,
  conversionRate: 0.03,
  alpha: DEFAULT_ALPHA,
  sequentialTuning: DEFAULT_SEQUENTIAL_TUNING,
  minSample: DEFAULT_MIN_SAMPLE,
};

/** Shares of experiments (0–1) in which a way of reading found a difference. */
export interface FalsePositiveRates {
  /** The fixed-horizon interval, read once at the end: what it is made for. */
  fixedOnce: number;
  /** The fixed-horizon interval, read at every look, stopping at the first that excludes 0. */
  fixedPeeking: number;
  /** The confidence sequence, read once at the end. */
  sequentialOnce: number;
  /** The confidence sequence, read at every look from the first. */
  sequentialPeeking: number;
  /** The dashboard's verdict at every look: the confidence sequence once both arms have `minSample` visitors. */
  verdictPeeking: number;
}

/** What {@link simulateAA} found, per metric. */
export interface AAResult {
  options: AAOptions;
  conversion: FalsePositiveRates;
  revenue: FalsePositiveRates;
}

/**
 * Order values: lognormal with a median of 40 and σ = 1 (mean ≈ 66, a long tail of large orders).
 * Revenue per visitor is the order value for a converting visitor and 0 for the rest.
 */
const ORDER_MEDIAN = 40;
const ORDER_SIGMA = 1;

/**
 * Runs A/A experiments: visitors arrive one at a time, each assigned to an arm at random, converts
 * with the same probability in both and, if so, spends a lognormal order value. Each arm's
 * moments of conversion (0/1) and revenue per visitor accumulate as they arrive, and are read
 * at every look with the fixed-horizon interval and with the confidence sequence.
 *
 * @param options any of {@link DEFAULT_AA_OPTIONS} to override
 * @example
 * const { conversion } = simulateAA({ experiments: 200 });
 * conversion.fixedPeeking; // well above 0.05: peeking at a fixed interval inflates false positives
 */
export function simulateAA(options: Partial<AAOptions> = {}): AAResult {
  const settings = { ...DEFAULT_AA_OPTIONS, ...options };
  const { experiments, visitors, looks, conversionRate, alpha, sequentialTuning, minSample } = settings;
  const random = seededRandom(settings.seed);
  const counts = { conversion: zeroRates(), revenue: zeroRates() };
  const lookAt = new Set(Array.from({ length: looks }, (_, k) => Math.round(((k + 1) * visitors) / looks)));

  for (let e = 0; e < experiments; e++) {
    const arms = [0, 1].map(() => ({ conversion: emptyMoments(), revenue: emptyMoments() }));
    const found = { conversion: zeroRates(), revenue: zeroRates() };
    for (let v = 1; v <= visitors; v++) {
      const arm = arms[random() < 0.5 ? 0 : 1]!;
      const converted = random() < conversionRate;
      const revenue = converted ? ORDER_MEDIAN * Math.exp(ORDER_SIGMA * standardNormal(random)) : 0;
      add(arm.conversion, converted ? 1 : 0);
      add(arm.revenue, revenue);
      if (!lookAt.has(v)) continue;
      const last = v === visitors;
      for (const metric of ['conversion', 'revenue'] as const) {
        const [control, treatment] = [arms[0]![metric], arms[1]![metric]];
        const fixed = excludesZero(compareMeans(control, treatment, { alpha }).ci);
        const sequential = excludesZero(compareMeans(control, treatment, { alpha, sequentialTuning }).ci);
        const read = verdict(control, treatment, { minSample, sequentialTuning, alpha });
        const seen = found[metric];
        if (read === 'better' || read === 'worse') seen.verdictPeeking = 1;
        if (fixed) seen.fixedPeeking = 1;
        if (sequential) seen.sequentialPeeking = 1;
        if (last && fixed) seen.fixedOnce = 1;
        if (last && sequential) seen.sequentialOnce = 1;
      }
    }
    for (const metric of ['conversion', 'revenue'] as const) {
      for (const key of RATE_KEYS) counts[metric][key] += found[metric][key];
    }
  }
  const share = (rates: FalsePositiveRates): FalsePositiveRates =>
    Object.fromEntries(RATE_KEYS.map((key) => [key, rates[key] / experiments])) as unknown as FalsePositiveRates;
  return { options: settings, conversion: share(counts.conversion), revenue: share(counts.revenue) };
}

/**
 * The simulation's table: false-positive rates per way of reading and metric, against the nominal
 * rate and the binomial noise of this many experiments.
 *
 * @example
 * console.log(formatAA(simulateAA()));
 */
export function formatAA(result: AAResult): string {
  const { experiments, visitors, looks, seed, conversionRate, alpha, sequentialTuning, minSample } = result.options;
  const margin = 1.96 * Math.sqrt((alpha * (1 - alpha)) / experiments);
  const percent = (x: number): string => `${(100 * x).toFixed(1)} %`.padStart(10);
  const rows: Array<[string, keyof FalsePositiveRates]> = [
    ['fixed interval, read once at the end', 'fixedOnce'],
    [`fixed interval, peeked at ${looks} looks`, 'fixedPeeking'],
    ['sequential interval, read once at the end', 'sequentialOnce'],
    [`sequential interval, peeked at ${looks} looks`, 'sequentialPeeking'],
    [`verdict (sequential from ${minSample} per arm), ${looks} looks`, 'verdictPeeking'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `A/A simulation: ${experiments} experiments × ${visitors} visitors (50/50, conversion ${100 * conversionRate} %, lognormal orders), seed ${seed}`,
    `false positives at alpha ${alpha} (nominal ${100 * alpha} % ± ${(100 * margin).toFixed(1)} points of binomial noise); sequential tuning ${sequentialTuning}`,
    '',
    `${''.padEnd(width)}  conversion   revenue`,
    ...rows.map(([label, key]) => `${label.padEnd(width)}  ${percent(result.conversion[key])}${percent(result.revenue[key])}`),
  ].join('\n');
}

const RATE_KEYS = ['fixedOnce', 'fixedPeeking', 'sequentialOnce', 'sequentialPeeking', 'verdictPeeking'] as const;

function zeroRates(): FalsePositiveRates {
  return { fixedOnce: 0, fixedPeeking: 0, sequentialOnce: 0, sequentialPeeking: 0, verdictPeeking: 0 };
}

function emptyMoments(): Moments {
  return { n: 0, sum: 0, sumSquares: 0 };
}

function add(moments: Moments, value: number): void {
  moments.n++;
  moments.sum += value;
  moments.sumSquares += value * value;
}

function excludesZero([low, high]: [number, number]): boolean {
  return low > 0 || high < 0;
}

/** A standard normal draw (Box–Muller; the second draw of each pair is not kept). */
function standardNormal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
