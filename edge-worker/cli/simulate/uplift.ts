/**
 * The holdout's proof: visitors whose true uplift from personalization is
 * known, through the real wire API, and the report read as they arrive.
 * Each visitor views a product (the first batch issues their id), is decided
 * for the page's slots, reports a viewable impression of each, clicks now
 * and then, and buys at most once: with probability `conversion` in the
 * holdout and `conversion × (1 + uplift)` when personalized, an order value
 * drawn from one distribution for both. So the true lift is `uplift` for
 * conversion and for revenue per visitor alike. The visitor's arm is
 * computed as the Worker computes it (`experiments/assign.ts`), from the
 * holdout's published share and seed.
 */
import { randomBytes } from 'node:crypto';
import type { Comparison, Report } from '../../src/contract/report';
import { position } from '../../src/experiments/assign';
import { seededRandom } from '../../src/model/random';
import { publishExperiments } from '../../src/published/published';
import type { Purpose, WireEvent } from '../../../sdk/src/wire';
import type { AdminClient } from '../admin-client';
import type { WorkerClient } from './client';
import type { PageSlot } from './visit';

/** Options for {@link simulateUplift}. */
export interface UpliftOptions {
  client: WorkerClient;
  admin: AdminClient;
  /** Product ids visitors land on. */
  items: readonly string[];
  pageSlots: readonly PageSlot[];
  visitors: number;
  /** The true relative lift of personalization on conversion (0.3 is +30 %; 0: no effect). */
  uplift: number;
  /** The holdout's conversion probability per visitor (default 0.3). */
  conversion?: number;
  /** The holdout's share for the run (default 0.5: the most sensitive split). */
  holdout?: number;
  /** Visitors per arm before any verdict (default 2,000, the product's: below it revenue's sequential interval is too narrow). */
  minSample?: number;
  seed: number;
  /** The report is read after every this many visitors (default 250). */
  checkEvery?: number;
  concurrency?: number;
  onCheck?: (check: UpliftCheck) => void;
}

/** The holdout comparison as the report gave it after `visitors` visitors. */
export interface UpliftCheck {
  visitors: number;
  conversion: Comparison;
  revenue: Comparison;
}

/** What the run found, against the truth. */
export interface UpliftResult {
  truth: number;
  visitors: number;
  /** Visitors in each arm, as the report counts them. */
  arms: Record<string, number>;
  srmPValue: number;
  final: UpliftCheck;
  /** Every reading, in order. */
  checks: UpliftCheck[];
  /** Visitors seen when each metric's verdict first was "better" (null: never). */
  detectedAt: { conversion: number | null; revenue: number | null };
  /** Whether the final intervals contain the true lift. */
  covered: { conversion: { fixed: boolean; sequential: boolean }; revenue: { fixed: boolean; sequential: boolean } };
}

const randomId = () => randomBytes(12).toString('base64url');
/** An event before its id and time: each type with its own fields. */
type Unsent = WireEvent extends infer E ? (E extends WireEvent ? Omit<E, 'id' | 'ts'> : never) : never;
const within = ([low, high]: [number, number], value: number) => low <= value && value <= high;

/** The longest a visitor's counts wait before they are sent (the Worker's COUNTER_FLUSH_SECONDS), and some. */
const SETTLE_MS = 90_000;

/** Waits until the report has counted `visitors` exposures in the holdout (each visitor's counts follow within a minute). */
async function settled(admin: AdminClient, visitors: number): Promise<Report> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const report = await admin.report(1);
    const counted = report.holdout?.arms.reduce((sum, arm) => sum + arm.visitors, 0) ?? 0;
    if (counted >= visitors || Date.now() > deadline) return report;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function reading(report: Report, visitors: number): UpliftCheck {
  const metric = (name: 'conversion' | 'revenue') => report.holdout!.metrics.find((m) => m.metric === name)!.comparisons[0]!;
  return { visitors, conversion: metric('conversion'), revenue: metric('revenue') };
}

/**
 * Publishes a holdout for the run, sends the visitors and reads the report.
 * @example
 * const result = await simulateUplift({ client, admin, items, pageSlots, visitors: 2000, uplift: 0.3, seed: 1 });
 * result.detectedAt.conversion; // e.g. 1250
 */
