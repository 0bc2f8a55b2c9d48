/**
 * Team-draft interleaving (Radlinski, Kurup & Joachims 2008): one slot shows a mix of two rankers'
 * lists, each item credited to the ranker ("team") that picked it, so one shopper's clicks compare
 * both rankers on the same page. Pure: the coin is passed in.
 */
import { normalCdf, normalQuantile } from './stats';
import type { Interval } from '../contract/report';

/** The ranker an interleaved item came from. */
export type Team = 'a' | 'b';

/** Which ranker one interleaved impression preferred: the one whose items got more clicks, or neither. */
export type Outcome = Team | 'tie';

/** An interleaved list, best first: `items[i]` was picked by `teams[i]`. */
export interface Interleaving {
  items: string[];
  teams: Team[];
}

/** Clicks credited to each ranker on one impression. */
export interface Credit {
  a: number;
  b: number;
}

/** Ranker A's preference share over many impressions, as the report shows it. */
export interface Preference {
  /** Impressions A won, lost, and tied (no click, or as many clicks on each side). */
  wins: number;
  losses: number;
  ties: number;
  /** wins / (wins + losses); 0.5 without a decisive impression. */
  preference: number;
  /** Wilson score interval of `preference` at 95 %. */
  ci: Interval;
  /** Two-sided sign test of "no preference" (share 0.5). */
  pValue: number;
}

/**
 * Team-draft interleaving of two rankings. Each round the team with fewer picks (a coin flip when
 * even) picks its highest-ranked item not chosen yet, until `size` items or both lists are used
 * up. Once one list is used up the other team keeps picking, which favours it: give both lists at
 * least `size` items and the draft stays fair.
 *
 * @param a ranker A's list, best first; an item repeated in it or shared with `b` is shown once
 * @param b ranker B's list, best first
 * @param size the longest list to return (a non-negative integer)
 * @param random uniform numbers in [0, 1): the coin flips
 * @example
 * const shown = teamDraft(activeItems, candidateItems, 8, random);
 * render(shown.items); // and log shown.teams with the decision
 */
export function teamDraft(a: readonly string[], b: readonly string[], size: number, random: () => number): Interleaving {
  if (!Number.isInteger(size) || size < 0) throw new TypeError(`size must be a non-negative integer, not ${size}`);
  const items: string[] = [];
  const teams: Team[] = [];
  const chosen = new Set<string>();
  const picks = { a: 0, b: 0 };
  let i = 0;
  let j = 0;
  while (items.length < size) {
    while (i < a.length && chosen.has(a[i]!)) i++;
    while (j < b.length && chosen.has(b[j]!)) j++;
    const aLeft = i < a.length;
    if (!aLeft && j >= b.length) break;
    const team: Team = j >= b.length || (aLeft && (picks.a < picks.b || (picks.a === picks.b && random() < 0.5))) ? 'a' : 'b';
    const item = team === 'a' ? a[i]! : b[j]!;
    chosen.add(item);
    items.push(item);
    teams.push(team);
    picks[team]++;
  }
  return { items, teams };
}

/**
 * Clicks credited to each team on one interleaved impression. A click is the clicked item's
 * position (from 0) or its id; a position clicked twice counts once, and a click on nothing shown
 * counts for no one (tracking never throws).
 *
 * @example
 * credit(shown, ['sku-7']); // { a: 0, b: 1 } when B picked sku-7
 */
export function credit(shown: Interleaving, clicked: Iterable<number | string>): Credit {
  const counts: Credit = { a: 0, b: 0 };
  const seen = new Set<number>();
  for (const click of clicked) {
    const at = typeof click === 'number' ? click : shown.items.indexOf(click);
    const team = shown.teams[at];
    if (team !== undefined && !seen.has(at)) {
      seen.add(at);
      counts[team]++;
    }
  }
  return counts;
}

/**
 * The ranker one impression preferred: the team with more credited clicks, `tie` when even
 * (including no click at all).
 *
 * @example
 * outcome(credit(shown, clickedPositions)); // 'a' | 'b' | 'tie'
 */
export function outcome({ a, b }: Credit): Outcome {
  return a > b ? 'a' : b > a ? 'b' : 'tie';
}

/** z of a two-sided 95 % interval. */
const Z95 = normalQuantile(0.975);

/** Up to this many decisive impressions the sign test is exact; beyond, the normal approximation (continuity-corrected) is within 1e-4 of it. */
const EXACT_UP_TO = 1000;

/**
 * A's preference share over many interleaved impressions, with its 95 % interval and p-value.
 * Ties carry no preference and are left out (a sign test): the share is wins / (wins + losses),
 * its interval Wilson's, and the p-value the two-sided binomial test of share 0.5, exact up to
 * 1,000 decisive impressions and the normal approximation with continuity correction beyond.
 * Impressions must be independent: with several per shopper, the p-value is too small.
 *
 * @param counts impressions A won (`a`), lost (`b`) and tied (`tie`)
 * @example
 * const counts = { a: 0, b: 0, tie: 0 };
 * for (const o of outcomes) counts[o]++;
 * preference(counts); // { wins, losses, ties, preference, ci, pValue }
 */
export function preference(counts: Readonly<Record<Outcome, number>>): Preference {
  const { a: wins, b: losses, tie: ties } = counts;
  const n = wins + losses;
  if (n === 0) return { wins, losses, ties, preference: 0.5, ci: [0, 1], pValue: 1 };
  const share = wins / n;
  const z2 = Z95 * Z95;
  const center = (share + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((share * (1 - share)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  let pValue: number;
  if (n <= EXACT_UP_TO) {
    // P(X ≤ min(wins, losses)) for X ~ Binomial(n, ½), doubled.
    let term = 0.5 ** n;
    let tail = term;
    for (let k = 1; k <= Math.min(wins, losses); k++) tail += term *= (n - k + 1) / k;
    pValue = Math.min(1, 2 * tail);
  } else {
    pValue = Math.min(1, 2 * normalCdf(-Math.max(0, Math.abs(wins - losses) - 1) / Math.sqrt(n)));
  }
  return { wins, losses, ties, preference: share, ci: [Math.max(0, center - half), Math.min(1, center + half)], pValue };
}
