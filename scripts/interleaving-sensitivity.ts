/**
 * `npm run interleaving -- [--seed S] [--shoppers N] [--experiments E] [--json]`: how much traffic
 * an A/B test on click-through and team-draft interleaving each need to detect the same small
 * ranking improvement, on simulated shoppers with a position-biased click model. The method and
 * the measured figures are in docs/INTERLEAVING.md. With `--json` the figures are one JSON object
 * on the last line of stdout.
 */
import { parseCliArgs, usageError } from '../edge-worker/cli/args';
import { sampleBeta } from '../edge-worker/src/experiments/bandit';
import { normalCdf } from '../edge-worker/src/experiments/stats';
import { type Outcome, credit, outcome, preference, teamDraft } from '../edge-worker/src/experiments/interleave';
import { seededRandom } from '../edge-worker/src/model/random';

const USAGE = 'usage: npm run interleaving -- [--seed 1] [--shoppers 1000000] [--experiments 2000] [--json]';

const args = parseCliArgs(
  {
    seed: { type: 'string', default: '1' },
    shoppers: { type: 'string', default: '1000000' },
    experiments: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
  USAGE,
);

function count(name: string, value: string, min: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= min ? parsed : usageError(`--${name} must be an integer ≥ ${min}, not ${value}`, USAGE);
}

// ── The world ─────────────────────────────────────────────────────────────────────────────────────
// One impression: a slot of SLOT items from POOL candidates. Each candidate fits the shopper's
// context by q ~ N(0, 1); the shopper's own taste adds N(0, 1), so their utility is q + taste.
// A share INTENT of shoppers mean to click; they look at position r (from 0) with probability
// 1 / (r + 1), and click the looked-at item they like best if its utility passes `threshold`
// (or, in the "every" variant, every looked-at item that passes). Both rankers score q + N(0, σ²):
// the control with σ = 1, the candidate with a slightly smaller σ, so it ranks good fits a bit higher.

const POOL = 20;
const SLOT = 8;
const INTENT = 0.1;
const CONTROL_NOISE = 1;
const LOOK = Array.from({ length: SLOT }, (_, r) => 1 / (r + 1));
const IDS = Array.from({ length: POOL }, (_, i) => `item-${i}`);
const INDEX = new Map(IDS.map((id, i) => [id, i]));

/** One world: how picky shoppers are, and the candidate's noise, set so its A/B lift is about 1.5 %. */
interface Scenario {
  name: string;
  threshold: number;
  candidateNoise: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'picky', threshold: 2, candidateNoise: 0.955 },
  { name: 'typical', threshold: 1, candidateNoise: 0.91 },
  { name: 'easily pleased', threshold: 0, candidateNoise: 0.7 },
];

/** P(Z > x) for Z ~ N(0, 1). */
const normalTail = (x: number) => normalCdf(-x);

/** P(Z > x) and φ(x) tabulated every 1/256 on [−10, 10] and interpolated: the inner loops call them ~10⁹ times. */
const STEPS_PER_UNIT = 256;
const TAIL = Float64Array.from({ length: 20 * STEPS_PER_UNIT + 2 }, (_, k) => normalTail(k / STEPS_PER_UNIT - 10));
const DENSITY = Float64Array.from({ length: 20 * STEPS_PER_UNIT + 2 }, (_, k) => 0.3989422804014327 * Math.exp(-((k / STEPS_PER_UNIT - 10) ** 2) / 2));
function lookup(table: Float64Array, x: number, below: number): number {
  const at = (x + 10) * STEPS_PER_UNIT;
  if (at <= 0) return below;
  if (at >= 20 * STEPS_PER_UNIT) return 0;
  const k = Math.floor(at);
  return table[k]! + (at - k) * (table[k + 1]! - table[k]!);
}
const upperTail = (x: number): number => lookup(TAIL, x, 1);
const density = (x: number): number => lookup(DENSITY, x, 0);

