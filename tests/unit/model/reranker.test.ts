/** The re-ranker: forward pass and the input gradient that reasons use, checked against finite differences. */
import { describe, expect, it } from 'vitest';
import { memory } from '@tensorflow/tfjs-core';
import { NUM_FEATURES } from '../../../edge-worker/src/model/features';
import { createReranker, type DenseWeights, inputGradient, scoreRows, warmReranker } from '../../../edge-worker/src/model/reranker';
import { averagedNetworks } from '../../../edge-worker/cli/training';
import { patternWeights } from './fixtures';

/** Dense layers of the given widths, filled with a wave shifted by `phase`. */
function waveLayers(widths: number[], phase: number): DenseWeights[] {
  const wave = (n: number, shift: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.9 + shift) * 0.6);
  return widths.slice(1).map((outputs, l) => {
    const inputs = widths[l]!;
    return { inputs, outputs, kernel: wave(inputs * outputs, phase + l), bias: wave(outputs, phase - l) };
  });
}

describe('re-ranker', () => {
  it('warms up at isolate start without keeping a tensor', () => {
    warmReranker();
    const before = memory().numTensors;
    for (let i = 0; i < 3; i++) warmReranker();
    expect(memory().numTensors).toBe(before);
  });

  it('scores rows like the plain standardise → dense → ReLU → dense forward pass', () => {
    const weights = patternWeights(6);
    const reranker = createReranker(weights);
    const rows = 5;
    const x = Float32Array.from({ length: rows * NUM_FEATURES }, (_, i) => Math.cos(i * 1.3) * 2);
    const [first, second] = weights.layers;
    const expected = Array.from({ length: rows }, (_, r) => {
      const hidden = Array.from({ length: first!.outputs }, (_, o) => {
        let sum = first!.bias[o]!;
        for (let i = 0; i < NUM_FEATURES; i++) sum += ((x[r * NUM_FEATURES + i]! - weights.mean[i]!) / weights.std[i]!) * first!.kernel[i * first!.outputs + o]!;
        return Math.max(0, sum);
      });
      return hidden.reduce((sum, h, o) => sum + h * second!.kernel[o]!, second!.bias[0]!);
    });
    // Twice, the second time with fewer rows, so the reused input buffer is exercised.
    for (const n of [rows, 2]) {
      const got = scoreRows(reranker, x.subarray(0, n * NUM_FEATURES), n).logits;
      expect(got).toHaveLength(n);
      got.forEach((v, r) => expect(v).toBeCloseTo(expected[r]!, 4));
    }
  });

  it("gives each feature's gradient: a small step along a feature moves the logit by gradient × step", () => {
    const reranker = createReranker(patternWeights(6));
    const x = Float32Array.from({ length: NUM_FEATURES }, (_, i) => Math.sin(i * 0.7) * 1.5);
    const scored = scoreRows(reranker, x, 1);
    const gradient = inputGradient(reranker, scored, 0);
    const step = 1e-3;
    let nonZero = 0;
    for (let f = 0; f < NUM_FEATURES; f++) {
      const nudged = Float32Array.from(x);
      nudged[f] = nudged[f]! + step;
      const moved = scoreRows(reranker, nudged, 1).logits[0]! - scored.logits[0]!;
      expect(moved).toBeCloseTo(gradient[f]! * step, 4);
      if (Math.abs(gradient[f]!) > 1e-4) nonZero++;
    }
    // The check means something only if the gradient is not all zeros.
    expect(nonZero).toBeGreaterThan(NUM_FEATURES / 2);
  });

  it('serves an ensemble as one network whose score is the mean of its members', () => {
    const { mean, std } = patternWeights(1);
    const x = Float32Array.from({ length: 4 * NUM_FEATURES }, (_, i) => Math.cos(i * 0.37) * 2);
    for (const widths of [[NUM_FEATURES, 6, 1], [NUM_FEATURES, 5, 3, 1]]) {
      const members = [0.3, 1.9, 4.1].map((phase) => waveLayers(widths, phase));
      const logits = (layers: DenseWeights[]) => scoreRows(createReranker({ mean, std, layers }), x, 4).logits;
      const each = members.map(logits);
      const merged = averagedNetworks(members);
      expect(merged[0]!.outputs).toBe(3 * widths[1]!);
      logits(merged).forEach((v, r) => expect(v).toBeCloseTo(each.reduce((sum, l) => sum + l[r]!, 0) / 3, 4));
      // The members differ, so the mean is not any one of them.
      expect(new Set(each.map((l) => l[0]!.toFixed(3))).size).toBe(3);
    }
    const single = waveLayers([NUM_FEATURES, 4, 1], 0.5);
    expect(averagedNetworks([single])).toBe(single);
  });
});
