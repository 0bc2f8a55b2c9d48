/**
 * `npm run aa -- [--experiments N] [--seed S] [--visitors V] [--looks L] [--min-sample M] [--json]`: A/A
 * experiments read with the fixed interval and the confidence sequence, once and at every look, and
 * with the dashboard's verdict (`edge-worker/cli/aa-simulation.ts`), and the false-positive rate of each. With `--json` the
 * figures are one JSON object on the last line of stdout.
 */
import { parseCliArgs, usageError } from '../edge-worker/cli/args';
import { DEFAULT_AA_OPTIONS, formatAA, simulateAA } from '../edge-worker/cli/aa-simulation';

const USAGE = 'usage: npm run aa -- [--experiments 1000] [--seed 1] [--visitors 20000] [--looks 20] [--min-sample 2000] [--json]';

const args = parseCliArgs(
  {
    experiments: { type: 'string', default: String(DEFAULT_AA_OPTIONS.experiments) },
    seed: { type: 'string', default: String(DEFAULT_AA_OPTIONS.seed) },
    visitors: { type: 'string', default: String(DEFAULT_AA_OPTIONS.visitors) },
    looks: { type: 'string', default: String(DEFAULT_AA_OPTIONS.looks) },
    'min-sample': { type: 'string', default: String(DEFAULT_AA_OPTIONS.minSample) },
    json: { type: 'boolean', default: false },
  },
  USAGE,
);

function integer(name: string, value: string, min: number): number {
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed >= min ? parsed : usageError(`--${name} must be an integer ≥ ${min}, not ${value}`, USAGE);
}

const started = performance.now();
const result = simulateAA({
  experiments: integer('experiments', args.experiments, 1),
  seed: integer('seed', args.seed, 0),
  visitors: integer('visitors', args.visitors, 2),
  looks: integer('looks', args.looks, 1),
  minSample: integer('min-sample', args['min-sample'], 0),
});
const seconds = (performance.now() - started) / 1000;
console.log(`${formatAA(result)}\n\n${seconds.toFixed(1)} s`);
if (args.json) console.log(JSON.stringify({ ...result, seconds: Number(seconds.toFixed(1)) }));