/** Standard normal draws (Box–Muller, both halves used). */
function normals(random: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

/** Intervals of Simpson's rule over a favourite's utility (even). */
const NODES = 32;

/**
 * Given the items shown (their fit) and who picked them, the chance that a shopper who means to
 * click makes team `a` win, and team `b`, when they click only their favourite: position r is
 * clicked when it is looked at, its utility u passes the threshold, and no other looked-at item
 * beats u, so P(r) = look(r) ∫ φ(u − fit(r)) ∏ over s ≠ r of (1 − look(s) P(fit(s) + taste > u)) du
 * over u > threshold (Simpson's rule).
 */
function favouriteWins(fits: Float64Array, teams: readonly string[], threshold: number): [number, number] {
  let highest = threshold;
  for (const f of fits) highest = Math.max(highest, f);
  const step = (highest + 6 - threshold) / NODES;
  const others = new Float64Array(SLOT);
  const missed = new Float64Array(SLOT);
  let a = 0;
  let b = 0;
  for (let k = 0; k <= NODES; k++) {
    const u = threshold + k * step;
    const weight = ((k === 0 || k === NODES ? 1 : k % 2 === 1 ? 4 : 2) * step) / 3;
    for (let r = 0; r < SLOT; r++) missed[r] = 1 - LOOK[r]! * upperTail(u - fits[r]!);
    // ∏ over s ≠ r, from prefix and suffix products (a factor can be 0).
    let prefix = 1;
    for (let r = 0; r < SLOT; r++) {
      others[r] = prefix;
      prefix *= missed[r]!;
    }
    let suffix = 1;
    for (let r = SLOT - 1; r >= 0; r--) {
      const p = weight * LOOK[r]! * density(u - fits[r]!) * others[r]! * suffix;
      if (teams[r] === 'a') a += p;
      else b += p;
      suffix *= missed[r]!;
    }
  }
  return [a, b];
}

/**
 * The same when a shopper clicks every looked-at item that passes the threshold: clicks are then
 * independent per position, and the distribution of (a's clicks − b's clicks) is convolved
 * position by position.
 */
function everyWins(fits: Float64Array, teams: readonly string[], threshold: number): [number, number] {
  let lead = new Float64Array(2 * SLOT + 1);
  lead[SLOT] = 1;
  for (let r = 0; r < SLOT; r++) {
    const p = LOOK[r]! * upperTail(threshold - fits[r]!);
    const shift = teams[r] === 'a' ? 1 : -1;
    const next = new Float64Array(2 * SLOT + 1);
    lead.forEach((q, d) => {
      if (q === 0) return;
      next[d]! += q * (1 - p);
      next[d + shift]! += q * p;
    });
    lead = next;
  }
  let a = 0;
  let b = 0;
  lead.forEach((q, d) => (d > SLOT ? (a += q) : d < SLOT ? (b += q) : 0));
  return [a, b];
}

type Clicks = 'best' | 'every';

/** Per-impression truth of one world, measured on `shoppers` shoppers who mean to click. */
interface Truth {
  /** Click-through per impression (any click), control and candidate. */
  ctr: { control: number; candidate: number };
  /** Candidate CTR / control CTR − 1, and its Monte Carlo standard error. */
  lift: number;
  liftSe: number;
  /**
   * Interleaving when shoppers click their favourite (`best`) or every appealing item (`every`):
   * the share of impressions the candidate wins (`a`), loses (`b`) and ties; the Monte Carlo
   * standard error of wins − losses relative to it; and the candidate's preference share counted
   * from sampled clicks through `credit` and `outcome` instead, as a check.
   */
  interleaving: Record<Clicks, { shares: Record<Outcome, number>; relativeSe: number; sampledPreference: number }>;
  /** The largest difference between Simpson's rule's click-through of an interleaved list and the exact one. */
  quadratureError: number;
}

/**
 * Simulates shoppers who mean to click, then scales to all shoppers (the others never click: a
 * tie in interleaving, no click in A/B). Given each shopper's candidates and the lists shown,
 * the chances of a click and of each team winning are computed exactly rather than by sampling
 * clicks (Rao–Blackwell: the same means, far smaller Monte Carlo error), and both rankers are
 * measured on the same shoppers. The real team draft picks the interleaved list; clicks are also
 * sampled and credited with `credit` and `outcome`, to check the computed preference.
 */
function measure(scenario: Scenario, shoppers: number, random: () => number): Truth {
  const { threshold } = scenario;
  const normal = normals(random);
  const fit = new Float64Array(POOL);
  const scores = new Float64Array(POOL);
  const shownFit = new Float64Array(SLOT);
  const utility = new Float64Array(SLOT);
  /** The SLOT best-scored candidates, best first, for a ranker with this noise. */
  const top = (noise: number): string[] => {
    for (let i = 0; i < POOL; i++) scores[i] = fit[i]! + noise * normal();
    const list: string[] = [];
    for (let r = 0; r < SLOT; r++) {
      let best = 0;
      for (let i = 1; i < POOL; i++) if (scores[i]! > scores[best]!) best = i;
      scores[best] = -Infinity;
      list.push(IDS[best]!);
    }
    return list;
  };
  const clickThrough = (list: readonly string[]): number => {
    let none = 1;
    list.forEach((id, r) => (none *= 1 - LOOK[r]! * upperTail(threshold - fit[INDEX.get(id)!]!)));
    return 1 - none;
  };
  let control = 0;
  let candidate = 0;
  let diffSquares = 0;
  let quadratureError = 0;
  const sums = { best: { a: 0, b: 0, squares: 0 }, every: { a: 0, b: 0, squares: 0 } };
  const sampled = { best: { a: 0, b: 0, tie: 0 }, every: { a: 0, b: 0, tie: 0 } };
  const add = (clicks: Clicks, [a, b]: [number, number]) => {
    sums[clicks].a += a;
    sums[clicks].b += b;
    sums[clicks].squares += (a - b) ** 2;
  };
  for (let s = 0; s < shoppers; s++) {
    for (let i = 0; i < POOL; i++) fit[i] = normal();
    const controlList = top(CONTROL_NOISE);
    const candidateList = top(scenario.candidateNoise);
    const [pControl, pCandidate] = [clickThrough(controlList), clickThrough(candidateList)];
    control += pControl;
    candidate += pCandidate;
    diffSquares += (pCandidate - pControl) ** 2;

    // The candidate is team `a`, so `preference` is the candidate's share.
    const shown = teamDraft(candidateList, controlList, SLOT, random);
    shown.items.forEach((id, r) => (shownFit[r] = fit[INDEX.get(id)!]!));
    const best = favouriteWins(shownFit, shown.teams, threshold);
    add('best', best);
    add('every', everyWins(shownFit, shown.teams, threshold));
    quadratureError = Math.max(quadratureError, Math.abs(best[0] + best[1] - clickThrough(shown.items)));

    let favourite = -1;
    const appealing: number[] = [];
    for (let r = 0; r < SLOT; r++) {
      utility[r] = random() < LOOK[r]! ? shownFit[r]! + normal() : -Infinity;
      if (utility[r]! <= threshold) continue;
      appealing.push(r);
      if (favourite < 0 || utility[r]! > utility[favourite]!) favourite = r;
    }
    sampled.best[outcome(credit(shown, favourite < 0 ? [] : [favourite]))]++;
    sampled.every[outcome(credit(shown, appealing))]++;
  }
  const meanDiff = (candidate - control) / shoppers;
  const diffSe = Math.sqrt((diffSquares / shoppers - meanDiff ** 2) / shoppers);
  const summary = (clicks: Clicks) => {
    const [a, b] = [sums[clicks].a / shoppers, sums[clicks].b / shoppers];
    const se = Math.sqrt((sums[clicks].squares / shoppers - (a - b) ** 2) / shoppers);
    const { a: wins, b: losses } = sampled[clicks];
    return { shares: { a: INTENT * a, b: INTENT * b, tie: 1 - INTENT * (a + b) }, relativeSe: se / Math.abs(a - b), sampledPreference: wins / (wins + losses) };
  };
  return {
    ctr: { control: (INTENT * control) / shoppers, candidate: (INTENT * candidate) / shoppers },
    lift: candidate / control - 1,
    liftSe: diffSe / (control / shoppers),
    interleaving: { best: summary('best'), every: summary('every') },
    quadratureError,
  };
}

// ── The experiments ───────────────────────────────────────────────────────────────────────────────
// Impressions are independent, so an experiment's sufficient statistics can be drawn directly:
// clicked impressions per A/B arm are Binomial(n, CTR), interleaving outcomes Multinomial(n, shares).

/** An exact Binomial(n, p) draw in O(log n) Beta draws (the median order statistic splits the trials; Knuth 3.4.1). */
function binomial(n: number, p: number, random: () => number): number {
  let k = 0;
  while (n > 32) {
    const i = 1 + (n >> 1);
    const x = sampleBeta(i, n + 1 - i, random);
    if (p < x) {
      n = i - 1;
      p /= x;
    } else {
      k += i;
      n -= i;
      p = (p - x) / (1 - x);
    }
  }
  for (; n > 0; n--) if (random() < p) k++;
  return k;
}

const Z_CRITICAL = 1.959963984540054;
const ALPHA = 0.05;
const TARGET_POWER = 0.8;

/** A/B, traffic split 50/50: does the pooled two-proportion z-test find the candidate better at α = 0.05 (two-sided)? */
function abDetects(truth: Truth, traffic: number, random: () => number): boolean {
  const n = traffic >> 1;
  const control = binomial(n, truth.ctr.control, random);
  const candidate = binomial(traffic - n, truth.ctr.candidate, random);
  const pooled = (control + candidate) / traffic;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / (traffic - n)));
  return se > 0 && (candidate / (traffic - n) - control / n) / se > Z_CRITICAL;
}

