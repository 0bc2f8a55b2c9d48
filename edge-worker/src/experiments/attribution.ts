/**
 * Attribution: what a visitor's events count for, in which experiment and
 * arm. Pure: the visitor's object (`profile/visitor-object.ts`) keeps the
 * state, calls these with each decision it records and each batch of new
 * events (resends are already dropped there), and sends the counter rows to
 * the counter shards (`counters.ts`).
 *
 * What is counted:
 * - per visitor, for sticky experiments (the holdout, A/B): exposure at the
 *   first decision (n), conversion (a 0/1 per visitor) and revenue per
 *   visitor, from purchases within the experiment's window after the
 *   visitor's latest decision in it;
 * - per viewable impression, for every experiment's slot: impressions and
 *   clicks (at most one per impression, so CTR is a mean of 0/1);
 * - per slot and arm (or variant) per day: impressions and clicks, for the
 *   click-through plot, and the add-to-carts and orders (with revenue) that
 *   carried one of the slot's decisions;
 * - interleaving: per interleaved list seen (or clicked), whether the
 *   candidate's items got more clicks than the active model's, fewer, or as
 *   many (none at all is a tie);
 * - per item per day: viewable impressions, for bias monitoring.
 */
import { dayOf } from '../log/layout';
import { experimentKey, holdoutKey, idOfKey, type ExperimentsConfig } from './config';
import type { DecisionRecord, SlotRecord } from './decision';

/** One counter row: a key and the increments of its moments. */
export interface Row {
  k: string;
  n: number;
  s: number;
  q: number;
}

/** One visitor's standing in a sticky experiment. */
export interface Exposure {
  /** The arm. */
  a: string;
  /** The day the visitor was exposed (counted in n), and the days they converted and last bought: where erasure takes them back from. */
  d?: string;
  cd?: string;
  rd?: string;
  /** Latest decision in it, epoch ms: purchases count within the window after it. */
  at: number;
  /** Converted already (a visitor counts once); revenue so far. */
  c?: 1;
  r?: number;
}

/** What attribution keeps in the visitor's object. */
export interface Attribution {
  /** Latest decisions, oldest first (at most {@link MAX_DECISIONS}, none older than the longest window). */
  decisions: DecisionRecord[];
  /** Experiment id → exposure. */
  exposures: Record<string, Exposure>;
  /** Frequency caps: cap key → times (epoch ms) of the latest decisions that showed it (`caps.ts`). */
  shown?: Record<string, number[]>;
}

/** The event fields attribution reads (the contract's events have more). */
export interface AttributedEvent {
  type: string;
  ts: number;
  item?: string;
  decision?: string;
  slot?: string;
  value?: number;
}

/** Decisions a visitor's object remembers: about a day of browsing at a page a minute. */
export const MAX_DECISIONS = 200;


/** Counter keys, in one place: the report reads them back with the same functions. */
export const keys = {
  metric: (experiment: string, arm: string, metric: 'conversion' | 'revenue' | 'ctr', day: string) => `m|${experiment}|${arm}|${metric}|${day}`,
  ctr: (slot: string, arm: string, day: string) => `c|${slot}|${arm}|${day}`,
  /** What a slot's clicks led to: add-to-carts (n), orders (n) and their revenue (s). */
  led: (slot: string, arm: string, day: string, what: 'cart' | 'order') => `a|${slot}|${arm}|${day}|${what}`,
  interleave: (experiment: string, outcome: 'win' | 'loss' | 'tie', day: string) => `i|${experiment}|${outcome}|${day}`,
  item: (day: string, item: string) => `b|${day}|${item}`,
  latency: (hour: string, bucket: number) => `l|${hour}|${bucket}`,
};

const row = (k: string, n: number, s = 0, q = s): Row => ({ k, n, s, q });

/** An experiment's attribution window in ms, by its key (the holdout's for a slot without one). */
function windowMs(config: ExperimentsConfig, key: string | undefined): number {
  const id = key === undefined ? 'holdout' : idOfKey(key);
  const hours = id === 'holdout' ? config.holdout.window : (config.experiments.find((e) => e.id === id)?.window ?? 24);
  return hours * 3_600_000;
}

/**
 * Records a decision: the visitor's first decision in a sticky experiment
 * exposes them (one row per metric, n + 1); every later one moves the window on.
 */
