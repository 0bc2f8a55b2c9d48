/**
 * The measurement report (`contract/report.ts`) from the counters' rows:
 * every experiment's arms, their comparisons with fixed and sequential
 * intervals and verdicts, day by day; click-through per slot and arm;
 * decide latency per hour; recommendations' spread over the catalog per
 * day. Pure: the route reads the rows, the configuration, the allocations
 * and the model history and hands them over.
 */
import { dayOf } from '../log/layout';
import type { BiasPoint, Comparison, CtrSeries, ExperimentReport, LatencyPoint, MetricReport, Report } from '../contract/report';
import { ACTIVE, HOLDOUT, INTERLEAVED, PERSONALIZED } from './assign';
import type { Row } from './attribution';
import { experimentKey, holdoutKey, type ExperimentsConfig } from './config';
import { preference } from './interleave';
import { quantile } from './latency';
import { compareMeans, DEFAULT_SEQUENTIAL_TUNING, mean, srmPValue, SRM_THRESHOLD, verdict, type Moments } from './stats';

/** Everything the report is built from. */
export interface ReportInput {
  rows: readonly Row[];
  config: ExperimentsConfig;
  /** Bandits' allocation history (`allocation.ts`). */
  allocations: Record<string, Array<{ at: string; shares: Record<string, number> }>>;
  models: Array<{ version: string; activatedAt: string }>;
  /** When each experiment started: its configuration's `start`, else when the configuration went live. */
  startedAt: string;
  catalogSize: number;
  /** The active model's version, the other team of an interleaving. */
  activeModel: string;
  now: number;
  /** Days shown, counting back from today. */
  days: number;
}

const EMPTY: Moments = { n: 0, sum: 0, sumSquares: 0 };
const add = (a: Moments, r: Row): Moments => ({ n: a.n + r.n, sum: a.sum + r.s, sumSquares: a.sumSquares + r.q });

/** The days shown, oldest first. */
function dayRange(now: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => dayOf(now - (count - 1 - i) * 86_400_000));
}

/** Rows by key, parted: `m|exp|arm|metric|day` → the parts after the kind. */
function parted(rows: readonly Row[], kind: string): Array<{ parts: string[]; row: Row }> {
  return rows.filter((r) => r.k.startsWith(`${kind}|`)).map((row) => ({ parts: row.k.split('|').slice(1), row }));
}

/** One arm against control with both intervals and the verdict. */
function compare(arm: string, control: Moments, treatment: Moments, minSample: number): Comparison {
  const fixed = compareMeans(control, treatment);
  const sequential = compareMeans(control, treatment, { sequentialTuning: DEFAULT_SEQUENTIAL_TUNING });
  return { arm, lift: fixed.lift, ci: fixed.ci, pValue: fixed.pValue, sequentialCi: sequential.ci, verdict: verdict(control, treatment, { minSample }) };
}

/** A metric's arms (control first) and comparisons, now and at the end of each day shown. */
function metricReport(metric: MetricReport['metric'], arms: readonly string[], perDay: Map<string, Map<string, Moments>>, days: readonly string[], minSample: number): MetricReport {
  const totals = (through: string) =>
    arms.map((arm) => {
      let m = EMPTY;
      for (const [day, moments] of perDay.get(arm) ?? []) if (day <= through) m = { n: m.n + moments.n, sum: m.sum + moments.sum, sumSquares: m.sumSquares + moments.sumSquares };
      return m;
    });
  const comparisons = (moments: Moments[]) => arms.slice(1).map((arm, i) => compare(arm, moments[0]!, moments[i + 1]!, minSample));
  const now = totals('9999-12-31');
  return {
    metric,
    arms: arms.map((arm, i) => ({ arm, moments: now[i]!, mean: mean(now[i]!) })),
    comparisons: comparisons(now),
    // A day is drawn once both sides of a comparison have data: before that there is nothing to compare.
    overTime: days.flatMap((day) => {
      const moments = totals(day);
      const ready = arms.slice(1).flatMap((arm, i) => (moments[0]!.n > 0 && moments[i + 1]!.n > 0 ? [compare(arm, moments[0]!, moments[i + 1]!, minSample)] : []));
      return ready.length ? [{ day, comparisons: ready }] : [];
    }),
  };
}

/** An experiment's metric rows: arm → day → moments. */
function metricRows(rows: readonly Row[], experiment: string, metric: string): Map<string, Map<string, Moments>> {
  const byArm = new Map<string, Map<string, Moments>>();
  for (const { parts, row } of parted(rows, 'm')) {
    const [e, arm, m, day] = parts;
    if (e !== experiment || m !== metric) continue;
    let days = byArm.get(arm!);
    if (!days) byArm.set(arm!, (days = new Map()));
    days.set(day!, add(days.get(day!) ?? EMPTY, row));
  }
  return byArm;
}

