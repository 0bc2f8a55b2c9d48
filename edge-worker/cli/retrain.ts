/**
 * `npm run retrain`: the learning loop in one command. It reads the event
 * log, holds back its most recent sessions, trains a candidate on the rest,
 * lets the quality gate (`gate.ts`) compare the candidate with the active
 * model on the held-back sessions, and publishes the candidate (stored,
 * then activated, through the admin API) only if the gate passes. The model
 * it replaces stays stored: `npm run admin -- rollback model` re-activates it.
 *
 * Locally it reads the log from wrangler's state (`--persist-to`, default
 * `.wrangler/state`, where `npm start` keeps it) and publishes through the
 * Worker on this machine (`npm start`'s, say), starting one on that state
 * (with `--config`, default the product's wrangler.toml) if none is running.
 * With `--remote --url <worker>` it publishes to a deployed Worker (token in
 * RAPPORT_ADMIN_TOKEN) and reads the log named by `--log`: `r2://<bucket>`
 * (credentials in R2_ACCOUNT_ID, R2_ACCESS_KEY_ID, R2_SECRET_ACCESS_KEY) or
 * a copy of the bucket on disk. Exit status: 0 published or refused by the
 * gate (the JSON line says which), 1 failed, 2 usage.
 */
import { performance } from 'node:perf_hooks';
import { encodeArtifact } from '../src/model/artifact';
import { loadModel } from '../src/model/recommend';
import { rowCount, rowValues } from '../src/model/rows';
import { publishExperiments, publishModel } from '../src/published/published';
import { buildExperiments } from '../src/experiments/config';
import { withCanary } from './canary';
import { LOCAL_URL, UsageError, adminClient, adminTarget, type AdminClient } from './admin-client';
import { parseCliArgs, trainOptions } from './args';
import { keepFirstSessions, readSessionRows } from './clicks';
import { DEFAULT_RETENTION_DAYS, type LogClicks, openLog } from './event-log';
import { activeContender, DEFAULT_TOLERANCE, evaluateGate, verdict, type GateMetrics } from './gate';
import { trainFromClicks } from './training';
import { startDevServer, type DevServer } from './wrangler';

const USAGE = `usage: retrain [--persist-to <dir>] [--config <wrangler.toml>] [--url <worker>] [--remote --url <worker> --log <r2://bucket | dir>]
               [--holdout 0.1] [--tolerance 0.5] [--coverage-tolerance 5] [--retention-days 180] [--options '<json>'] [--dry-run] [--json]
  --holdout             share of the log's most recent sessions held back to judge by (not trained on)
  --tolerance           how many points of HR@20 or MRR@20 the candidate may lose and still be published
  --coverage-tolerance  how many points of catalog coverage it may lose
  --dry-run             train and judge, publish nothing
  --canary <slot>       a candidate that passes is not activated: it runs on that slot against the active model first
                        (--canary-kind ab: --canary-share of its visitors see it; interleave: that share of its lists mix both models)`;

const ARGS = {
  log: { type: 'string' },
  'persist-to': { type: 'string', default: '.wrangler/state' },
  config: { type: 'string' },
  url: { type: 'string' },
  remote: { type: 'boolean', default: false },
  holdout: { type: 'string', default: '0.1' },
  tolerance: { type: 'string', default: String(DEFAULT_TOLERANCE.accuracy) },
  'coverage-tolerance': { type: 'string', default: String(DEFAULT_TOLERANCE.coverage) },
  'retention-days': { type: 'string', default: String(DEFAULT_RETENTION_DAYS) },
  options: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  canary: { type: 'string' },
  'canary-kind': { type: 'string', default: 'ab' },
  'canary-share': { type: 'string', default: '0.1' },
} as const;

/** Fewer training sessions than this teach a model nothing worth publishing. */
const MIN_TRAINING_SESSIONS = 50;

