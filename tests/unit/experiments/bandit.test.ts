/** Thompson-sampling allocation: shares, floors, burn-in, picking, and a simulated run that finds the best variant. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ArmStats, allocate, pickArm, sampleBeta } from '../../../edge-worker/src/experiments/bandit';
import { seededRandom } from '../../../edge-worker/src/model/random';

const sum = (shares: Record<string, number>): number => Object.values(shares).reduce((s, x) => s + x, 0);
const arm = (id: string, trials: number, successes: number): ArmStats => ({ id, trials, successes });

describe('sampleBeta', () => {
  it.each([
    [3, 7],
    [0.5, 0.5],
    [40, 2],
  ])('draws Beta(%d, %d) with its mean and variance', (a, b) => {
    const random = seededRandom(a * 100 + b);
    const draws = Array.from({ length: 100_000 }, () => sampleBeta(a, b, random));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(draws.every((x) => x >= 0 && x <= 1)).toBe(true);
    expect(mean).toBeCloseTo(a / (a + b), 2);
    expect(variance / ((a * b) / ((a + b) ** 2 * (a + b + 1)))).toBeCloseTo(1, 1);
  });
});

describe('allocate', () => {
  const statsArb = fc
    .array(fc.tuple(fc.nat(5000), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 6 })
    .map((arms) => arms.map(([trials, rate], i) => arm(`v${i}`, trials, Math.round(trials * rate))));

  it('gives shares that sum to 1, the control its share, and every bandit arm at least minShare', () => {
    fc.assert(
      fc.property(statsArb, fc.double({ min: 0, max: 0.9, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (arms, controlShare, floorFraction, seed) => {
        const minShare = ((1 - controlShare) / arms.length) * floorFraction;
        const shares = allocate({ arms, control: { id: 'control', share: controlShare }, minShare, burnIn: 100, draws: 200 }, seededRandom(seed));
        expect(Object.keys(shares)).toEqual(['control', ...arms.map((a) => a.id)]);
        expect(shares.control).toBe(controlShare);
        expect(sum(shares)).toBeCloseTo(1, 12);
        for (const a of arms) expect(shares[a.id]).toBeGreaterThanOrEqual(minShare * (1 - 1e-12));
      }),
      { numRuns: 200 },
    );
  });

  it('shares equally until every bandit arm has burnIn trials', () => {
    const arms = [arm('a', 5000, 500), arm('b', 5000, 50), arm('c', 99, 0)];
    const shares = allocate({ arms, control: { id: 'control', share: 0.25 }, burnIn: 100 }, seededRandom(1));
    expect(shares).toEqual({ control: 0.25, a: 0.25, b: 0.25, c: 0.25 });
  });

  it('sends most traffic to a clearly better arm once the data says so', () => {
    const arms = [arm('a', 2000, 60), arm('b', 2000, 100), arm('c', 2000, 62)];
    const shares = allocate({ arms, control: { id: 'control', share: 0.2 }, minShare: 0.05, burnIn: 1000 }, seededRandom(2));
    expect(shares.b).toBeCloseTo(0.7, 6);
    expect(shares.a).toBeCloseTo(0.05, 12);
    expect(shares.c).toBeCloseTo(0.05, 12);
  });

  it("splits by each arm's probability of being best when it is not clear", () => {
    // Two identical arms: each is best half the time.
    const shares = allocate({ arms: [arm('a', 3000, 90), arm('b', 3000, 90)], minShare: 0, burnIn: 0, draws: 20_000 }, seededRandom(3));
    expect(shares.a).toBeCloseTo(0.5, 1);
    expect(shares.a! + shares.b!).toBeCloseTo(1, 12);
  });

  it('gives the floor to hopeless arms and the rest in proportion, without a control', () => {
    const arms = [arm('a', 5000, 400), arm('b', 5000, 390), arm('c', 5000, 100), arm('d', 5000, 100)];
    const shares = allocate({ arms, minShare: 0.1, burnIn: 0, draws: 5000 }, seededRandom(4));
    expect(shares.c).toBe(0.1);
    expect(shares.d).toBe(0.1);
    expect(shares.a! + shares.b!).toBeCloseTo(0.8, 12);
    expect(shares.a!).toBeGreaterThan(shares.b!);
  });

  it.each([
    [{ arms: [] }, /at least one/],
    [{ arms: [arm('a', 10, 1), arm('a', 10, 1)] }, /"a" is empty or repeated/],
    [{ arms: [arm('control', 10, 1)], control: { id: 'control', share: 0.5 } }, /"control" is empty or repeated/],
    [{ arms: [arm('a', 10, 1)], control: { id: '', share: 0.5 } }, /control arm needs an id/],
    [{ arms: [arm('a', 10, 11)] }, /arm a needs integer 0 ≤ successes ≤ trials/],
    [{ arms: [arm('a', 10, -1)] }, /successes ≤ trials/],
    [{ arms: [arm('a', 10, 1)], control: { id: 'c', share: 1 } }, /control share must be in \[0, 1\)/],
    [{ arms: [arm('a', 10, 1), arm('b', 10, 1), arm('d', 10, 1)], control: { id: 'c', share: 0.5 }, minShare: 0.2 }, /minShare 0.2 × 3 arms exceeds the bandit's share 0.5/],
    [{ arms: [arm('a', 10, 1)], burnIn: -1 }, /burnIn/],
    [{ arms: [arm('a', 10, 1)], draws: 0 }, /draws/],
  ])('refuses an impossible input with a TypeError naming it (%#)', (input, message) => {
    expect(() => allocate(input, seededRandom(1))).toThrow(TypeError);
    expect(() => allocate(input, seededRandom(1))).toThrow(message);
  });
});

describe('pickArm', () => {
  it('picks each arm as often as its share and reports that share as the probability', () => {
    const shares = { control: 0.2, a: 0.05, b: 0.6, c: 0.15 };
    const random = seededRandom(9);
    const counts: Record<string, number> = { control: 0, a: 0, b: 0, c: 0 };
    let misreported = 0;
    for (let t = 0; t < 100_000; t++) {
      const { arm: picked, probability } = pickArm(shares, random);
      if (probability !== shares[picked as keyof typeof shares]) misreported++;
      counts[picked]!++;
    }
    expect(misreported).toBe(0);
    for (const [id, share] of Object.entries(shares)) expect(counts[id]! / 100_000).toBeCloseTo(share, 2);
  });

  it('never picks an arm with no share, even at the edges of the random range', () => {
    const shares = { a: 0.5, off: 0, b: 0.5 };
    expect(pickArm(shares, () => 0).arm).toBe('a');
    expect(pickArm(shares, () => 0.5).arm).toBe('b');
    expect(pickArm(shares, () => 1 - 2 ** -53).arm).toBe('b');
    expect(pickArm({ a: 0.1, b: 0.2, c: 0.7 - 1e-15 }, () => 1 - 2 ** -53).arm).toBe('c');
  });

  it('refuses shares it cannot pick from', () => {
    expect(() => pickArm({}, Math.random)).toThrow(TypeError);
    expect(() => pickArm({ a: 0 }, Math.random)).toThrow(/positive share/);
    expect(() => pickArm({ a: 1, b: -0.1 }, Math.random)).toThrow(/arm b's share must be ≥ 0/);
  });
});

describe('a simulated run', () => {
  it('moves traffic to the best variant while the control keeps its share', () => {
    // Impressions are assigned by pickArm; the scheduled update re-allocates every 250 impressions.
    const ctr: Record<string, number> = { control: 0.1, a: 0.08, b: 0.1, c: 0.16 };
    const random = seededRandom(2024);
    const stats = ['a', 'b', 'c'].map((id) => arm(id, 0, 0));
    const input = { arms: stats, control: { id: 'control', share: 0.2 }, minShare: 0.05, burnIn: 100, draws: 1000 };
    const served: Record<string, number> = { control: 0, a: 0, b: 0, c: 0 };
    let shares = allocate(input, random);
    for (let impression = 1; impression <= 6000; impression++) {
      const { arm: picked } = pickArm(shares, random);
      served[picked]!++;
      const clicked = random() < ctr[picked]!;
      const record = stats.find((s) => s.id === picked);
      if (record) {
        record.trials++;
        if (clicked) record.successes++;
      }
      if (impression % 250 === 0) {
        shares = allocate(input, random);
        expect(shares.control).toBe(0.2);
      }
    }
    // The best arm ends with all the bandit's share but the other arms' floors, and got most impressions.
    expect(shares).toEqual({ control: 0.2, a: 0.05, b: 0.05, c: 0.7 });
    expect(served.c! / 6000).toBeGreaterThan(0.6);
    expect(Math.abs(served.control! / 6000 - 0.2)).toBeLessThan(0.02);
  });
});

// Compile-time checks only (`npx tsc -p tests` fails if an @ts-expect-error line stops being an error): never called.
export function misuse() {
  // @ts-expect-error arms need their trials and successes
  allocate({ arms: [{ id: 'a' }] }, Math.random);
  // @ts-expect-error randomness is passed in
  allocate({ arms: [] });
  // @ts-expect-error shares are numbers
  pickArm({ a: '0.5' }, Math.random);
}