/** The first day an experiment's key has counts on, as the start of that day (ISO). */
function firstCounted(rows: readonly Row[], key: string): string | undefined {
  let first: string | undefined;
  for (const r of rows) {
    if (!r.k.startsWith(`m|${key}|`) && !r.k.startsWith(`i|${key}|`)) continue;
    const day = r.k.slice(r.k.lastIndexOf('|') + 1);
    if (first === undefined || day < first) first = day;
  }
  return first && `${first}T00:00:00.000Z`;
}

function experimentReport(
  input: ReportInput,
  id: string,
  key: string,
  kind: ExperimentReport['kind'],
  arms: Array<{ id: string; weight: number }>,
  metrics: Array<MetricReport['metric']>,
  extra: Partial<ExperimentReport>,
  days: readonly string[],
  start: string | undefined,
  minSample: number,
): ExperimentReport {
  const ids = arms.map((arm) => arm.id);
  // Since the configuration says, else since its phase's first count (a new phase starts afresh), else since it went live.
  const started = start ?? firstCounted(input.rows, key) ?? input.startedAt;
  const shown = days.filter((day) => day >= started.slice(0, 10));
  const built = metrics.map((metric) => metricReport(metric, ids, metricRows(input.rows, key, metric), shown, minSample));
  // Visitors for per-visitor experiments, impressions for per-decision ones: the unit the weights split.
  const units = built[0]!.arms.map((arm) => arm.moments.n);
  const srm = srmPValue(units, arms.map((arm) => arm.weight));
  return {
    id,
    kind,
    start: started,
    arms: arms.map((arm, i) => ({ ...arm, visitors: units[i]! })),
    srm: { pValue: srm, flagged: srm < SRM_THRESHOLD },
    minSample,
    metrics: built,
    ...extra,
  };
}

/** Builds the report. */
export function buildReport(input: ReportInput): Report {
  const { config, rows } = input;
  const days = dayRange(input.now, input.days);
  const holdoutAt = holdoutKey(config.holdout);
  const holdout =
    config.holdout.share > 0 || rows.some((r) => r.k.startsWith(`m|${holdoutAt}|`))
      ? experimentReport(
          input,
          HOLDOUT,
          holdoutAt,
          'holdout',
          [
            { id: HOLDOUT, weight: config.holdout.share },
            { id: PERSONALIZED, weight: 1 - config.holdout.share },
          ],
          ['conversion', 'revenue'],
          {},
          days,
          config.holdout.start,
          config.holdout.minSample,
        )
      : null;
  const experiments = config.experiments.map((e): ExperimentReport => {
    if (e.kind === 'ab') {
      const total = e.arms.reduce((sum, arm) => sum + arm.weight, 0);
      const arms = e.arms.map((arm) => ({ id: arm.id, weight: arm.weight / total }));
      return experimentReport(input, e.id, experimentKey(e), 'ab', arms, ['conversion', 'revenue', 'ctr'], { slot: e.slot }, days, e.start, e.minSample);
    }
    if (e.kind === 'bandit') {
      const history = input.allocations[e.id] ?? [];
      const latest = history.at(-1)?.shares;
      const even = (1 - e.control.share) / e.arms.length;
      const arms = [{ id: e.control.id, weight: e.control.share }, ...e.arms.map((arm) => ({ id: arm.id, weight: latest?.[arm.id] ?? even }))];
      const report = experimentReport(input, e.id, experimentKey(e), 'bandit', arms, ['ctr'], { slot: e.slot, allocation: history }, days, e.start, e.minSample);
      // The bandit's arms move; only the control's share is fixed, so the sample ratio is checked on control against the rest.
      const control = report.arms[0]!.visitors;
      const rest = report.arms.slice(1).reduce((sum, arm) => sum + arm.visitors, 0);
      const srm = srmPValue([control, rest], [e.control.share, 1 - e.control.share]);
      return { ...report, srm: { pValue: srm, flagged: srm < SRM_THRESHOLD } };
    }
    const arms = [
      { id: ACTIVE, weight: 1 - e.share },
      { id: INTERLEAVED, weight: e.share },
    ].filter((arm) => arm.weight > 0);
    const outcomes = { a: 0, b: 0, tie: 0 };
    for (const { parts, row } of parted(rows, 'i')) {
      if (parts[0] !== experimentKey(e)) continue;
      // The candidate is team "a" of the preference: its wins are the candidate's.
      if (parts[1] === 'win') outcomes.a += row.n;
      else if (parts[1] === 'loss') outcomes.b += row.n;
      else outcomes.tie += row.n;
    }
    const p = preference(outcomes);
    return experimentReport(input, e.id, experimentKey(e), 'interleave', arms, ['ctr'], {
      slot: e.slot,
      interleaving: { candidate: e.candidate, active: input.activeModel, wins: p.wins, losses: p.losses, ties: p.ties, preference: p.preference, ci: p.ci, pValue: p.pValue },
    }, days, e.start, e.minSample);
  });
  return {
    generatedAt: new Date(input.now).toISOString(),
    days,
    holdout,
    experiments,
    ctr: ctrSeries(rows, days),
    latency: latency(rows, input.now, input.days),
    models: input.models,
    bias: bias(rows, days, input.catalogSize),
  };
}

