/** Format 3 artifacts (before reading in place): refused by the Worker, migrated by `npm run migrate-model`. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateArtifact, readLegacyArtifact } from '../../../edge-worker/cli/legacy-artifact';
import { decodeArtifact, readArtifactHeader } from '../../../edge-worker/src/model/artifact';
import { loadModel, modelQuery, recommend } from '../../../edge-worker/src/model/recommend';
import { publishModel } from '../../../edge-worker/src/published/published';
import { rowCount } from '../../../edge-worker/src/model/rows';

/** A real format 3 artifact, written by the build before format 4 (synthetic sessions, SKU ids "SKU-n"). */
const OLD = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', 'format3.bin')));

describe('format 3 artifacts', () => {
  it('are refused by this build with what to do, never mis-read', () => {
    expect(() => decodeArtifact(OLD)).toThrow('artifact format 3 is older than the format this build reads (4); convert it with `npm run migrate-model');
    expect(() => publishModel(OLD)).toThrow(/format 3 is older/);
  });

  it('migrate to the current format with the same model version and the same answers', () => {
    const legacy = loadModel(readLegacyArtifact(OLD));
    const migrated = migrateArtifact(OLD);
    expect(readArtifactHeader(migrated)).toMatchObject({ modelVersion: 'format3-fixture', formatVersion: 4 });
    expect(() => publishModel(migrated)).not.toThrow();
    const model = loadModel(migrated);
    expect(model.idOf('SKU-7')).toBe(7);
    expect(model.itemIdOf(7)).toBe('SKU-7');
    for (const viewed of [['SKU-3', 'SKU-4'], ['SKU-10'], ['SKU-21', 'SKU-2', 'SKU-21']]) {
      const answer = (m: typeof model) => recommend(m, modelQuery(m, viewed), 10).map((r) => [m.itemIdOf(r.item), r.reason]);
      expect(answer(model)).toEqual(answer(legacy));
      expect(answer(model).length).toBe(10);
    }
  });

  it('keep only the most recent sessions for session-kNN when asked', () => {
    const all = rowCount(readLegacyArtifact(OLD).index.sessions);
    const { index } = decodeArtifact(migrateArtifact(OLD, 100));
    expect(all).toBe(300);
    expect(rowCount(index.sessions)).toBe(100);
    expect(Math.max(...index.postings.values)).toBe(99);
  });
});
