/**
 * Measured uplift in workerd: the sticky holdout and each slot's experiment
 * through the real decide route, decisions recorded in the visitor's
 * object, impressions, clicks and purchases attributed through the real
 * collect route, counted once in the real counter shards, and read back by
 * the report route; bandit allocations by the real cron handler.
 */
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { DecideResponse } from '../../sdk/src/wire';
import type { Report } from '../../edge-worker/src/contract/report';
import worker from '../../edge-worker/src/index';
import { position } from '../../edge-worker/src/experiments/assign';
import { ALLOCATION_KEY, BANDIT_CRON } from '../../edge-worker/src/experiments/allocation';
import { counterShard, shardOf } from '../../edge-worker/src/experiments/counters';
import { publishExperiments } from '../../edge-worker/src/published/published';
import { buildExperiments, experimentKey } from '../../edge-worker/src/experiments/config';
import type { VisitorProfile } from '../../edge-worker/src/profile/visitor-object';
import type { LogRecord } from '../../edge-worker/src/log/record';
import { call, collectNow, demoModel, flushProfile, newId, newVisitor, post, publish, seedModels, views, visitor } from './helpers';

const CONSENT = ['analytics', 'personalization'];
const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}` };

async function decideFor(vid: string, slots: string[], context: Record<string, unknown> = {}): Promise<DecideResponse> {
  const res = await post('/v1/decide', { v: 1, vid, consent: CONSENT, slots: slots.map((id) => ({ id })), context });
  expect(res.status).toBe(200);
  return res.json();
}

/** The visitor object's attribution state, once it holds `decisionId`. */
async function recorded(vid: string, decisionId: string) {
  return vi.waitFor(
    async () => {
      const { state } = await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());
      const decision = state?.attribution?.decisions.find((d) => d.id === decisionId);
      if (!decision) throw new Error(`decision ${decisionId} not recorded yet`);
      return { state: state!, decision };
    },
    { timeout: 5000, interval: 50 },
  );
}

function events(vid: string, list: Array<Record<string, unknown>>) {
  return { v: 1, vid, sid: 'session-0001', consent: CONSENT, events: list.map((e, i) => ({ id: newId('ev'), ts: Date.now() + i, ...e })) };
}

/** Sends the visitor's waiting counts to their shard now, as their alarm would within COUNTER_FLUSH_SECONDS. */
async function flushCounts(vid: string): Promise<void> {
  await runDurableObjectAlarm(visitor(vid));
}

async function report(days = 3): Promise<Report> {
  const res = await call(`/v1/admin/report?days=${days}`, { headers: admin });
  expect(res.status).toBe(200);
  return res.json();
}

/** A visitor id whose holdout position is on the wanted side of `share`. */
async function visitorIn(held: boolean, share: number, seed = 'holdout'): Promise<string> {
  for (;;) {
    const vid = await newVisitor();
    if (position(seed, vid) < share === held) return vid;
  }
}

beforeAll(seedModels);

describe('the holdout', () => {
  beforeAll(() => publish(publishExperiments({ holdout: { share: 0.3, seed: 'test-holdout' } })));

  it('shows a held-out visitor the default content everywhere, the same on every visit, and the rest personalized picks', async () => {
    const held = await visitorIn(true, 0.3, 'test-holdout');
    const shown = await visitorIn(false, 0.3, 'test-holdout');
    for (const vid of [held, shown]) await collectNow(views(vid, ['12', '13', '14']));
    const newcomer = await post('/v1/decide', { v: 1, consent: [], slots: [{ id: 'recommended' }, { id: 'hero' }], context: {} }).then((r) => r.json() as Promise<DecideResponse>);
    const heldAnswers = [await decideFor(held, ['recommended', 'hero']), await decideFor(held, ['recommended', 'hero'])];
    const shownAnswer = await decideFor(shown, ['recommended', 'hero']);
    for (const answer of heldAnswers) {
      // Popular items, as a shopper the shop knows nothing about gets, and the hero's unconditional content.
      expect(answer.slots.recommended!.items.map((i) => i.id)).toEqual(newcomer.slots.recommended!.items.map((i) => i.id));
      expect(answer.slots.recommended!.title).toBe('Popular right now');
      expect(answer.slots.hero!.variant!.id).toBe('everyone');
      expect(answer.model).toBe('popularity');
    }
    expect(shownAnswer.slots.recommended!.title).toBe('Recommended for you');
    expect(shownAnswer.slots.recommended!.items.map((i) => i.id)).not.toEqual(newcomer.slots.recommended!.items.map((i) => i.id));
    const { decision } = await recorded(held, heldAnswers[1]!.decisionId);
    expect(decision.h).toBe('holdout');
    expect((await recorded(shown, shownAnswer.decisionId)).decision.h).toBe('personalized');
  });

  it('assigns about the configured share, by a hash of the visitor id alone', async () => {
    // 20,000 fresh ids: the share's standard error is 0.0032, so ±0.02 is over 6 of them (2,000 ids and ±0.03 failed one run in ~250).
    const ids = await Promise.all(Array.from({ length: 20_000 }, () => newVisitor()));
    const share = ids.filter((vid) => position('test-holdout', vid) < 0.3).length / ids.length;
    expect(share).toBeGreaterThan(0.28);
    expect(share).toBeLessThan(0.32);
  });
});

describe('attribution and counting', () => {
  beforeAll(() => publish(publishExperiments({ holdout: { share: 0.5, seed: 'count-holdout' } })));

  it('counts an exposed visitor, their viewable impression, click and purchase once each, under their arm, however often the SDK resends', async () => {
    const vid = await visitorIn(false, 0.5, 'count-holdout');
    const before = await report();
    const armBefore = (r: Report, metric: string) => r.holdout!.metrics.find((m) => m.metric === metric)!.arms.find((a) => a.arm === 'personalized')!.moments;
    const answer = await decideFor(vid, ['recommended']);
    await recorded(vid, answer.decisionId);
    const item = answer.slots.recommended!.items[0]!.id;
    const batch = events(vid, [
      { type: 'impression', decision: answer.decisionId, slot: 'recommended' },
      { type: 'click', item, decision: answer.decisionId, slot: 'recommended' },
      { type: 'add_to_cart', item, qty: 1, price: 40, currency: 'EUR', decision: answer.decisionId, slot: 'recommended' },
      { type: 'purchase', items: [item], order: 'order-1', value: 40, currency: 'EUR', decision: answer.decisionId, slot: 'recommended' },
    ]);
    expect(await (await post('/v1/collect', batch)).json()).toMatchObject({ accepted: 4 });
    // The same batch again (a lost answer) and a second purchase, which no decision led to.
    expect(await (await post('/v1/collect', batch)).json()).toMatchObject({ accepted: 0, duplicates: 4 });
    await post('/v1/collect', events(vid, [{ type: 'purchase', items: [item], value: 10 }]));

    const after = await vi.waitFor(async () => {
      await flushCounts(vid);
      const r = await report();
      if (armBefore(r, 'revenue').sum - armBefore(before, 'revenue').sum < 50) throw new Error('not counted yet');
      return r;
    });
    const conversion = armBefore(after, 'conversion');
    const revenue = armBefore(after, 'revenue');
    expect(conversion.n - armBefore(before, 'conversion').n).toBe(1);
    expect(conversion.sum - armBefore(before, 'conversion').sum).toBe(1);
    expect(revenue.sum - armBefore(before, 'revenue').sum).toBe(50);
    // The visitor's revenue squared (50²), not the purchases' squares added (40² + 10²).
    expect(revenue.sumSquares - armBefore(before, 'revenue').sumSquares).toBe(2500);
    const ctr = after.ctr.find((s) => s.slot === 'recommended' && s.arm === 'all')!;
    const today = ctr.days.at(-1)!;
    const ctrBefore = before.ctr.find((s) => s.slot === 'recommended' && s.arm === 'all')?.days.at(-1) ?? { impressions: 0, clicks: 0, carts: 0, orders: 0, revenue: 0 };
    expect([today.impressions - ctrBefore.impressions, today.clicks - ctrBefore.clicks]).toEqual([1, 1]);
    // What the click led to: the cart change and the order that carried its decision, not the later order.
    expect([today.carts - ctrBefore.carts, today.orders - ctrBefore.orders, today.revenue - ctrBefore.revenue]).toEqual([1, 1, 40]);
    // Bias monitoring counts the impression's items.
    expect(after.bias.at(-1)!.impressions).toBeGreaterThanOrEqual(answer.slots.recommended!.items.length);

    // Erasure takes every count back: the report reads as if the visitor had never come.
    expect((await call('/v1/privacy/erase', { method: 'POST', headers: { authorization: `Bearer ${vid}` } })).status).toBe(200);
    const erased = await vi.waitFor(async () => {
      const r = await report();
      if (armBefore(r, 'revenue').sum !== armBefore(before, 'revenue').sum) throw new Error('not taken back yet');
      return r;
    });
    for (const metric of ['conversion', 'revenue']) expect(armBefore(erased, metric)).toEqual(armBefore(before, metric));
    const ctrErased = erased.ctr.find((s) => s.slot === 'recommended' && s.arm === 'all')!.days.at(-1)!;
    expect([ctrErased.impressions, ctrErased.clicks, ctrErased.carts, ctrErased.orders, ctrErased.revenue]).toEqual([ctrBefore.impressions, ctrBefore.clicks, ctrBefore.carts, ctrBefore.orders, ctrBefore.revenue]);
    expect(erased.bias.at(-1)?.impressions ?? 0).toBe(before.bias.at(-1)?.impressions ?? 0);
  });

  it('logs each decision with its arms and the probability each was drawn with', async () => {
    const vid = await visitorIn(false, 0.5, 'count-holdout');
    const answer = await decideFor(vid, ['recommended']);
    await recorded(vid, answer.decisionId);
    const record = await vi.waitFor(
      async () => {
        await flushCounts(vid);
        const listed = await env.LOG.list({ prefix: 'events/' });
        for (const { key } of listed.objects) {
          const lines = (await (await env.LOG.get(key))!.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as LogRecord);
          const found = lines.find((r) => r.id === answer.decisionId);
          if (found) return found;
        }
        throw new Error('decision not logged yet');
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(record).toMatchObject({ vid, type: 'decision', arms: [expect.stringMatching(/^\* holdout@\w+ personalized 0\.5$/)] });
  });

  it('applies a counter delivery once: a resend to the shard changes nothing, before or after its fold', async () => {
    const shard = counterShard(env, shardOf('any-visitor'));
    const delivery = { id: 'any-visitor:ev-resent-1', rows: [{ k: 'm|test|a|ctr|2026-11-30', n: 1, s: 1, q: 1 }] };
    const other = { id: 'any-visitor:ev-resent-2', rows: [{ k: 'm|test|a|ctr|2026-11-30', n: 2, s: 0, q: 0 }] };
    expect(await shard.add(delivery)).toBe(true);
    expect(await shard.add(delivery)).toBe(false);
    expect(await shard.add(other)).toBe(true);
    // The shard's alarm folds what it took into its counters; a resend after that is still refused.
    await runDurableObjectAlarm(shard);
    expect(await shard.add(delivery)).toBe(false);
    expect(await shard.rows([['m|test|']])).toEqual([{ k: 'm|test|a|ctr|2026-11-30', n: 3, s: 1, q: 1 }]);
  });

  it('sends a visitor\'s counts as one delivery per flush, whatever the number of pages', async () => {
    const vid = await visitorIn(false, 0.5, 'count-holdout');
    for (let page = 0; page < 3; page++) {
      const answer = await decideFor(vid, ['recommended']);
      await recorded(vid, answer.decisionId);
      await post('/v1/collect', events(vid, [{ type: 'impression', decision: answer.decisionId, slot: 'recommended' }]));
    }
    const { state, alarm } = await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());
    expect(state!.tallies).toHaveLength(1);
    // The alarm that sends them is set within COUNTER_FLUSH_SECONDS.
    expect(alarm! - Date.now()).toBeLessThanOrEqual(Number(env.COUNTER_FLUSH_SECONDS) * 1000);
    await flushCounts(vid);
    expect((await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect())).state!.tallies).toBeUndefined();
  });

  it('counts nothing for a visitor without analytics consent', async () => {
    const vid = await visitorIn(false, 0.5, 'count-holdout');
    const res = await post('/v1/decide', { v: 1, vid, consent: ['personalization'], slots: [{ id: 'recommended' }], context: {} });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    const { state } = await runInDurableObject(visitor(vid), (object: VisitorProfile) => object.inspect());
    expect(state?.attribution).toBeUndefined();
  });
});

describe('slot experiments', () => {
  beforeAll(() =>
    publish(
      publishExperiments({
        holdout: { share: 0 },
        experiments: [
          { id: 'hero-copy', slot: 'hero', kind: 'ab', arms: [{ id: 'control', weight: 1 }, { id: 'welcome', weight: 1, variant: 'welcome' }] },
          { id: 'similar-vs-personal', slot: 'similar', kind: 'ab', arms: [{ id: 'control', weight: 1 }, { id: 'personal', weight: 1, strategy: 'personal' }] },
          // The active model as its own candidate: the draft's mechanics without a second artifact to train.
          { id: 'together-interleaved', slot: 'together', kind: 'interleave', candidate: demoModel().version, share: 1 },
        ],
      }),
    ),
  );

  it('gives each visitor one arm of an A/B test, sticky, with the arm\'s content, and records the arm and its probability', async () => {
    // Six visitors in each arm, drawn as they come (12 drawn blind land all in one arm once in 2,048 runs).
    const armOf = (vid: string) => (position('hero-copy', vid) < 0.5 ? 'control' : 'welcome');
    const visitors: string[] = [];
    while (visitors.filter((v) => armOf(v) === 'control').length < 6 || visitors.filter((v) => armOf(v) === 'welcome').length < 6) {
      const vid = await newVisitor();
      if (visitors.filter((v) => armOf(v) === armOf(vid)).length < 6) visitors.push(vid);
    }
    const seen = new Set<string>();
    for (const vid of visitors) {
      const arm = armOf(vid);
      seen.add(arm);
      await collectNow(views(vid, ['20', '21']));
      const first = await decideFor(vid, ['hero'], { item: '21' });
      const again = await decideFor(vid, ['hero'], { item: '21' });
      // A returning visitor with interests would see "favourite-category" in control; the arm forces "welcome".
      expect(first.slots.hero!.variant!.id).toBe(again.slots.hero!.variant!.id);
      if (arm === 'welcome') expect(first.slots.hero!.variant!.id).toBe('welcome');
      const { decision } = await recorded(vid, first.decisionId);
      expect(decision.s.hero).toMatchObject({ e: expect.stringMatching(/^hero-copy@/), a: arm, p: 0.5 });
    }
    expect(seen.size).toBe(2);
  });

  it('interleaves the candidate with the active model and credits a click to the team that placed the item', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['30', '31']));
    const answer = await decideFor(vid, ['together'], { item: '31' });
    const { decision } = await recorded(vid, answer.decisionId);
    const slot = decision.s.together!;
    expect(slot).toMatchObject({ e: expect.stringMatching(/^together-interleaved@/), a: 'interleaved', p: 1 });
    expect(slot.i).toEqual(answer.slots.together!.items.map((i) => i.id));
    // One team per item, both teams drafting.
    expect(slot.t).toHaveLength(slot.i!.length);
    expect(new Set(slot.t)).toEqual(new Set(['a', 'c']));
    const before = (await report()).experiments.find((e) => e.id === 'together-interleaved')!.interleaving!;
    const candidatePick = slot.i![slot.t!.indexOf('c')]!;
    await post('/v1/collect', events(vid, [{ type: 'click', item: candidatePick, decision: answer.decisionId, slot: 'together' }]));
    const after = await vi.waitFor(async () => {
      await flushCounts(vid);
      const now = (await report()).experiments.find((e) => e.id === 'together-interleaved')!.interleaving!;
      if (now.wins === before.wins) throw new Error('not counted yet');
      return now;
    });
    expect([after.wins - before.wins, after.losses - before.losses]).toEqual([1, 0]);
  });
});

describe('frequency caps', () => {
  beforeAll(() =>
    publish(
      publishExperiments({
        holdout: { share: 0 },
        caps: [
          { slot: 'hero', variant: 'welcome', max: 2, hours: 24 },
          { slot: 'recommended', max: 3, hours: 1 },
        ],
      }),
    ),
  );

  it('shows a capped variant no more than its cap, then the next one that applies; a capped slot stays empty', async () => {
    const vid = await newVisitor();
    await collectNow(views(vid, ['40', '41']));
    const heroes: string[] = [];
    const recommended: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await decideFor(vid, ['hero', 'recommended']);
      heroes.push(answer.slots.hero!.variant?.id ?? 'none');
      recommended.push(answer.slots.recommended!.items.length);
      await recorded(vid, answer.decisionId);
      // A cap reached goes to the snapshot decisions read at once (a second after the last write at the soonest): as a page later would.
      await flushProfile(vid);
    }
    // A new visitor's hero is "welcome": twice, then the unconditional variant.
    expect(heroes).toEqual(['welcome', 'welcome', 'everyone', 'everyone']);
    expect(recommended).toEqual([4, 4, 4, 0]);
  });
});

describe('bandits', () => {
  it('allocates traffic by Thompson sampling on the scheduled update, keeps the control\'s share, and draws arms by the shares', async () => {
    const config = buildExperiments({
      holdout: { share: 0 },
      experiments: [
        {
          id: 'hero-bandit',
          slot: 'hero',
          kind: 'bandit',
          control: { id: 'control', share: 0.2, variant: 'everyone' },
          arms: [
            { id: 'welcome', variant: 'welcome' },
            { id: 'favourite', variant: 'favourite-category' },
          ],
          minShare: 0.1,
          burnIn: 100,
        },
      ],
    });
    await publish(publishExperiments(config));
    // Past the burn-in: "welcome" clicked far more often than "favourite".
    const day = new Date().toISOString().slice(0, 10);
    const key = experimentKey(config.experiments[0]!);
    await counterShard(env, 0).add({
      id: 'seed-bandit',
      rows: [
        { k: `m|${key}|welcome|ctr|${day}`, n: 1000, s: 120, q: 120 },
        { k: `m|${key}|favourite|ctr|${day}`, n: 1000, s: 40, q: 40 },
        // An earlier phase of the bandit (other arms): its counts teach this one nothing.
        { k: `m|hero-bandit@earlier|favourite|ctr|${day}`, n: 100_000, s: 90_000, q: 90_000 },
      ],
    });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: BANDIT_CRON, scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const stored = (await env.MODELS.get(ALLOCATION_KEY, 'json')) as { shares: Record<string, Record<string, number>> };
    const shares = stored.shares['hero-bandit']!;
    expect(shares.control).toBeCloseTo(0.2, 10);
    expect(shares.welcome).toBeGreaterThan(0.6);
    expect(shares.favourite).toBeGreaterThanOrEqual(0.08 - 1e-9);

    const arms: Record<string, number> = {};
    for (let i = 0; i < 200; i++) {
      const vid = await newVisitor();
      const answer = await decideFor(vid, ['hero']);
      const { decision } = await recorded(vid, answer.decisionId);
      arms[decision.s.hero!.a!] = (arms[decision.s.hero!.a!] ?? 0) + 1;
      expect(decision.s.hero!.p).toBeCloseTo(shares[decision.s.hero!.a!]!, 10);
    }
    expect(arms.welcome!).toBeGreaterThan(arms.favourite!);
    expect(arms.control!).toBeGreaterThan(15);
    const r = await report();
    expect(r.experiments[0]!.allocation!.at(-1)!.shares).toEqual(shares);
  }, 60_000);
});

describe('the report route', () => {
  it('reports decide latency from the Worker\'s own timings, and the model that serves', async () => {
    const r = await vi.waitFor(async () => {
      const now = await report();
      if (!now.latency.length) throw new Error('no timings counted yet');
      return now;
    });
    const hour = r.latency.at(-1)!;
    expect(hour.count).toBeGreaterThan(0);
    expect(hour.p50).toBeGreaterThan(0);
    expect(hour.p50).toBeLessThanOrEqual(hour.p90);
    expect(hour.p90).toBeLessThanOrEqual(hour.p99);
    // The seeded model went live outside the admin API: the report still names it.
    expect(r.models.at(-1)!.version).toBe(demoModel().version);
  });

  it('needs the admin token, and refuses a bad query with a JSON error', async () => {
    expect((await call('/v1/admin/report')).status).toBe(401);
    const bad = await call('/v1/admin/report?days=1000', { headers: admin });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_query' } });
  });

  it('lets a read-only token read the report and the published status, and nothing else', async () => {
    // An optional secret: wrangler's generated types list only the required ones.
    const reader = { authorization: `Bearer ${(env as Env & { ADMIN_READ_TOKEN: string }).ADMIN_READ_TOKEN}` };
    expect((await call('/v1/admin/report', { headers: reader })).status).toBe(200);
    expect((await call('/v1/admin/published', { headers: reader })).status).toBe(200);
    const write = await call('/v1/admin/experiments/rollback', { method: 'POST', headers: reader });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ error: { code: 'read_only_token' } });
  });

  it('lets the Worker\'s own dashboard page read it, and no other page', async () => {
    const own = await call('/v1/admin/report', { headers: { ...admin, 'sec-fetch-site': 'same-origin' } });
    expect(own.status).toBe(200);
    const other = await call('/v1/admin/report', { headers: { ...admin, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } });
    expect(other.status).toBe(403);
    const write = await call('/v1/admin/experiments/rollback', { method: 'POST', headers: { ...admin, 'sec-fetch-site': 'same-origin' } });
    expect(write.status).toBe(403);
  });
});