/** Interleaving: does the preference test find the candidate preferred at α = 0.05 (two-sided)? */
function interleavingDetects(shares: Record<Outcome, number>, traffic: number, random: () => number): boolean {
  const a = binomial(traffic, shares.a, random);
  const b = binomial(traffic - a, shares.b / (1 - shares.a), random);
  const result = preference({ a, b, tie: traffic - a - b });
  return result.pValue < ALPHA && a > b;
}

/** Traffic sizes: 1,000 impressions to 64 million, four steps per doubling. */
const GRID = Array.from({ length: 65 }, (_, k) => Math.round(1000 * 2 ** (k / 4)));

/** Power at each traffic size: the share of `experiments` simulated experiments that detect the difference. */
function powerCurve(detects: (traffic: number) => boolean, experiments: number): Array<{ traffic: number; power: number }> {
  const curve: Array<{ traffic: number; power: number }> = [];
  for (const traffic of GRID) {
    let hits = 0;
    for (let e = 0; e < experiments; e++) if (detects(traffic)) hits++;
    curve.push({ traffic, power: hits / experiments });
    // Two sizes in a row at ≥ 99 %: larger ones add nothing to the table.
    if (curve.length > 1 && curve.slice(-2).every((point) => point.power >= 0.99)) break;
  }
  return curve;
}

