/**
 * TF.js for the Worker: core plus the pure-JS CPU backend (the wasm backend
 * cannot start in workerd, which forbids compiling wasm from bytes).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

let ready: Promise<boolean> | undefined;

/** Resolves once the CPU backend is active; safe to call on every request. */
export function tfReady(): Promise<boolean> {
  ready ??= tf.setBackend('cpu');
  return ready;
}

export { tf };