function usage(message: string): never {
  process.stderr.write(`retrain: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Whether a Worker answers at `url`. */
async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/v1/health`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

function row(name: string, m: GateMetrics): string {
  return [name.padEnd(12), m['HR@20'].toFixed(2).padStart(8), m['MRR@20'].toFixed(2).padStart(8), m.coverage.toFixed(1).padStart(10)].join(' ');
}

async function main(): Promise<void> {
  const args = parseCliArgs(ARGS, USAGE);
  const canaryShare = Number(args['canary-share']);
  if (args.canary !== undefined && !(canaryShare > 0 && canaryShare <= 1)) usage('--canary-share must be a share above 0, up to 1');
  if (args['canary-kind'] !== 'ab' && args['canary-kind'] !== 'interleave') usage('--canary-kind is ab or interleave');
  const holdout = Number(args.holdout);
  if (!(holdout > 0 && holdout < 1)) usage('--holdout must be a share between 0 and 1, such as 0.1');
  const tolerance = { accuracy: Number(args.tolerance), coverage: Number(args['coverage-tolerance']) };
  if (!(tolerance.accuracy >= 0) || !(tolerance.coverage >= 0)) usage('--tolerance and --coverage-tolerance are points, 0 or more');
  if (args.remote && !args.url) usage("--remote publishes through the deployed Worker's admin API: give its URL with --url");
  if (args.remote && !args.log) usage('--remote reads the log from the bucket: --log r2://<bucket> (or a copy of it on disk)');
  const location = args.log ?? args['persist-to']!;
  let admin: AdminClient;
  try {
    admin = adminClient(adminTarget(args.url ?? LOCAL_URL));
  } catch (err) {
    if (err instanceof UsageError) usage(err.message);
    throw err;
  }

  const started = performance.now();
  const log = await openLog(location, { retentionDays: Number(args['retention-days']) });
  try {
    await retrain(args, log, location, admin, started);
  } finally {
    log.store.engine.close();
  }
}

type RetrainArgs = ReturnType<typeof parseCliArgs<typeof ARGS>>;

/** Holds back the log's latest sessions, trains on the rest, judges, and publishes or refuses. */
async function retrain(args: RetrainArgs, log: LogClicks, location: string, admin: AdminClient, started: number): Promise<void> {
  const holdout = Number(args.holdout);
  const tolerance = { accuracy: Number(args.tolerance), coverage: Number(args['coverage-tolerance']) };
  const canaryShare = Number(args['canary-share']);
  const total = log.store.sessions;
  const held = Math.max(1, Math.floor(total * holdout));
  const item = (id: number) => (log.store.itemIds ? log.store.itemIds[id]! : String(id));
  const heldBackRows = await readSessionRows(log.store, total - held, total);
  const heldBack = Array.from({ length: held }, (_, s) => Array.from(rowValues(heldBackRows, s), item));
  process.stderr.write(`log ${location}: ${log.days.length} days, ${log.events} events, ${total} sessions, ${rowCount(log.baskets)} orders\n`);
  if (total - held < MIN_TRAINING_SESSIONS) {
    throw new Error(`the log holds ${total} sessions of two or more views; retraining needs ${MIN_TRAINING_SESSIONS} besides the ${held} held back`);
  }
  const training = await keepFirstSessions(log.store, total - held);

  let server: DevServer | undefined;
  const url = new URL(args.url ?? LOCAL_URL);
  if (!args.remote && !(await answers(url.origin))) {
    process.stderr.write(`no Worker answers at ${url.origin}: starting one on ${args['persist-to']} to publish through\n`);
    server = await startDevServer({ port: Number(url.port || 80), persistTo: args['persist-to']!, config: args.config });
  }
  try {
    const active = await activeContender(admin);
    const catalogIds = active.catalog.length ? active.catalog : [...new Set(heldBack.flat())];

    const artifact = await trainFromClicks(training, 'event-log', trainOptions(args.options), { baskets: log.baskets });
    const bytes = encodeArtifact(artifact);
    const candidate = evaluateGate({ model: loadModel(bytes) }, heldBack, catalogIds);
    const current = evaluateGate(active.contender, heldBack, catalogIds);
    const judged = verdict(candidate, current, tolerance);

    console.log(`held back: the ${held} most recent sessions (${(holdout * 100).toFixed(0)} %), ${candidate.cases} next-item cases; catalog ${catalogIds.length} items`);
    console.log(['model'.padEnd(12), 'HR@20'.padStart(8), 'MRR@20'.padStart(8), 'coverage %'.padStart(10)].join(' '));
    console.log(row('candidate', candidate));
    console.log(row('active', current));
    console.log(`active: ${active.name}; candidate: ${artifact.modelVersion}, trained on ${total - held} sessions`);
    let published = false;
    if (!judged.publish) {
      console.log(`verdict: refused (${judged.reasons.join('; ')}); the active model stays`);
    } else if (args['dry-run']) {
      console.log('verdict: publish (a dry run: nothing published)');
    } else if (args.canary !== undefined) {
      await admin.publish(publishModel(bytes), false);
      const status = await admin.status();
      const active = status.experiments.active;
      const current = active ? buildExperiments(JSON.parse(new TextDecoder().decode(await admin.value('experiments', active)))) : buildExperiments({});
      const canary = { slot: args.canary, version: artifact.modelVersion, kind: args['canary-kind'] as 'ab' | 'interleave', share: canaryShare };
      await admin.publish(publishExperiments(withCanary(current, canary)), true);
      published = true;
      console.log(`verdict: publish as a canary; model ${artifact.modelVersion} is stored, not active, and runs on slot ${canary.slot} (${canary.kind}, share ${canary.share}) against ${active ? 'the active model' : 'it'}`);
      console.log(`the uplift report (/admin/) says how it does; to promote it: npm run admin -- activate model ${artifact.modelVersion}`);
    } else {
      await admin.publish(publishModel(bytes), false);
      const change = await admin.activate('model', artifact.modelVersion);
      published = true;
      console.log(`verdict: publish; model ${artifact.modelVersion} is active (was ${change.previous ?? 'none'}), served within ${change.servedWithinSeconds.allLocations} s`);
      console.log('to go back: npm run admin -- rollback model');
    }
    const seconds = (performance.now() - started) / 1000;
    if (args.json) {
      console.log(
        JSON.stringify({
          log: { location, days: log.days.length, events: log.events, sessions: total, orders: rowCount(log.baskets) },
          heldBack: { sessions: held, cases: candidate.cases },
          candidate: { version: artifact.modelVersion, ...candidate },
          active: { version: active.name, ...current },
          tolerance,
          verdict: judged.publish ? 'publish' : 'refuse',
          reasons: judged.reasons,
          published,
          seconds: Math.round(seconds),
        }),
      );
    }
  } finally {
    await server?.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`retrain: ${(err as Error).message}\n`);
  process.exit(1);
});
