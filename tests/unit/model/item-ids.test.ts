/** Shop SKU ids end to end: readers, artifact id table, and a decision in shop ids. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSessions, readTestCases } from '../../../edge-worker/cli/sessions-io';
import { DEFAULT_TRAIN_OPTIONS, trainModel } from '../../../edge-worker/cli/training';
import { memoryCatalog } from '../../../edge-worker/src/catalog/catalog';
import { decide } from '../../../edge-worker/src/engine/decide';
import { DEFAULT_SLOTS } from '../../../edge-worker/src/slots/config';
import { encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { loadModel, modelQuery, recommend } from '../../../edge-worker/src/model/recommend';
import { applyEvents, emptyProfile } from '../../../edge-worker/src/profile/profile';
import { syntheticSessions } from './fixtures';

/** A shop whose item ids are SKUs, not integers: synthetic item n is "SKU-n/blue". */
const sku = (n: number) => `SKU-${n}/blue`;
const dir = mkdtempSync(join(tmpdir(), 'rapport-skus-'));
const trainFile = join(dir, 'train_sessions.txt');
writeFileSync(trainFile, syntheticSessions(1500, 60).map((s) => s.map(sku).join(' ')).join('\n') + '\n');

const QUICK = { ...DEFAULT_TRAIN_OPTIONS, rerankSessions: 500, rerankChunks: 1, maxLists: 2000, epochs: 4, hidden: [4] };

describe('shops whose item ids are not integers', () => {
  const data = readSessions(trainFile);
  const model = loadModel(encodeArtifact(trainModel(data.sessions, 'skus', QUICK, { itemIds: data.itemIds })));

  it('reads SKU sessions into dense model ids and maps test files with the same table', () => {
    expect(data.itemIds?.[0]).toBe('');
    expect(new Set(data.itemIds).size).toBe(data.itemIds!.length);
    const testFile = join(dir, 'test.tsv');
    writeFileSync(testFile, `${sku(5)} ${sku(6)}\t${sku(7)}\n${sku(5)}\tSKU-never-seen\n`);
    const cases = readTestCases(testFile, data.itemIds);
    expect(Array.from(cases.prefixes.values, (id) => data.itemIds![id])).toEqual([sku(5), sku(6), sku(5)]);
    expect(data.itemIds![cases.targets[0]!]).toBe(sku(7));
    // An item training never saw is model id 0, which no model knows: a miss.
    expect(cases.targets[1]).toBe(0);
  });

  it('recommends by SKU after the artifact round trip', () => {
    expect(model.idOf('SKU-never-seen')).toBeUndefined();
    expect(model.idOf('5')).toBeUndefined();
    const recs = recommend(model, modelQuery(model, [sku(5), sku(6)]), 5).map((r) => model.itemIdOf(r.item));
    expect(recs).toHaveLength(5);
    expect(recs.every((id) => /^SKU-\d+\/blue$/.test(id))).toBe(true);
    // In these sessions item n is mostly followed by n + 1.
    expect(recs).toContain(sku(7));
  });

  it('fills slots with the catalog items those SKUs name', () => {
    const catalog = memoryCatalog(
      Array.from({ length: 60 }, (_, i) => ({
        id: sku(i + 1),
        title: `Item ${i + 1}`,
        category: `c${i % 6}`,
        price: 10,
        rating: 4,
        stock: 5,
        popularity: 60 - i,
        url: `/p/${i + 1}`,
        image: '',
      })),
    );
    const now = 1_800_000_000;
    const events = [5, 6].map((n, i) => ({ id: `e-${i}-000`, type: 'product_view' as const, item: sku(n), ts: now * 1000 }));
    const { profile } = applyEvents(emptyProfile(now), events, 'sess-0001', now, () => undefined);
    const decision = decide({ request: { v: 1, consent: ['personalization'], slots: [{ id: 'recommended' }], context: {} }, catalog, model, profile, slots: DEFAULT_SLOTS, now });
    const items = decision.recommended!.items;
    expect(items).toHaveLength(4);
    expect(items.map((i) => i.id)).toContain(sku(7));
    expect(items.some((i) => i.rec.reason !== 'popular')).toBe(true);
  });
});
