/**
 * The re-ranker: a small MLP over candidate features (TF.js CPU backend), its forward pass shared
 * by training and serving, the softmax over a list's logits, and exact input gradients for reasons.
 * `#tf-backend` (package.json `imports`) is the whole backend in Node and, in the Worker, only the
 * kernels serving runs (`tf-serving.ts`).
 */
import * as tf from '@tensorflow/tfjs-core';
import '#tf-backend';

/** One dense layer: row-major kernel (inputs × outputs) and bias. */
export interface DenseWeights {
  inputs: number;
  outputs: number;
  kernel: Float32Array;
  bias: Float32Array;
}

/** The re-ranker's parameters: feature standardisation, then dense layers with ReLU between them. */
export interface RerankerWeights {
  mean: Float32Array;
  std: Float32Array;
  layers: DenseWeights[];
}

/** Dense-layer tensors; variables while training, constants when serving. Inputs must already be standardised. */
export interface RerankerParams {
  kernels: tf.Tensor2D[];
  biases: tf.Tensor1D[];
}

/** A re-ranker ready to score, holding its tensors for the life of the isolate. */
export interface Reranker {
  numFeatures: number;
  params: RerankerParams;
  /** The same layers as plain arrays (standardisation folded in), for attributions. */
  layers: DenseWeights[];
}

/** Scores of some rows, and each hidden layer's (post-ReLU) output for them, row-major. */
export interface Scored {
  logits: Float32Array;
  hidden: Float32Array[];
}

/** Selects the pure-JS CPU backend (synchronous for it), the one that runs in Node and in workerd alike. */
export function useCpuBackend(): void {
  if (tf.getBackend() !== 'cpu') void tf.setBackend('cpu');
}

/**
 * The MLP's forward pass over standardised rows; returns every layer's output (the last is the
 * logit column). Fused matMul+bias+ReLU keeps it to one kernel per layer, which is what makes a
 * request cheap on the CPU backend. Training and serving share it.
 */
export function rerankerLayers(params: RerankerParams, x: tf.Tensor2D): tf.Tensor2D[] {
  const outputs: tf.Tensor2D[] = [];
  let h = x;
  params.kernels.forEach((kernel, i) => {
    const bias = params.biases[i];
    if (bias === undefined) throw new Error('re-ranker bias missing');
    const last = i === params.kernels.length - 1;
    h = tf.fused.matMul({ a: h, b: kernel, bias, activation: last ? 'linear' : 'relu' }) as tf.Tensor2D;
    outputs.push(h);
  });
  return outputs;
}

/** Builds constant tensors from stored weights, folding the standardisation into the first layer. */
export function createReranker(weights: RerankerWeights): Reranker {
  useCpuBackend();
  const [first, ...rest] = weights.layers;
  if (first === undefined) throw new Error('re-ranker has no layers');
  // (x - mean) / std · W + b  =  x · (W / std) + (b - (mean / std) · W)
  const kernel = new Float32Array(first.kernel.length);
  const bias = Float32Array.from(first.bias);
  for (let i = 0; i < first.inputs; i++) {
    const scale = 1 / (weights.std[i] ?? 1);
    const shift = (weights.mean[i] ?? 0) * scale;
    for (let o = 0; o < first.outputs; o++) {
      const w = first.kernel[i * first.outputs + o] ?? 0;
      kernel[i * first.outputs + o] = w * scale;
      bias[o] = (bias[o] ?? 0) - shift * w;
    }
  }
  const layers = [{ ...first, kernel, bias }, ...rest];
  return {
    numFeatures: first.inputs,
    layers,
    params: {
      kernels: layers.map((l) => tf.tensor2d(l.kernel, [l.inputs, l.outputs])),
      biases: layers.map((l) => tf.tensor1d(l.bias)),
    },
  };
}

