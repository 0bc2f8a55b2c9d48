/**
 * Older artifacts: format 3 (before reading in place) and format 4 (postings and offsets stored),
 * refused by the Worker, migrated by `npm run migrate-model`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateArtifact, readFormat4Artifact, readLegacyArtifact } from '../../../edge-worker/cli/legacy-artifact';
import { type ModelArtifact, decodeArtifact, readArtifactHeader } from '../../../edge-worker/src/model/artifact';
import { loadModel, modelQuery, recommend } from '../../../edge-worker/src/model/recommend';
import { publishModel } from '../../../edge-worker/src/published/published';
import { rowCount } from '../../../edge-worker/src/model/rows';

const fixture = (name: string) => new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures', name)));

/**
 * Real artifacts of both older formats: format 3 written by the build before format 4 (synthetic
 * sessions, SKU ids "SKU-n"), and format 4 the same model as the build before format 5 migrated it.
 */
const OLDER: Array<{ format: number; bytes: Uint8Array; read: (bytes: Uint8Array) => ModelArtifact }> = [
  { format: 3, bytes: fixture('format3.bin'), read: readLegacyArtifact },
  { format: 4, bytes: fixture('format4.bin'), read: readFormat4Artifact },
];

describe.each(OLDER)('format $format artifacts', ({ format, bytes, read }) => {
  it('are refused by this build with what to do, never mis-read', () => {
    expect(() => decodeArtifact(bytes)).toThrow(`artifact format ${format} is older than the format this build reads (5); convert it with \`npm run migrate-model`);
    expect(() => publishModel(bytes)).toThrow(new RegExp(`format ${format} is older`));
  });

  it('migrate to the current format with the same model version and the same answers', () => {
    const older = loadModel(read(bytes));
    const migrated = migrateArtifact(bytes);
    expect(readArtifactHeader(migrated)).toMatchObject({ modelVersion: 'format3-fixture', formatVersion: 5 });
    expect(migrated.byteLength).toBeLessThan(bytes.byteLength);
    expect(() => publishModel(migrated)).not.toThrow();
    const model = loadModel(migrated);
    expect(model.idOf('SKU-7')).toBe(7);
    expect(model.itemIdOf(7)).toBe('SKU-7');
    for (const viewed of [['SKU-3', 'SKU-4'], ['SKU-10'], ['SKU-21', 'SKU-2', 'SKU-21']]) {
      const answer = (m: typeof model) => recommend(m, modelQuery(m, viewed), 10).map((r) => [m.itemIdOf(r.item), r.reason, r.score]);
      expect(answer(model)).toEqual(answer(older));
      expect(answer(model).length).toBe(10);
    }
  });

  it('keep only the most recent sessions for session-kNN when asked', () => {
    const all = rowCount(read(bytes).index.sessions);
    const { index } = decodeArtifact(migrateArtifact(bytes, 100));
    expect(all).toBe(300);
    expect(rowCount(index.sessions)).toBe(100);
    expect(Math.max(...index.postings.values)).toBe(99);
  });
});

describe('migrate-model', () => {
  it('refuses an artifact already in the current format, naming the formats it reads', () => {
    const current = migrateArtifact(fixture('format4.bin'));
    expect(() => migrateArtifact(current)).toThrow('migrate-model reads formats 3 and 4; this artifact is format 5');
  });
});