/** Traffic where the power curve first reaches 80 %, interpolated in log traffic; null if it never does. */
function trafficFor(curve: Array<{ traffic: number; power: number }>): number | null {
  const at = curve.findIndex((point) => point.power >= TARGET_POWER);
  if (at < 0) return null;
  if (at === 0) return curve[0]!.traffic;
  const [low, high] = [curve[at - 1]!, curve[at]!];
  const t = (TARGET_POWER - low.power) / (high.power - low.power);
  return Math.round(Math.exp(Math.log(low.traffic) + t * (Math.log(high.traffic) - Math.log(low.traffic))));
}

/** The textbook normal-approximation sample sizes, a check on the simulated power. */
const Z_POWER = 0.8416212335729143;
function abFormula({ ctr: { control, candidate } }: Truth): number {
  return Math.round((2 * (Z_CRITICAL + Z_POWER) ** 2 * (control * (1 - control) + candidate * (1 - candidate))) / (candidate - control) ** 2);
}
function interleavingFormula(shares: Record<Outcome, number>): number {
  const decisive = shares.a + shares.b;
  const q = shares.a / decisive;
  return Math.round((Z_CRITICAL * 0.5 + Z_POWER * Math.sqrt(q * (1 - q))) ** 2 / (q - 0.5) ** 2 / decisive);
}

// ── Run ───────────────────────────────────────────────────────────────────────────────────────────

const seed = count('seed', args.seed, 0);
const shoppers = count('shoppers', args.shoppers, 1000);
const experiments = count('experiments', args.experiments, 200);
const say = (line: string) => process.stderr.write(`interleaving: ${line}\n`);
const started = performance.now();

