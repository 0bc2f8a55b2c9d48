/** Team-draft interleaving: what the shopper sees, who gets each click's credit, and the preference test. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Interleaving, type Outcome, credit, outcome, preference, teamDraft } from '../../../edge-worker/src/experiments/interleave';
import { seededRandom } from '../../../edge-worker/src/model/random';

/** A ranking of distinct ids drawn from a small pool, so two rankings share items. */
const ranking = (maxLength = 12) => fc.uniqueArray(fc.integer({ min: 0, max: 15 }).map((n) => `i${n}`), { maxLength });
const seed = fc.integer();

/** Draws `times` interleavings of `a` and `b` and tallies who wins each, clicked by `clicks`. */
function tally(a: string[], b: string[], times: number, clicks: (shown: Interleaving) => Array<number | string>, seed = 1): Record<Outcome, number> {
  const random = seededRandom(seed);
  const counts = { a: 0, b: 0, tie: 0 };
  for (let t = 0; t < times; t++) {
    const shown = teamDraft(a, b, 6, random);
    counts[outcome(credit(shown, clicks(shown)))]++;
  }
  return counts;
}

describe('teamDraft', () => {
  it('shows only items of a or b, each once, one team per item, never more than size', () => {
    fc.assert(
      fc.property(ranking(), ranking(), fc.integer({ min: 0, max: 20 }), seed, (a, b, size, s) => {
        const { items, teams } = teamDraft(a, b, size, seededRandom(s));
        expect(new Set(items).size).toBe(items.length);
        expect(teams).toHaveLength(items.length);
        expect(items.length).toBe(Math.min(size, new Set([...a, ...b]).size));
        items.forEach((item, i) => expect((teams[i] === 'a' ? a : b).includes(item)).toBe(true));
      }),
    );
  });

  it('keeps the teams within one pick of each other at every position while both lists have items', () => {
    fc.assert(
      fc.property(ranking(), ranking(), seed, (a, b, s) => {
        const size = Math.min(a.length, b.length);
        const { teams } = teamDraft(a, b, size, seededRandom(s));
        let lead = 0;
        for (const team of teams) {
          lead += team === 'a' ? 1 : -1;
          expect(Math.abs(lead)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('shows the top item of each list among the first two', () => {
    fc.assert(
      fc.property(ranking().filter((a) => a.length > 0), ranking().filter((b) => b.length > 0), seed, (a, b, s) => {
        const { items } = teamDraft(a, b, 2, seededRandom(s));
        expect(items).toContain(a[0]);
        expect(items).toContain(b[0]);
      }),
    );
  });

  it('keeps each team picking in its own order: its items appear as a subsequence of its list', () => {
    fc.assert(
      fc.property(ranking(), ranking(), seed, (a, b, s) => {
        const { items, teams } = teamDraft(a, b, 20, seededRandom(s));
        for (const [team, list] of [['a', a], ['b', b]] as const) {
          const picked = items.filter((_, i) => teams[i] === team).map((item) => list.indexOf(item));
          expect(picked).toEqual([...picked].sort((x, y) => x - y));
        }
      }),
    );
  });

  it('lets the other team keep picking once one list is used up, and shows a shared item once', () => {
    const shown = teamDraft(['x', 'y'], ['y', 'x', 'p', 'q'], 10, seededRandom(3));
    expect([...shown.items].sort()).toEqual(['p', 'q', 'x', 'y']);
    expect(shown.teams.slice(2)).toEqual(['b', 'b']);
  });

  it('flips the coin for the first pick: each team leads about half the time', () => {
    const random = seededRandom(5);
    let aFirst = 0;
    for (let t = 0; t < 4000; t++) if (teamDraft(['a1', 'a2'], ['b1', 'b2'], 2, random).teams[0] === 'a') aFirst++;
    expect(aFirst / 4000).toBeGreaterThan(0.47);
    expect(aFirst / 4000).toBeLessThan(0.53);
  });

  it('takes no coin for an empty list or size 0, and refuses a size that is not a count', () => {
    expect(teamDraft([], [], 5, seededRandom(1))).toEqual({ items: [], teams: [] });
    expect(teamDraft(['x'], ['y'], 0, seededRandom(1))).toEqual({ items: [], teams: [] });
    expect(() => teamDraft(['x'], ['y'], -1, seededRandom(1))).toThrow(TypeError);
    expect(() => teamDraft(['x'], ['y'], 2.5, seededRandom(1))).toThrow(/size/);
  });
});

describe('credit and outcome', () => {
  const shown: Interleaving = { items: ['x', 'y', 'z'], teams: ['b', 'a', 'a'] };

  it('credits a click to the team that picked the item, by position or by id alike', () => {
    expect(credit(shown, [0, 2])).toEqual({ a: 1, b: 1 });
    expect(credit(shown, ['x', 'z'])).toEqual({ a: 1, b: 1 });
    expect(credit(shown, [1, 'z'])).toEqual({ a: 2, b: 0 });
  });

  it('counts an item clicked twice once, and a click on nothing shown for no one', () => {
    expect(credit(shown, [1, 'y', 1])).toEqual({ a: 1, b: 0 });
    expect(credit(shown, [3, -1, 0.5, 'w'])).toEqual({ a: 0, b: 0 });
  });

  it('names the team with more clicks, a tie when even or without clicks', () => {
    expect(outcome(credit(shown, ['y', 'z', 'x']))).toBe('a');
    expect(outcome(credit(shown, ['x']))).toBe('b');
    expect(outcome(credit(shown, ['x', 'y']))).toBe('tie');
    expect(outcome(credit(shown, []))).toBe('tie');
  });
});

describe('fairness and sensitivity', () => {
  const a = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 's1', 's2'];
  const b = ['q1', 's1', 'q2', 's2', 'q3', 'q4', 'q5', 'q6'];

  it('gives a shopper who clicks at random no preference, even one biased towards the top', () => {
    const random = seededRandom(11);
    const uniform = tally(a, b, 20_000, (shown) => (random() < 0.3 ? [Math.floor(random() * shown.items.length)] : []));
    expect(preference(uniform).pValue).toBeGreaterThan(0.05);
    const topHeavy = tally(a, b, 20_000, (shown) => shown.items.map((_, i) => i).filter((i) => random() < 0.4 / (i + 1)));
    expect(preference(topHeavy).pValue).toBeGreaterThan(0.05);
    expect(Math.abs(preference(topHeavy).preference - 0.5)).toBeLessThan(0.02);
  });

  it('prefers the ranker that puts what the shopper wants higher', () => {
    // The shopper wants s1 and s2: B ranks them 2nd and 4th, A 7th and 8th.
    const random = seededRandom(12);
    const counts = tally(a, b, 2000, (shown) => shown.items.filter((item, i) => item.startsWith('s') && random() < 0.5 / (i + 1)));
    const result = preference(counts);
    expect(result.preference).toBeLessThan(0.2);
    expect(result.pValue).toBeLessThan(1e-6);
  });
});

describe('preference', () => {
  it('is the share of decisive impressions A won, ties left out', () => {
    const result = preference({ a: 30, b: 10, tie: 960 });
    expect(result).toMatchObject({ wins: 30, losses: 10, ties: 960, preference: 0.75 });
  });

  it("gives Wilson's 95 % interval", () => {
    // Wilson for 30 of 40: 0.5981 to 0.8581 (Newcombe 1998's formula).
    const [low, high] = preference({ a: 30, b: 10, tie: 0 }).ci;
    expect(low).toBeCloseTo(0.5981, 4);
    expect(high).toBeCloseTo(0.8581, 4);
  });

  it('gives the exact two-sided sign test for small counts', () => {
    expect(preference({ a: 9, b: 1, tie: 5 }).pValue).toBeCloseTo(22 / 1024, 12);
    expect(preference({ a: 5, b: 5, tie: 0 }).pValue).toBe(1);
    expect(preference({ a: 0, b: 6, tie: 0 }).pValue).toBeCloseTo(2 / 64, 12);
  });

  it('approximates the sign test closely past 1,000 decisive impressions', () => {
    // Exact two-sided binomial p-values (R's binom.test): 580 of 1,100 gives 0.0752, 5,300 of 10,000 2.08e-9.
    expect(preference({ a: 550, b: 550, tie: 0 }).pValue).toBe(1);
    expect(preference({ a: 580, b: 520, tie: 0 }).pValue).toBeCloseTo(0.0752, 3);
    expect(preference({ a: 5300, b: 4700, tie: 0 }).pValue / 2.076e-9).toBeCloseTo(1, 1);
  });

  it('says nothing without a decisive impression', () => {
    expect(preference({ a: 0, b: 0, tie: 12 })).toEqual({ wins: 0, losses: 0, ties: 12, preference: 0.5, ci: [0, 1], pValue: 1 });
  });
});

// Compile-time checks only (`npx tsc -p tests` fails if an @ts-expect-error line stops being an error): never called.
export function misuse(shown: Interleaving) {
  // @ts-expect-error item ids are strings
  teamDraft([1], ['x'], 1, Math.random);
  // @ts-expect-error a click is a position or an item id
  credit(shown, [true]);
  // @ts-expect-error teams are 'a' and 'b'
  outcome({ a: 1, c: 0 });
  // @ts-expect-error the counts name every outcome
  preference({ a: 3, b: 1 });
}