export async function simulateUplift(options: UpliftOptions): Promise<UpliftResult> {
  const { client, admin, uplift, seed } = options;
  const share = options.holdout ?? 0.5;
  const conversion = options.conversion ?? 0.3;
  const holdoutSeed = `simulate-${seed}-${Date.now()}`;
  await admin.publish(publishExperiments({ holdout: { share, seed: holdoutSeed, minSample: options.minSample ?? 2000 } }), true);
  const random = seededRandom(seed);
  const consent: Purpose[] = ['analytics', 'personalization'];
  const checks: UpliftCheck[] = [];
  const detectedAt: UpliftResult['detectedAt'] = { conversion: null, revenue: null };

  const visit = async (index: number) => {
    const who = `uplift-${index}`;
    // Draws made up front, in visitor order, so that a seed gives the same visitors whatever the concurrency.
    const item = options.items[Math.floor(random() * options.items.length)]!;
    const [clickDraw, buyDraw, valueDraw] = [random(), random(), random()];
    const sid = randomId();
    const event = (ev: Unsent) => ({ id: randomId(), ts: Date.now(), ...ev }) as WireEvent;
    const first = await client.collect({ v: 1, sid, consent, events: [event({ type: 'page_view', path: `/p/${item}` }), event({ type: 'product_view', item })] }, who);
    const vid = first.vid;
    const decision = await client.decide({ v: 1, vid, consent, slots: [...options.pageSlots], context: { item } }, who);
    const events: WireEvent[] = Object.keys(decision.slots).map((slot) => event({ type: 'impression', decision: decision.decisionId, slot }));
    const shown = Object.entries(decision.slots).flatMap(([slot, answer]) => answer.items.map((it) => ({ slot, id: it.id })));
    if (shown.length && clickDraw < 0.15) {
      const pick = shown[Math.floor(clickDraw * 1000) % shown.length]!;
      events.push(event({ type: 'click', item: pick.id, decision: decision.decisionId, slot: pick.slot }));
    }
    const personalized = position(holdoutSeed, vid) >= share;
    if (buyDraw < conversion * (personalized ? 1 + uplift : 1)) {
      // One distribution for both arms (a long tail, as order values have): revenue per visitor moves with conversion.
      const value = Math.round(20 * Math.exp(1.2 * valueDraw) * 100) / 100;
      events.push(event({ type: 'purchase', items: [item], order: randomId(), value, currency: 'USD' }));
    }
    await client.collect({ v: 1, vid, sid, consent, events }, who);
  };

  const every = options.checkEvery ?? 250;
  for (let done = 0; done < options.visitors; ) {
    const batch = Array.from({ length: Math.min(every, options.visitors - done) }, (_, i) => done + i);
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency ?? 8 }, async () => {
        while (next < batch.length) await visit(batch[next++]!);
      }),
    );
    done += batch.length;
    const check = reading(await settled(admin, done), done);
    checks.push(check);
    options.onCheck?.(check);
    if (detectedAt.conversion === null && check.conversion.verdict === 'better') detectedAt.conversion = done;
    if (detectedAt.revenue === null && check.revenue.verdict === 'better') detectedAt.revenue = done;
  }
  const report = await settled(admin, options.visitors);
  const final = reading(report, options.visitors);
  return {
    truth: uplift,
    visitors: options.visitors,
    arms: Object.fromEntries(report.holdout!.arms.map((arm) => [arm.id, arm.visitors])),
    srmPValue: report.holdout!.srm.pValue,
    final,
    checks,
    detectedAt,
    covered: {
      conversion: { fixed: within(final.conversion.ci, uplift), sequential: within(final.conversion.sequentialCi, uplift) },
      revenue: { fixed: within(final.revenue.ci, uplift), sequential: within(final.revenue.sequentialCi, uplift) },
    },
  };
}

/** The result in words: truth, measured lift and intervals, when it was detected. */
export function formatUplift(result: UpliftResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const line = (name: 'conversion' | 'revenue', label: string) => {
    const c = result.final[name];
    const at = result.detectedAt[name];
    return `  ${label}: measured ${pct(c.lift)}, fixed 95 % [${pct(c.ci[0])}, ${pct(c.ci[1])}], sequential [${pct(c.sequentialCi[0])}, ${pct(c.sequentialCi[1])}], verdict ${c.verdict}${at === null ? '' : `, detected after ${at} visitors`}`;
  };
  return [
    `uplift simulation: ${result.visitors} visitors, true lift ${pct(result.truth)}`,
    `  arms: ${Object.entries(result.arms).map(([arm, n]) => `${arm} ${n}`).join(', ')} (SRM p = ${result.srmPValue.toPrecision(3)})`,
    line('conversion', 'conversion'),
    line('revenue', 'revenue per visitor'),
    `  truth inside the intervals: conversion fixed ${result.covered.conversion.fixed}, sequential ${result.covered.conversion.sequential}; revenue fixed ${result.covered.revenue.fixed}, sequential ${result.covered.revenue.sequential}`,
  ].join('\n');
}
