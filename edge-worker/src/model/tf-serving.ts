/**
 * The TF.js CPU backend with only the kernels serving runs: the re-ranker's fused matMul (with
 * the reshapes around it). The whole backend registers every kernel TF.js has (~120 KB of the
 * Worker's bundle); training, in Node, loads it whole (package.json `imports`: `#tf-backend`).
 */
import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu/dist/base';
import { _fusedMatMulConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/_FusedMatMul';
import { reshapeConfig } from '@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape';

for (const config of [_fusedMatMulConfig, reshapeConfig]) if (!getKernel(config.kernelName, 'cpu')) registerKernel(config);
