/** The served model on a slice of real Diginetica sessions must beat POP and S-POP, and answer alike with its postings deferred and from its shards. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expandPrefixes, readSessions } from '../../../edge-worker/cli/sessions-io';
import { DEFAULT_TRAIN_OPTIONS, trainModel } from '../../../edge-worker/cli/training';
import { decodeArtifact, encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { type Recommender, createPop, createSessionPop } from '../../../edge-worker/src/model/baselines';
import { addCase, createMetrics, summarize } from '../../../edge-worker/src/model/metrics';
import { rowCount, rowValues, sliceRows } from '../../../edge-worker/src/model/rows';
import { loadModel, recommend } from '../../../edge-worker/src/model/recommend';
import { coreModel } from './fixtures';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const trainFile = resolve(repoRoot, '../shared/data/sessions/diginetica/train_sessions.txt');
const present = existsSync(trainFile);
if (!present) console.warn(`skipping the real-data model test: ${trainFile} not found (../shared/data is absent)`);

describe.skipIf(!present)('served model on a slice of Diginetica', () => {
  it('beats POP and S-POP on held-out later sessions', () => {
    const all = readSessions(trainFile).sessions;
    const train = sliceRows(all, 0, 30000);
    const test = expandPrefixes(sliceRows(all, 30000, 32000));
    const artifact = trainModel(train, 'diginetica-slice', { ...DEFAULT_TRAIN_OPTIONS, rerankSessions: 6000, rerankChunks: 4, maxLists: 5000, epochs: 2 });
    const bytes = encodeArtifact(artifact);
    const served = loadModel(decodeArtifact(bytes));
    // As the Worker loads it, postings deferred: real sessions answered by scanning are answered alike.
    const deferred = loadModel(bytes, { deferPostings: true });
    for (let r = 0; r < 300; r++) {
      const prefix = rowValues(test.prefixes, r);
      expect(recommend(deferred, prefix, 20), `test prefix ${r}`).toEqual(recommend(served, prefix, 20));
    }
    expect(deferred.artifact.index.postingsBuilt?.()).toBe(false);
    // Read as a sharded model is, from its core and each prefix's items' shards alone: alike again.
    const sharded = encodeArtifact(artifact, { shardBytes: 16 * 1024 });
    expect(decodeArtifact(sharded).shards!.count).toBeGreaterThan(20);
    for (let r = 0; r < 300; r++) {
      const prefix = rowValues(test.prefixes, r);
      const core = coreModel(sharded);
      core.place(prefix);
      expect(recommend(core.model, prefix, 20), `test prefix ${r}, sharded`).toEqual(recommend(served, prefix, 20));
    }
    const hr20 = (model: Recommender): number => {
      const acc = createMetrics();
      for (let r = 0; r < test.targets.length; r++) {
        addCase(acc, model(rowValues(test.prefixes, r), 20), test.targets[r]!);
      }
      return summarize(acc)['HR@20'];
    };
    const servedHr = hr20((prefix, k) => Uint32Array.from(recommend(served, prefix, k), (r) => r.item));
    const index = artifact.index;
    expect(rowCount(index.sessions)).toBe(30000);
    expect(servedHr).toBeGreaterThan(hr20(createPop(index)));
    expect(servedHr).toBeGreaterThan(hr20(createSessionPop(index)) + 5);
  }, 300_000);
});