export function recordDecision(state: Attribution, decision: DecisionRecord, config: ExperimentsConfig): { state: Attribution; rows: Row[] } {
  const rows: Row[] = [];
  const exposures = { ...state.exposures };
  const day = dayOf(decision.at);
  const sticky: Array<[string, string]> = [];
  if (decision.h) sticky.push([decision.he ?? holdoutKey(config.holdout), decision.h]);
  for (const slot of Object.values(decision.s)) {
    if (slot.e && slot.a && config.experiments.some((e) => e.kind === 'ab' && experimentKey(e) === slot.e)) sticky.push([slot.e, slot.a]);
  }
  for (const [experiment, arm] of sticky) {
    const known = exposures[experiment];
    // A new arm for the same experiment (its weights or seed changed) starts the visitor over in it.
    if (!known || known.a !== arm) rows.push(row(keys.metric(experiment, arm, 'conversion', day), 1), row(keys.metric(experiment, arm, 'revenue', day), 1));
    exposures[experiment] = known && known.a === arm ? { ...known, at: decision.at } : { a: arm, d: day, at: decision.at };
  }
  const oldest = decision.at - Math.max(config.holdout.window, ...config.experiments.map((e) => e.window)) * 3_600_000;
  const decisions = [...state.decisions.filter((d) => d.at >= oldest && d.id !== decision.id), decision].slice(-MAX_DECISIONS);
  return { state: { ...state, decisions, exposures }, rows };
}

/** The arm a slot's counts go under: its experiment's arm, else its variant, else `all`. */
function armOf(slot: SlotRecord): string {
  return slot.a ?? slot.v ?? 'all';
}

/** An interleaved slot's outcome from the candidate's clicks and the active model's. */
function outcome(clicks: [number, number]): 'win' | 'loss' | 'tie' {
  return clicks[1] > clicks[0] ? 'win' : clicks[1] < clicks[0] ? 'loss' : 'tie';
}

/**
 * Attributes a batch of new events (each seen for the first time) at `now`.
 * The decision records it changes (an impression or click counted) are
 * replaced by changed copies; what a record does not know is not counted.
 */
export function attributeEvents(state: Attribution, events: readonly AttributedEvent[], config: ExperimentsConfig, now: number): { state: Attribution; rows: Row[] } {
  const rows: Row[] = [];
  const decisions = state.decisions.map((d) => ({ ...d, s: { ...d.s } }));
  const exposures = { ...state.exposures };
  const byId = new Map(decisions.map((d) => [d.id, d]));
  for (const event of events) {
    // Windows are measured on the Worker's clock: a client's may be anywhere.
    const at = now;
    const day = dayOf(now);
    const decision = event.decision ? byId.get(event.decision) : undefined;
    const slot = decision && event.slot ? decision.s[event.slot] : undefined;
    if (event.type === 'impression' && slot && !slot.seen && at - decision!.at <= windowMs(config, slot.e)) {
      slot.seen = day;
      rows.push(row(keys.ctr(event.slot!, armOf(slot), day), 1, 0));
      if (slot.e) rows.push(row(keys.metric(slot.e, armOf(slot), 'ctr', day), 1, 0));
      for (const item of slot.i ?? []) rows.push(row(keys.item(day, item), 1, 0));
      // An interleaved list seen is a tie until a click says otherwise.
      if (slot.t && slot.e && !slot.x) {
        slot.x = [0, 0];
        rows.push(row(keys.interleave(slot.e, 'tie', dayOf(decision!.at)), 1));
      }
    }
    if (event.type === 'click' && slot && at - decision!.at <= windowMs(config, slot.e)) {
      // A click counts for the impression it came from, once; one before the impression was reported still counts it.
      if (!slot.clicked) {
        slot.clicked = day;
        rows.push(row(keys.ctr(event.slot!, armOf(slot), day), 0, 1));
        if (slot.e) rows.push(row(keys.metric(slot.e, armOf(slot), 'ctr', day), 0, 1));
      }
      const position = event.item === undefined ? -1 : (slot.i ?? []).indexOf(event.item);
      if (slot.t && slot.e && position >= 0) {
        const before = slot.x ?? [0, 0];
        const after: [number, number] = slot.t[position] === 'c' ? [before[0], before[1] + 1] : [before[0] + 1, before[1]];
        if (slot.x) rows.push(row(keys.interleave(slot.e, outcome(before), dayOf(decision!.at)), -1));
        rows.push(row(keys.interleave(slot.e, outcome(after), dayOf(decision!.at)), 1));
        slot.x = after;
      }
    }
    // Cart changes and orders that carry a decision (the SDK adds it after a click on the slot's item) count for that slot and arm.
    if ((event.type === 'add_to_cart' || event.type === 'purchase') && slot && at - decision!.at <= windowMs(config, slot.e)) {
      if (event.type === 'add_to_cart') {
        slot.carts = [...(slot.carts ?? []), [day, 1]];
        rows.push(row(keys.led(event.slot!, armOf(slot), day, 'cart'), 1, 0, 0));
      } else {
        const value = event.value ?? 0;
        slot.orders = [...(slot.orders ?? []), [day, 1, value]];
        rows.push(row(keys.led(event.slot!, armOf(slot), day, 'order'), 1, value, value * value));
      }
    }
    if (event.type === 'purchase') {
      const value = event.value ?? 0;
      for (const [experiment, exposure] of Object.entries(exposures)) {
        if (at - exposure.at > windowMs(config, experiment)) continue;
        const next: Exposure = { ...exposure, c: 1, cd: exposure.cd ?? day };
        if (!exposure.c) rows.push(row(keys.metric(experiment, exposure.a, 'conversion', day), 0, 1, 1));
        if (value > 0) {
          const before = exposure.r ?? 0;
          next.r = before + value;
          next.rd = day;
          rows.push(row(keys.metric(experiment, exposure.a, 'revenue', day), 0, value, next.r * next.r - before * before));
        }
        exposures[experiment] = next;
      }
    }
  }
  return { state: { ...state, decisions, exposures }, rows: merge(rows) };
}

