/**
 * Next-item quality on the shoppers' held-back sessions, which were never
 * sent: for every prefix, the live Worker is asked as a new visitor would
 * ask on the prefix's last product page (personalization granted, no visitor
 * id, so no profile: only the model and the session's views), and its list
 * is scored against the item viewed next. Beside it, for reference, two
 * rankers built offline from the sessions the run sent (what the event log
 * holds): popularity, which the shoppers' tastes make poor on purpose, and
 * first-order next clicks, which their related-items walk makes learnable.
 */
import { LIMITS } from '../../../sdk/src/wire';
import { createPop } from '../../src/model/baselines';
import { addCase, createMetrics, summarize, type MetricAccumulator } from '../../src/model/metrics';
import { buildModelIndex } from '../../src/model/model-index';
import { fillTopK, popularOrder } from '../../src/model/popularity';
import { neighbourRow, rowTableFromArrays } from '../../src/model/rows';
import { adminClient, adminTarget } from '../admin-client';
import { activeContender, evaluateGate } from '../gate';
import type { WorkerClient } from './client';
import { pagePath, type World } from './shoppers';

/** HR@20 and MRR@20 in percent over `cases` prefixes. */
export interface NextItemScore {
  cases: number;
  hr20: number;
  mrr20: number;
}

/** The live Worker's score for one slot, and the longest list it returned. */
export interface SlotScore extends NextItemScore {
  slot: string;
  longestList: number;
}

/** The served model's own top 20, scored offline as the quality gate scores it. */
export interface ModelScore extends NextItemScore {
  version: string;
  /** Share of the catalog in at least one top 20, in percent. */
  coverage: number;
}

/** What {@link evaluateHeldBack} measured. */
export interface HeldBackReport {
  /** Items each decide asked for (the slot's configured size caps the answer). */
  asked: number;
  served: SlotScore[];
  /** The Worker's active model (read through the admin API) on 20-item lists; null when the admin API could not be read. */
  model: ModelScore | null;
  /** Rankers built offline from the sent sessions, on the same prefixes (20 items each). */
  reference: { popularity: NextItemScore; nextClicks: NextItemScore };
}

/** Items asked for per prefix: HR@20's depth, within the contract's bound. */
export const ASKED = Math.min(20, LIMITS.slotMax);

function score(acc: MetricAccumulator): NextItemScore {
  const summary = summarize(acc);
  return { cases: acc.cases, hr20: summary['HR@20'], mrr20: summary['MRR@20'] };
}

/**
 * Each session's prefixes (the last `LIMITS.recentItems` views) and the item viewed next.
 * @example prefixes([['a', 'b', 'c']]) // [{ recent: ['a'], next: 'b' }, { recent: ['a', 'b'], next: 'c' }]
 */
export function prefixes(heldBack: readonly (readonly string[])[]): Array<{ recent: string[]; next: string }> {
  return heldBack.flatMap((session) =>
    session.slice(1).map((next, i) => ({ recent: session.slice(Math.max(0, i + 1 - LIMITS.recentItems), i + 1), next })),
  );
}

/**
 * Popularity and next clicks built from `sent`, scored on `cases` (items are
 * numbered by their place in the world's catalog).
 * @example offlineReference(world, sentSessions, prefixes(heldBack)).nextClicks.hr20
 */
export function offlineReference(world: World, sent: readonly (readonly string[])[], cases: ReturnType<typeof prefixes>): HeldBackReport['reference'] {
  const number = new Map(world.items.map((item, i) => [item.id, i]));
  const index = buildModelIndex(rowTableFromArrays(sent.map((session) => session.map((id) => number.get(id)!))));
  const pop = createPop(index, ASKED);
  const order = popularOrder(index.popularity, ASKED);
  const popularity = createMetrics();
  const nextClicks = createMetrics();
  for (const { recent, next } of cases) {
    const target = number.get(next)!;
    const last = number.get(recent[recent.length - 1]!)!;
    addCase(popularity, pop([], ASKED), target);
    const following = last < index.numItems ? neighbourRow(index.next, last).items : [];
    addCase(nextClicks, fillTopK(following, order, ASKED), target);
  }
  return { popularity: score(popularity), nextClicks: score(nextClicks) };
}

/**
 * Scores the live Worker's `slots` (each asked on its own, so no slot takes
 * items from another) and the offline reference on the held-back sessions.
 * @param sent the sessions the run sent, for the offline reference
 * @example const report = await evaluateHeldBack(client, world, shoppers.map((s) => s.heldBack), sent, ['recommended']);
 */
export async function evaluateHeldBack(
  client: WorkerClient,
  world: World,
  heldBack: readonly (readonly string[])[],
  sent: readonly (readonly string[])[],
  slots: readonly string[],
): Promise<HeldBackReport> {
  const cases = prefixes(heldBack);
  const number = new Map(world.items.map((item, i) => [item.id, i]));
  const served = await Promise.all(
    slots.map(async (slot) => {
      const acc = createMetrics();
      let longestList = 0;
      for (const { recent, next } of cases) {
        const item = recent[recent.length - 1]!;
        const path = pagePath(world.byId.get(item)!);
        const decision = await client.decide({ v: 1, consent: ['personalization'], slots: [{ id: slot, max: ASKED }], context: { item, path, recent } });
        const ranked = (decision.slots[slot]?.items ?? []).map((it) => number.get(it.id) ?? -1);
        longestList = Math.max(longestList, ranked.length);
        addCase(acc, ranked, number.get(next)!);
      }
      return { slot, longestList, ...score(acc) };
    }),
  );
  return { asked: ASKED, served, model: await modelScore(client.url, heldBack), reference: offlineReference(world, sent, cases) };
}

/**
 * The active model's next-item HR@20 and MRR@20 on the held-back sessions,
 * with lists of a full 20 (the demo's slots show 4), read through the admin
 * API with this machine's token (the development one for a local Worker).
 */
async function modelScore(url: string, heldBack: readonly (readonly string[])[]): Promise<ModelScore | null> {
  try {
    const { name, contender, catalog } = await activeContender(adminClient(adminTarget(url)));
    const gate = evaluateGate(contender, heldBack, catalog);
    return { version: name, cases: gate.cases, hr20: gate['HR@20'], mrr20: gate['MRR@20'], coverage: gate.coverage };
  } catch (err) {
    process.stderr.write(`simulate: the active model could not be read through the admin API (${(err as Error).message}); its own top-20 score is left out\n`);
    return null;
  }
}
