/**
 * The project's one seeded random number generator: training's shuffles, the demo shop's
 * generated sessions and orders, the benchmark's catalog and the model tests' fixtures.
 */

/**
 * Deterministic pseudo-random numbers in [0, 1) (mulberry32): the same seed gives the same
 * sequence on every machine, so a training run, a demo data set or a fixture can be reproduced.
 * Training's shuffle depends on this sequence bit for bit; changing it changes every trained model.
 *
 * @param seed any integer; only its low 32 bits count
 * @example
 * const random = seededRandom(7);
 * const coin = random() < 0.5;
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
