/**
 * The measurement report, `GET /v1/admin/report`: everything the uplift
 * dashboard draws, computed by the Worker from its counters (no numbers are
 * computed in the page but what it takes to place them on a chart). Types
 * only: the dashboard page imports them, the report route builds them.
 */
import type { Moments, Verdict } from '../experiments/stats';

/** A day, `YYYY-MM-DD` (UTC). */
export type Day = string;

/** An interval: lower and upper bound. */
export type Interval = [number, number];

/** Sample moments of one metric in one arm, as `stats.ts` takes them. */
export type MomentsReport = Moments;

/** One arm against the experiment's control arm, on one metric. */
export interface Comparison {
  arm: string;
  /** Relative lift, treatment mean / control mean − 1 (0.05 is +5 %). */
  lift: number;
  /** Fixed-horizon delta-method interval at 95 %, valid only when read once at the planned sample. */
  ci: Interval;
  pValue: number;
  /** Asymptotic confidence sequence at 95 %: valid however often it is read. Verdicts use this one. */
  sequentialCi: Interval;
  /**
   * `insufficient`: fewer than the minimum sample in an arm, no verdict yet;
   * `better` / `worse`: the sequential interval excludes zero; `inconclusive`: it does not.
   */
  verdict: Verdict;
}

/** A metric of an experiment: each arm's moments and mean, and every non-control arm against control. */
export interface MetricReport {
  /** `conversion` (share of visitors who bought), `revenue` (revenue per visitor), `ctr` (clicks per viewable impression). */
  metric: 'conversion' | 'revenue' | 'ctr';
  arms: Array<{ arm: string; moments: MomentsReport; mean: number }>;
  comparisons: Comparison[];
  /** The same comparisons on the cumulative data at the end of each day since the start: uplift over time. */
  overTime: Array<{ day: Day; comparisons: Comparison[] }>;
}

/** One experiment (the holdout is one too, with arms `holdout` and `personalized`). */
export interface ExperimentReport {
  id: string;
  kind: 'holdout' | 'ab' | 'bandit' | 'interleave';
  /** The slot it runs in; absent for the holdout, which spans every slot. */
  slot?: string;
  /** ISO time it started. */
  start: string;
  /**
   * Arms in order, control first, with their configured weight (a share,
   * summing to 1 over arms) and their units: visitors for the holdout and A/B
   * tests, viewable impressions for bandits and interleaving (drawn per decision).
   */
  arms: Array<{ id: string; weight: number; visitors: number }>;
  /** Sample ratio mismatch: chi-square p-value of visitors per arm against the weights; flagged below 0.001. */
  srm: { pValue: number; flagged: boolean };
  /** Smallest sample per arm before any verdict. */
  minSample: number;
  metrics: MetricReport[];
  /** Bandits: each arm's share of traffic over time, as the scheduled update set it. */
  allocation?: Array<{ at: string; shares: Record<string, number> }>;
  /**
   * Interleaving: interleaved lists seen (viewable impressions, or clicked)
   * where the candidate's items got more clicks, fewer, or as many (no click
   * at all is a tie), with the candidate's preference
   * share wins / (wins + losses) and its 95 % interval.
   */
  interleaving?: { candidate: string; active: string; wins: number; losses: number; ties: number; preference: number; ci: Interval; pValue: number };
}

/**
 * Click-through of one slot and arm, per day, and what its clicks led to:
 * add-to-carts and orders (with their revenue) that carried the slot's
 * decision, within the attribution window (the SDK attaches the decision to
 * the cart changes and order that follow a click on a slot's item).
 */
export interface CtrSeries {
  slot: string;
  arm: string;
  days: Array<{ day: Day; impressions: number; clicks: number; carts: number; orders: number; revenue: number }>;
}

/** Decide latency (the Worker's own server timing, request body to response), per hour. */
export interface LatencyPoint {
  /** ISO time the hour starts. */
  at: string;
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Recommendations' spread over the catalog, per day, from viewable impressions of item slots. */
export interface BiasPoint {
  day: Day;
  impressions: number;
  /** Distinct items shown. */
  items: number;
  /** Share of the catalog shown at least once that day (0–1). */
  coverage: number;
  /** Share of impressions that went to the top 1 % of shown items (0–1). */
  top1Share: number;
  /** Gini coefficient of impressions over the catalog's items (0 even, 1 all on one). */
  gini: number;
}

/** `GET /v1/admin/report`. */
export interface Report {
  generatedAt: string;
  /** Days covered, oldest first. */
  days: Day[];
  holdout: ExperimentReport | null;
  experiments: ExperimentReport[];
  ctr: CtrSeries[];
  latency: LatencyPoint[];
  /** Model versions and when each went live, oldest first. */
  models: Array<{ version: string; activatedAt: string }>;
  bias: BiasPoint[];
}