function ctrSeries(rows: readonly Row[], days: readonly string[]): CtrSeries[] {
  const series = new Map<string, CtrSeries>();
  const shown = new Set(days);
  const pointOf = (slot: string, arm: string, day: string) => {
    const key = `${slot}|${arm}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { slot, arm, days: days.map((d) => ({ day: d, impressions: 0, clicks: 0, carts: 0, orders: 0, revenue: 0 })) }));
    return s.days.find((d) => d.day === day)!;
  };
  for (const { parts, row } of parted(rows, 'c')) {
    const [slot, arm, day] = parts as [string, string, string];
    if (!shown.has(day)) continue;
    const point = pointOf(slot, arm, day);
    point.impressions += row.n;
    point.clicks += row.s;
  }
  for (const { parts, row } of parted(rows, 'a')) {
    const [slot, arm, day, what] = parts as [string, string, string, string];
    if (!shown.has(day)) continue;
    const point = pointOf(slot, arm, day);
    if (what === 'cart') point.carts += row.n;
    else {
      point.orders += row.n;
      point.revenue = Math.round((point.revenue + row.s) * 100) / 100;
    }
  }
  return [...series.values()].sort((a, b) => a.slot.localeCompare(b.slot) || a.arm.localeCompare(b.arm));
}

function latency(rows: readonly Row[], now: number, days: number): LatencyPoint[] {
  const from = new Date(now - days * 86_400_000).toISOString().slice(0, 13);
  const hours = new Map<string, Map<number, number>>();
  for (const { parts, row } of parted(rows, 'l')) {
    const [hour, bucket] = parts as [string, string];
    if (hour < from) continue;
    let histogram = hours.get(hour);
    if (!histogram) hours.set(hour, (histogram = new Map()));
    histogram.set(Number(bucket), (histogram.get(Number(bucket)) ?? 0) + row.n);
  }
  return [...hours]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([hour, histogram]) => ({
      at: `${hour}:00:00.000Z`,
      count: [...histogram.values()].reduce((a, b) => a + b, 0),
      p50: quantile(histogram, 0.5),
      p90: quantile(histogram, 0.9),
      p99: quantile(histogram, 0.99),
    }));
}

function bias(rows: readonly Row[], days: readonly string[], catalogSize: number): BiasPoint[] {
  const perDay = new Map<string, number[]>();
  for (const { parts, row } of parted(rows, 'b')) {
    const day = parts[0]!;
    let counts = perDay.get(day);
    if (!counts) perDay.set(day, (counts = []));
    counts.push(row.n);
  }
  return days.flatMap((day) => {
    const counts = (perDay.get(day) ?? []).filter((n) => n > 0).sort((a, b) => b - a);
    if (!counts.length) return [];
    const impressions = counts.reduce((a, b) => a + b, 0);
    const size = Math.max(catalogSize, counts.length);
    const top = Math.max(1, Math.ceil(size * 0.01));
    return [{ day, impressions, items: counts.length, coverage: counts.length / size, top1Share: counts.slice(0, top).reduce((a, b) => a + b, 0) / impressions, gini: gini(counts, size) }];
  });
}

/**
 * The Gini coefficient of impressions over `size` items, `counts` the
 * non-zero ones sorted descending (the rest of the catalog had none).
 */
export function gini(counts: readonly number[], size: number): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (!total || size < 2) return 0;
  // Ascending ranks 1..size: the zeros take ranks 1..size − counts.length.
  let weighted = 0;
  counts.forEach((count, i) => (weighted += (size - i) * count));
  return (2 * weighted) / (size * total) - (size + 1) / size;
}
