/**
 * The measurement's pure parts: sticky assignment, attribution and its
 * retraction, frequency caps, the report's arithmetic and the loop's canary.
 * The Worker runs them for real in tests/worker/experiments.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withCanary } from '../../../edge-worker/cli/canary';
import { assign, banditShares, pick, position } from '../../../edge-worker/src/experiments/assign';
import { attributeEvents, merge, recordDecision, retraction, type Attribution, type Row } from '../../../edge-worker/src/experiments/attribution';
import { countShown, withoutCapped } from '../../../edge-worker/src/experiments/caps';
import { buildExperiments, experimentKey, holdoutKey } from '../../../edge-worker/src/experiments/config';
import { buildReport, gini } from '../../../edge-worker/src/experiments/report';
import type { DecisionRecord } from '../../../edge-worker/src/experiments/decision';
import { DEMO_SLOTS } from '../../../demo-shop/src/seed';

const vids = Array.from({ length: 20_000 }, (_, i) => `k1.abc.${i.toString(36).padStart(22, 'x')}.${'s'.repeat(43)}`);

describe('assignment', () => {
  it('places visitors uniformly and stably: the same id and seed, the same position; another seed, another shuffle', () => {
    const at = vids.map((vid) => position('seed-a', vid));
    expect(vids.map((vid) => position('seed-a', vid))).toEqual(at);
    const deciles = new Array(10).fill(0);
    for (const p of at) deciles[Math.floor(p * 10)]++;
    for (const count of deciles) expect(Math.abs(count - 2000)).toBeLessThan(200);
    const other = vids.map((vid) => position('seed-b', vid));
    const bothLow = at.filter((p, i) => p < 0.5 && other[i]! < 0.5).length / vids.length;
    expect(Math.abs(bothLow - 0.25)).toBeLessThan(0.02);
  });

  it('picks arms by their weights, the last taking the rounding', () => {
    expect(pick([1, 1, 2], 0)).toBe(0);
    expect(pick([1, 1, 2], 0.49)).toBe(1);
    expect(pick([1, 1, 2], 0.5)).toBe(2);
    expect(pick([1, 1, 2], 0.999999)).toBe(2);
  });

  it('holds a visitor out of every experiment, and assigns none without a valid id', () => {
    const config = buildExperiments({ holdout: { share: 0.5 }, experiments: [{ id: 'x', slot: 'hero', kind: 'ab', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1, variant: 'welcome' }] }] });
    const held = vids.find((vid) => position('holdout', vid) < 0.5)!;
    const kept = vids.find((vid) => position('holdout', vid) >= 0.5)!;
    expect(assign(config, held, true, ['hero'], {}, Math.random)).toEqual({ holdout: { experiment: holdoutKey(config.holdout), arm: 'holdout', probability: 0.5 }, slots: {} });
    expect(assign(config, kept, true, ['hero'], {}, Math.random).slots.hero).toMatchObject({ experiment: experimentKey(config.experiments[0]!), probability: 0.5 });
    // Without personalization there is nothing to hold out of; the A/B test still runs.
    expect(assign(config, held, false, ['hero'], {}, Math.random).holdout).toBeUndefined();
    expect(assign(config, undefined, true, ['hero'], {}, Math.random)).toEqual({ slots: {} });
  });

  it('splits a bandit evenly until its first update, keeping the control\'s share, and follows the stored shares after', () => {
    const [e] = buildExperiments({
      experiments: [{ id: 'b', slot: 'hero', kind: 'bandit', control: { id: 'c', share: 0.2, variant: 'everyone' }, arms: [{ id: 'x', variant: 'welcome' }, { id: 'y', variant: 'everyone' }] }],
    }).experiments;
    if (e?.kind !== 'bandit') throw new Error('not a bandit');
    expect(banditShares(e, undefined)).toEqual({ c: 0.2, x: 0.4, y: 0.4 });
    const shares = banditShares(e, { c: 0.2, x: 0.7, y: 0.1 });
    expect(shares.c).toBe(0.2);
    expect(shares.x! / shares.y!).toBeCloseTo(7, 10);
    expect(shares.c! + shares.x! + shares.y!).toBeCloseTo(1, 12);
  });
});

describe('attribution', () => {
  const config = buildExperiments({ holdout: { share: 0.5, window: 24 } });
  const decision = (id: string, at: number): DecisionRecord => ({ id, at, h: 'personalized', hp: 0.5, s: { recommended: { i: ['1', '2', '3'] } } });
  const total = (rows: Row[], prefix: string) => merge(rows.filter((r) => r.k.startsWith(prefix))).reduce((t, r) => ({ n: t.n + r.n, s: t.s + r.s, q: t.q + r.q }), { n: 0, s: 0, q: 0 });

  it('exposes a visitor once, counts one conversion and the square of their revenue, and an impression and its first click once', () => {
    const t0 = Date.UTC(2026, 10, 30, 10);
    let state: Attribution = { decisions: [], exposures: {} };
    const rows: Row[] = [];
    for (const [id, at] of [['d1', t0], ['d2', t0 + 60_000]] as const) {
      const recorded = recordDecision(state, decision(id, at), config);
      state = recorded.state;
      rows.push(...recorded.rows);
    }
    const events = [
      { type: 'impression', ts: t0, decision: 'd1', slot: 'recommended' },
      { type: 'impression', ts: t0, decision: 'd1', slot: 'recommended' },
      { type: 'click', ts: t0, item: '2', decision: 'd1', slot: 'recommended' },
      { type: 'click', ts: t0, item: '3', decision: 'd1', slot: 'recommended' },
      { type: 'purchase', ts: t0, value: 30 },
      { type: 'purchase', ts: t0, value: 20 },
    ];
    const attributed = attributeEvents(state, events, config, t0 + 120_000);
    rows.push(...attributed.rows);
    const holdout = holdoutKey(config.holdout);
    expect(total(rows, `m|${holdout}|personalized|conversion`)).toEqual({ n: 1, s: 1, q: 1 });
    expect(total(rows, `m|${holdout}|personalized|revenue`)).toEqual({ n: 1, s: 50, q: 2500 });
    expect(total(rows, 'c|recommended|all|')).toEqual({ n: 1, s: 1, q: 1 });
    expect(total(rows, 'b|')).toEqual({ n: 3, s: 0, q: 0 });

    // A purchase after the window counts for nothing.
    expect(attributeEvents(attributed.state, [{ type: 'purchase', ts: 0, value: 5 }], config, t0 + 60_000 + 25 * 3_600_000).rows).toEqual([]);

    // Erasure takes back exactly what was counted.
    const back = retraction(attributed.state);
    expect(merge([...rows, ...back]).every((r) => r.n === 0 && r.s === 0 && r.q === 0)).toBe(true);
  });

  it('takes back whatever a visitor was counted for (property)', () => {
    const t0 = Date.UTC(2026, 10, 30);
    fc.assert(
      fc.property(fc.array(fc.record({ type: fc.constantFrom('impression', 'click', 'add_to_cart', 'purchase'), decision: fc.constantFrom('d1', 'd2', 'dx'), item: fc.constantFrom('1', '2', '9'), value: fc.integer({ min: 0, max: 500 }) }), { maxLength: 30 }), (list) => {
        const first = recordDecision({ decisions: [], exposures: {} }, decision('d1', t0), config);
        const second = recordDecision(first.state, { ...decision('d2', t0 + 1000), s: { together: { e: 'x', a: 'interleaved', p: 1, i: ['1', '2'], t: 'ac' } } }, config);
        const events = list.map((e) => ({ ...e, ts: t0, slot: e.decision === 'd1' ? 'recommended' : 'together' }));
        const attributed = attributeEvents(second.state, events, config, t0 + 5000);
        const all = merge([...first.rows, ...second.rows, ...attributed.rows, ...retraction(attributed.state)]);
        return all.every((r) => Math.abs(r.n) < 1e-9 && Math.abs(r.s) < 1e-9 && Math.abs(r.q) < 1e-6);
      }),
    );
  });
});

describe('frequency caps', () => {
  const caps = buildExperiments({ caps: [{ slot: 'hero', variant: 'welcome', max: 2, hours: 1 }] }).caps;
  it('reaches a cap at the max-th showing within the window, until the oldest leaves it', () => {
    const t0 = 1_800_000_000_000;
    const shown1 = countShown({}, { id: 'a', at: t0, s: { hero: { v: 'welcome' } } }, caps);
    expect(shown1.reached).toEqual({});
    const shown2 = countShown(shown1.shown, { id: 'b', at: t0 + 600_000, s: { hero: { v: 'welcome' } } }, caps);
    expect(shown2.reached).toEqual({ 'hero/welcome': (t0 + 3_600_000) / 1000 });
    // Another variant shown does not count; an hour later the first showing has left the window.
    const later = countShown(shown2.shown, { id: 'c', at: t0 + 3_700_000, s: { hero: { v: 'everyone' } } }, caps);
    expect(later.reached).toEqual({});
  });

  it('leaves a capped variant out of its slot, and a slot without variants left empty', () => {
    const { slots, empty } = withoutCapped(DEMO_SLOTS, new Set(['hero/welcome', 'recommended']));
    const hero = slots.hero!;
    expect(hero.kind === 'variants' && hero.variants.map((v) => v.id)).toEqual(['cart-waiting', 'favourite-category', 'everyone']);
    expect([...empty]).toEqual(['recommended']);
  });
});

describe('the report', () => {
  it('measures concentration: Gini 0 for even impressions, near 1 when one item takes all', () => {
    expect(gini([5, 5, 5, 5], 4)).toBeCloseTo(0, 12);
    expect(gini([100], 100)).toBeCloseTo(0.99, 12);
    expect(gini([3, 1], 4)).toBeCloseTo(0.625, 12);
  });

  it('compares the holdout day by day on cumulative counts from its phase\'s first count, with a verdict only past the minimum sample', () => {
    const now = Date.UTC(2026, 10, 30, 12);
    const config = buildExperiments({ holdout: { share: 0.5, minSample: 3500 } });
    const key = holdoutKey(config.holdout);
    const rows: Row[] = [
      { k: `m|${key}|holdout|conversion|2026-11-29`, n: 3000, s: 300, q: 300 },
      { k: `m|${key}|personalized|conversion|2026-11-29`, n: 3000, s: 390, q: 390 },
      { k: `m|${key}|holdout|conversion|2026-11-30`, n: 1000, s: 100, q: 100 },
      { k: `m|${key}|personalized|conversion|2026-11-30`, n: 1000, s: 130, q: 130 },
      // Another phase of the holdout (another share or seed): never pooled with this one.
      { k: 'm|holdout@other|personalized|conversion|2026-11-30', n: 5000, s: 0, q: 0 },
    ];
    const report = buildReport({ rows, config, allocations: {}, models: [], startedAt: '2026-11-30T11:00:00Z', catalogSize: 100, activeModel: 'm', now, days: 5 });
    const conversion = report.holdout!.metrics.find((m) => m.metric === 'conversion')!;
    expect(conversion.arms.map((a) => a.moments.n)).toEqual([4000, 4000]);
    expect(conversion.comparisons[0]!.lift).toBeCloseTo(0.3, 10);
    expect(conversion.comparisons[0]!.verdict).toBe('better');
    expect(report.holdout!.start).toBe('2026-11-29T00:00:00.000Z');
    expect(conversion.overTime.map((d) => d.day)).toEqual(['2026-11-29', '2026-11-30']);
    expect(conversion.overTime[0]!.comparisons[0]!.verdict).toBe('insufficient');
    expect(report.holdout!.srm).toEqual({ pValue: 1, flagged: false });
  });
});

describe('the canary', () => {
  it('replaces an earlier canary and any other experiment on its slot, keeping the rest', () => {
    const config = buildExperiments({ experiments: [{ id: 'hero-test', slot: 'hero', kind: 'ab', arms: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }] }, { id: 'old', slot: 'recommended', kind: 'interleave', candidate: 'm-1' }] });
    const next = buildExperiments(withCanary(config, { slot: 'recommended', version: 'm-2', kind: 'ab', share: 0.1 }));
    expect(next.experiments.map((e) => e.id)).toEqual(['hero-test', 'model-canary']);
    const canary = next.experiments[1]!;
    expect(canary.kind === 'ab' && canary.arms).toEqual([{ id: 'active', weight: 0.9 }, { id: 'candidate', weight: 0.1, model: 'm-2' }]);
  });
});