const results = SCENARIOS.map((scenario, k) => {
  const random = seededRandom(seed * 1000 + k);
  say(`${scenario.name}: ${shoppers.toLocaleString('en')} shoppers who mean to click`);
  const truth = measure(scenario, shoppers, random);
  const ab = powerCurve((traffic) => abDetects(truth, traffic, random), experiments);
  const variants = (['best', 'every'] as const).map((clicks) => {
    const { shares, relativeSe } = truth.interleaving[clicks];
    const curve = powerCurve((traffic) => interleavingDetects(shares, traffic, random), experiments);
    // Traffic goes as 1 / signal², so its relative error is twice the signal's.
    return { clicks, preference: shares.a / (shares.a + shares.b), curve, traffic80: trafficFor(curve), trafficRelativeSe: 2 * relativeSe, formula80: interleavingFormula(shares) };
  });
  return { scenario, truth, ab: { curve: ab, traffic80: trafficFor(ab), trafficRelativeSe: (2 * truth.liftSe) / truth.lift, formula80: abFormula(truth) }, interleaving: variants };
});

const pct = (x: number, digits = 2) => `${(100 * x).toFixed(digits)} %`;
const big = (x: number | null) => (x === null ? '> 64M' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : `${x}`);
const row = (cells: string[], widths: number[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');

const W = [32, 7, 16, 7, 14, 14, 6];
const withSe = (traffic: number | null, relativeSe: number) => `${big(traffic)} ± ${Math.round(100 * relativeSe)} %`;
console.log(`Traffic (impressions) for ${TARGET_POWER * 100} % power at α = ${ALPHA}, ${experiments} simulated experiments per size, seed ${seed}`);
console.log(row(['world / clicks', 'CTR', 'A/B lift', 'pref.', 'A/B', 'interleaving', 'ratio'], W));
for (const { scenario, truth, ab, interleaving } of results) {
  for (const v of interleaving) {
    const ratio = ab.traffic80 && v.traffic80 ? `${(ab.traffic80 / v.traffic80).toFixed(0)}×` : '–';
    const lift = `+${pct(truth.lift)} ± ${(100 * truth.liftSe).toFixed(2)}`;
    console.log(row([`${scenario.name} / ${v.clicks === 'best' ? 'favourite' : 'every appealing'}`, pct(truth.ctr.control), lift, pct(v.preference, 1), withSe(ab.traffic80, ab.trafficRelativeSe), withSe(v.traffic80, v.trafficRelativeSe), ratio], W));
  }
}
// Near 80 % power, power = Φ(k√N − z) with k√N − z = 0.84 climbs φ(0.84) · (0.84 + z) / 2 ≈ 0.39 per unit
// of ln N, so a power off by its standard error √(0.16 / experiments) moves N by that / 0.39.
console.log(`± is one standard error from simulating the truth with ${shoppers.toLocaleString('en')} shoppers; the power's own error (${experiments} experiments) adds about ${(100 * Math.sqrt(0.16 / experiments) / 0.39).toFixed(0)} % to each traffic figure.`);
console.log('\nNormal-approximation check (same truth):');
for (const { scenario, ab, interleaving } of results) {
  console.log(`  ${scenario.name}: A/B ${big(ab.formula80)}, interleaving ${interleaving.map((v) => `${v.clicks} ${big(v.formula80)}`).join(', ')}`);
}
const main = results.find((r) => r.scenario.name === 'typical')!;
console.log(`\nPower by traffic, "typical" world (shoppers click their favourite):`);
const curveAt = (curve: Array<{ traffic: number; power: number }>, traffic: number) => {
  const point = curve.find((p) => p.traffic === traffic);
  return point ? pct(point.power, 1) : '≥ 99 %';
};
console.log(row(['impressions', 'A/B', 'interleaving'], [12, 8, 13]));
for (const traffic of GRID.filter((_, k) => k % 4 === 0 && k <= 4 * 14)) console.log(row([big(traffic), curveAt(main.ab.curve, traffic), curveAt(main.interleaving[0]!.curve, traffic)], [12, 8, 13]));
say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (args.json) console.log(JSON.stringify({ seed, shoppers, experiments, alpha: ALPHA, power: TARGET_POWER, results }));