/**
 * Scores one row through a network of one unit a layer and frees it: an isolate that calls this
 * when it starts compiles TF.js's path through a forward pass there, not in its first decision
 * (in local workerd, creating the first re-ranker and scoring with it took 10–25 ms more the
 * first time than ever after). The Worker calls it at module scope.
 */
export function warmReranker(): void {
  const unit = (): DenseWeights => ({ inputs: 1, outputs: 1, kernel: new Float32Array([1]), bias: new Float32Array(1) });
  const reranker = createReranker({ mean: new Float32Array(1), std: new Float32Array([1]), layers: [unit(), unit()] });
  scoreRows(reranker, new Float32Array([1]), 1);
  tf.dispose([...reranker.params.kernels, ...reranker.params.biases]);
}

/**
 * Scores `rows` raw feature rows (row-major, numFeatures wide) in one TF.js
 * pass; higher is better. A whole decision's candidate rows go through one
 * call: on the CPU backend each call costs a fixed overhead far larger than
 * the arithmetic of a few hundred rows.
 */
export function scoreRows(reranker: Reranker, features: Float32Array, rows: number): Scored {
  if (rows === 0) return { logits: new Float32Array(0), hidden: reranker.layers.slice(1).map(() => new Float32Array(0)) };
  // No tf.tidy: on a request this small its scope bookkeeping is a real share of the cost, and there are only a few tensors to free.
  const input = tf.tensor2d(features.subarray(0, rows * reranker.numFeatures), [rows, reranker.numFeatures]);
  const layers = rerankerLayers(reranker.params, input);
  const outputs = layers.map((layer) => layer.dataSync() as Float32Array);
  tf.dispose([input, ...layers]);
  return { logits: Float32Array.from(outputs[outputs.length - 1] ?? []), hidden: outputs.slice(0, -1) };
}

/**
 * The softmax normaliser of one list's logits, `logits[start, end)`: the largest logit and
 * Σ exp(logit − max), so an item's share is exp(logit − max) / sum. Training's loss and the
 * served scores both use it.
 */
export function softmaxNormaliser(logits: Float32Array, start: number, end: number): { max: number; sum: number } {
  let max = -Infinity;
  for (let r = start; r < end; r++) max = Math.max(max, logits[r] ?? 0);
  let sum = 0;
  for (let r = start; r < end; r++) sum += Math.exp((logits[r] ?? 0) - max);
  return { max, sum };
}

/**
 * The gradient of one row's logit with respect to its raw features. The
 * network is piecewise linear, so this is exact within the row's ReLU
 * pattern, which `scored.hidden` gives; gradient × feature then says how much
 * each feature contributed relative to a blank (all-zero) row.
 */
export function inputGradient(reranker: Reranker, scored: Scored, row: number): Float32Array {
  const { layers } = reranker;
  let delta = new Float32Array([1]);
  for (let l = layers.length - 1; l >= 0; l--) {
    const { inputs, outputs, kernel } = layers[l]!;
    const below = new Float32Array(inputs);
    const active = l > 0 ? scored.hidden[l - 1] : undefined;
    for (let i = 0; i < inputs; i++) {
      // A hidden unit that is off passes no gradient.
      if (active && (active[row * inputs + i] ?? 0) <= 0) continue;
      let sum = 0;
      for (let o = 0; o < outputs; o++) sum += (kernel[i * outputs + o] ?? 0) * (delta[o] ?? 0);
      below[i] = sum;
    }
    delta = below;
  }
  return delta;
}

/** Reads trained tensors back into plain weights, with the standardisation they were trained under. */
export function readWeights(params: RerankerParams, mean: Float32Array, std: Float32Array): RerankerWeights {
  return {
    mean,
    std,
    layers: params.kernels.map((kernel, i) => {
      const [inputs = 0, outputs = 0] = kernel.shape;
      const bias = params.biases[i];
      if (bias === undefined) throw new Error('re-ranker bias missing');
      return { inputs, outputs, kernel: Float32Array.from(kernel.dataSync()), bias: Float32Array.from(bias.dataSync()) };
    }),
  };
}
