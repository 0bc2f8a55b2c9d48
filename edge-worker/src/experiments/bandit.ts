/**
 * Thompson-sampling allocation of a slot's traffic among content variants, rewarded by a click per
 * viewable impression: each arm's share is its posterior probability of being best, floored, next
 * to a control arm that keeps a fixed share outside the bandit. Pure: randomness is passed in.
 */

/** One bandit arm's record: viewable impressions (trials) and the clicks they got (successes). */
export interface ArmStats {
  id: string;
  trials: number;
  successes: number;
}

/** What {@link allocate} allocates. */
export interface AllocationInput {
  /** The bandit's arms, at least one. */
  arms: readonly ArmStats[];
  /** An arm outside the bandit with a fixed share of traffic in [0, 1), so the bandit can be measured against it. */
  control?: { id: string; share: number };
  /** The least share of all traffic each bandit arm keeps, so none starves (default 0.01). */
  minShare?: number;
  /** Trials every bandit arm needs before the shares adapt; until then they are equal (default 1,000). */
  burnIn?: number;
  /** Monte Carlo draws from the posteriors (default 2,000: a share's standard error at most 0.011). */
  draws?: number;
}

/** A draw from the standard normal distribution (Box–Muller). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A draw from Gamma(shape, 1), Marsaglia & Tsang (2000); shapes below 1 boosted by U^(1/shape). */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normal(random);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < x * x / 2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A draw from Beta(a, b), as the ratio of two gamma draws.
 *
 * @param a first shape parameter, > 0
 * @param b second shape parameter, > 0
 * @example
 * const ctr = sampleBeta(clicks + 1, impressions - clicks + 1, random); // a posterior draw
 */
export function sampleBeta(a: number, b: number, random: () => number): number {
  const x = gamma(a, random);
  return x / (x + gamma(b, random));
}

function check(ok: boolean, problem: string): void {
  if (!ok) throw new TypeError(problem);
}

/**
 * Each arm's share of traffic: the control's fixed share, and for each bandit arm its probability of
 * having the highest click rate, estimated from `draws` joint draws of the Beta(successes + 1,
 * failures + 1) posteriors, floored at `minShare` and scaled so the bandit's shares sum to exactly
 * 1 − the control's share. Until every bandit arm has `burnIn` trials they share equally.
 *
 * @throws TypeError naming the problem for an impossible input (no arm, a repeated id, successes
 *   above trials, a control share outside [0, 1), floors that add up to more than the bandit's share…)
 * @example
 * const shares = allocate({ arms, control: { id: 'default', share: 0.2 }, minShare: 0.05 }, random);
 * // { default: 0.2, 'banner-a': 0.05, 'banner-b': 0.61, 'banner-c': 0.14 }
 */
export function allocate(input: AllocationInput, random: () => number): Record<string, number> {
  const { arms, control, minShare = 0.01, burnIn = 1000, draws = 2000 } = input;
  const controlShare = control?.share ?? 0;
  const budget = 1 - controlShare;
  const ids = new Set(control ? [control.id] : []);
  check(arms.length > 0, 'allocate needs at least one bandit arm');
  check(control?.id !== '', 'the control arm needs an id');
  for (const { id, trials, successes } of arms) {
    check(id !== '' && !ids.has(id), `arm id ${JSON.stringify(id)} is empty or repeated`);
    ids.add(id);
    check(Number.isInteger(trials) && Number.isInteger(successes) && successes >= 0 && successes <= trials, `arm ${id} needs integer 0 ≤ successes ≤ trials, not ${successes} of ${trials}`);
  }
  check(controlShare >= 0 && controlShare < 1, `control share must be in [0, 1), not ${controlShare}`);
  check(minShare >= 0 && minShare * arms.length <= budget + 1e-12, `minShare ${minShare} × ${arms.length} arms exceeds the bandit's share ${budget}`);
  check(burnIn >= 0, `burnIn must be ≥ 0, not ${burnIn}`);
  check(Number.isInteger(draws) && draws > 0, `draws must be a positive integer, not ${draws}`);

  let best = arms.map(() => 1 / arms.length);
  if (arms.every((arm) => arm.trials >= burnIn)) {
    const wins = arms.map(() => 0);
    for (let d = 0; d < draws; d++) {
      let top = 0;
      let topDraw = -1;
      arms.forEach(({ trials, successes }, i) => {
        const draw = sampleBeta(successes + 1, trials - successes + 1, random);
        if (draw > topDraw) [top, topDraw] = [i, draw];
      });
      wins[top]!++;
    }
    best = wins.map((w) => w / draws);
  }

  // Floor the arms whose share falls below minShare and share the rest in proportion, until no
  // more fall below (each round floors at least one arm, so at most one round per arm).
  const floored = arms.map(() => false);
  const shares = arms.map(() => 0);
  for (let changed = true; changed; ) {
    changed = false;
    let mass = 0;
    let left = budget;
    best.forEach((p, i) => (floored[i] ? (left -= minShare) : (mass += p)));
    best.forEach((p, i) => {
      if (floored[i]) return;
      const share = mass > 0 ? (left * p) / mass : 0;
      if (share < minShare) changed = floored[i] = true;
      shares[i] = Math.max(share, minShare);
    });
  }
  const out: Record<string, number> = control ? { [control.id]: controlShare } : {};
  arms.forEach(({ id }, i) => (out[id] = shares[i]!));
  return out;
}

/**
 * Picks one arm with probability its share, and says what that probability was: log it with the
 * assignment, so outcomes can be weighted by it later (shares change with every update).
 *
 * @throws TypeError when a share is negative or none is positive
 * @example
 * const { arm, probability } = pickArm(shares, random);
 */
export function pickArm(shares: Readonly<Record<string, number>>, random: () => number): { arm: string; probability: number } {
  const entries = Object.entries(shares).filter(([arm, share]) => {
    check(share >= 0, `arm ${arm}'s share must be ≥ 0, not ${share}`);
    return share > 0;
  });
  const total = entries.reduce((sum, [, share]) => sum + share, 0);
  check(total > 0, 'pickArm needs an arm with a positive share');
  let u = random() * total;
  // Rounding can leave u just past the last arm: the last arm takes it.
  const [arm, share] = entries.find(([, s]) => (u -= s) < 0) ?? entries[entries.length - 1]!;
  return { arm, probability: share / total };
}
