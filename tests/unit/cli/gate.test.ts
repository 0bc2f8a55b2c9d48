/**
 * The quality gate on real models: a candidate trained on the shop's
 * sessions beats the popularity order and is published; a deliberately
 * worse candidate (trained on the same sessions with their order shuffled,
 * so it learns no "what comes next") is refused against the better one,
 * with a reason a merchant can read; the tolerance lets a tie through.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOLERANCE, evaluateGate, verdict, type GateMetrics } from '../../../edge-worker/cli/gate';
import { trainModel, DEFAULT_TRAIN_OPTIONS } from '../../../edge-worker/cli/training';
import { encodeArtifact } from '../../../edge-worker/src/model/artifact';
import { seededRandom } from '../../../edge-worker/src/model/random';
import { loadModel, type LoadedModel } from '../../../edge-worker/src/model/recommend';
import { rowTableFromArrays } from '../../../edge-worker/src/model/rows';
import { syntheticSessions } from '../model/fixtures';

const SMALL = { ...DEFAULT_TRAIN_OPTIONS, rerankSessions: 400, rerankChunks: 2, maxLists: 2000, epochs: 1 };
const ITEMS = 120;

const sessions = syntheticSessions(1400, ITEMS);
const training = sessions.slice(0, 1200);
const heldBack = sessions.slice(1200).map((session) => session.map(String));
const catalog = Array.from({ length: ITEMS }, (_, i) => String(i + 1));

/** The same views in a random order within each session: popularity survives, sequence does not. */
function shuffled(rows: number[][]): number[][] {
  const random = seededRandom(99);
  return rows.map((row) => {
    const out = [...row];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  });
}

const model = (rows: number[][]): LoadedModel => loadModel(encodeArtifact(trainModel(rowTableFromArrays(rows), 'gate-test', SMALL)));

let good: GateMetrics;
let worse: GateMetrics;
let popular: GateMetrics;

beforeAll(() => {
  good = evaluateGate({ model: model(training) }, heldBack, catalog);
  worse = evaluateGate({ model: model(shuffled(training)) }, heldBack, catalog);
  // The popularity order the Worker serves without a model: here, most viewed first.
  const counts = new Map<string, number>();
  for (const item of training.flat()) counts.set(String(item), (counts.get(String(item)) ?? 0) + 1);
  popular = evaluateGate({ popularity: [...counts].sort((a, b) => b[1] - a[1]).map(([item]) => item) }, heldBack, catalog);
}, 120_000);

describe('the quality gate', () => {
  it('scores every prefix of every held-back session', () => {
    const cases = heldBack.reduce((sum, session) => sum + session.length - 1, 0);
    expect(good.cases).toBe(cases);
    expect(good['HR@20']).toBeGreaterThan(0);
    expect(good.coverage).toBeGreaterThan(0);
  });

  it('publishes a trained candidate over the popularity order', () => {
    expect(good['HR@20']).toBeGreaterThan(popular['HR@20'] + 10);
    expect(verdict(good, popular)).toEqual({ publish: true, reasons: [] });
  });

  it('refuses a deliberately worse candidate, naming the metric and by how much', () => {
    expect(worse['MRR@20']).toBeLessThan(good['MRR@20'] - DEFAULT_TOLERANCE.accuracy);
    const judged = verdict(worse, good);
    expect(judged.publish).toBe(false);
    expect(judged.reasons.join('; ')).toMatch(/MRR@20 \d+\.\d\d is \d+\.\d\d points below the active model's \d+\.\d\d \(tolerance 0\.5\)/);
  });

  it('lets a candidate within the tolerance through, and none past it', () => {
    const active: GateMetrics = { 'HR@20': 50, 'MRR@20': 20, coverage: 40, cases: 100 };
    expect(verdict({ ...active, 'HR@20': 49.6 }, active).publish).toBe(true);
    expect(verdict({ ...active, 'HR@20': 49.4 }, active).publish).toBe(false);
    expect(verdict({ ...active, coverage: 34 }, active).reasons).toEqual([expect.stringMatching(/^coverage 34\.00 is 6\.00 points below/)]);
    expect(verdict({ ...active, 'HR@20': 49 }, active, { accuracy: 2, coverage: 5 }).publish).toBe(true);
  });

  it('refuses when there is nothing to judge by', () => {
    const none: GateMetrics = { 'HR@20': 0, 'MRR@20': 0, coverage: 0, cases: 0 };
    expect(verdict(none, none)).toEqual({ publish: false, reasons: [expect.stringContaining('no held-back case')] });
  });
});