/**
 * The rows that take a visitor back out of the counters (erasure): their
 * exposures, conversion and revenue, and the impressions and clicks of the
 * decisions still remembered. Counted on the days they were counted on, so
 * the report's history loses them too. Older decisions' impressions are
 * already anonymous totals: the object no longer knows they were the visitor's.
 */
export function retraction(state: Attribution): Row[] {
  const rows: Row[] = [];
  for (const [experiment, e] of Object.entries(state.exposures)) {
    if (e.d) rows.push(row(keys.metric(experiment, e.a, 'conversion', e.d), -1, 0), row(keys.metric(experiment, e.a, 'revenue', e.d), -1, 0));
    if (e.c) rows.push(row(keys.metric(experiment, e.a, 'conversion', e.cd ?? e.d ?? dayOf(e.at)), 0, -1, -1));
    if (e.r) rows.push(row(keys.metric(experiment, e.a, 'revenue', e.rd ?? e.d ?? dayOf(e.at)), 0, -e.r, -e.r * e.r));
  }
  for (const decision of state.decisions) {
    for (const [slot, s] of Object.entries(decision.s)) {
      if (s.seen) {
        rows.push(row(keys.ctr(slot, armOf(s), s.seen), -1, 0));
        if (s.e) rows.push(row(keys.metric(s.e, armOf(s), 'ctr', s.seen), -1, 0));
        for (const item of s.i ?? []) rows.push(row(keys.item(s.seen, item), -1, 0));
      }
      if (s.clicked) {
        rows.push(row(keys.ctr(slot, armOf(s), s.clicked), 0, -1, -1));
        if (s.e) rows.push(row(keys.metric(s.e, armOf(s), 'ctr', s.clicked), 0, -1, -1));
      }
      if (s.x && s.e) rows.push(row(keys.interleave(s.e, outcome(s.x), dayOf(decision.at)), -1));
      for (const [day, n] of s.carts ?? []) rows.push(row(keys.led(slot, armOf(s), day, 'cart'), -n, 0, 0));
      for (const [day, n, value] of s.orders ?? []) rows.push(row(keys.led(slot, armOf(s), day, 'order'), -n, -value, -value * value));
    }
  }
  return merge(rows);
}

/** Rows with the same key added together. */
export function merge(rows: readonly Row[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const r of rows) {
    const known = byKey.get(r.k);
    if (known) {
      known.n += r.n;
      known.s += r.s;
      known.q += r.q;
    } else byKey.set(r.k, { ...r });
  }
  return [...byKey.values()];
}
