/**
 * Runs in Node before the workerd tests: trains (or reuses) the demo model and
 * hands its artifact to the tests, which publish it into their isolated KV.
 */
import type { TestProject } from 'vitest/node';
import { demoModel } from '../../demo-shop/scripts/demo-model';

export default function setup(project: TestProject) {
  const model = demoModel();
  project.provide('demoModel', { version: model.version, base64: Buffer.from(model.bytes).toString('base64') });
}
