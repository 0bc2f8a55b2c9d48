/**
 * The learning loop end to end under `wrangler dev`, as a merchant runs it:
 * events through the real collect route → the visitor objects → the local
 * queue and its consumer → NDJSON in local R2 → `npm run retrain` (DuckDB
 * reading the files where they lie, training, the quality gate, publishing
 * through the admin API) → decisions served by the new model → `npm run
 * admin -- rollback model`. Also: the real OTTO sessions, sent through
 * collect, train the same artifact as the equivalent sessions file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG, seed } from '../../demo-shop/scripts/seed';
import { catalogFeed } from '../../demo-shop/src/catalog';
import { logDays, readLog } from '../../edge-worker/cli/event-log';
import { readBaskets, readSessions } from '../../edge-worker/cli/sessions-io';
import { DEFAULT_TRAIN_OPTIONS, trainModel } from '../../edge-worker/cli/training';
import { adminClient, adminTarget } from '../../edge-worker/cli/admin-client';
import { ROOT, startDevServer, wrangler, type DevServer } from '../../edge-worker/cli/wrangler';
import { encodeArtifact } from '../../edge-worker/src/model/artifact';
import { rowCount, rowValues } from '../../edge-worker/src/model/rows';
import type { CollectResponse, DecideResponse } from '../../sdk/src/wire';
import { syntheticSessions } from '../unit/model/fixtures';

const PORT = Number(process.env.RAPPORT_LOOP_TEST_PORT ?? 8791);
const OTTO = join(ROOT, '..', 'shared', 'data', 'events', 'otto', 'sessions.jsonl');
/** Small enough to train in seconds, the same for both sides of every comparison. */
const SMALL = { ...DEFAULT_TRAIN_OPTIONS, rerankSessions: 400, rerankChunks: 2, maxLists: 3000, epochs: 1 };
/** A candidate that can barely rank: one candidate per source, the rest popularity padding. */
const CRIPPLED = { candidates: { perSource: { sknn: 1, sknnNear: 1, rulesLast: 1, nextLast: 1, covisitLast: 1, rulesPrev: 1, rulesSession: 1, covisitSession: 1 } } };

/**
 * The demo's configuration with the event queue's consumer called after 2 s, not 30: the same
 * queue, consumer and log, with less waiting for a batch. Beside the original, whose paths are
 * relative to its folder (the name is in .gitignore).
 */
const LOOP_CONFIG = join(dirname(DEMO_CONFIG), 'wrangler.loop-test.toml');
const BATCH_SECONDS = 2;

let persistTo: string;
let server: DevServer;
let demoVersion: string;

beforeAll(async () => {
  persistTo = mkdtempSync(join(tmpdir(), 'rapport-loop-'));
  demoVersion = seed(persistTo);
  const config = readFileSync(join(ROOT, DEMO_CONFIG), 'utf8');
  const quicker = config.replace(/^max_batch_timeout = \d+$/m, `max_batch_timeout = ${BATCH_SECONDS}`);
  if (quicker === config) throw new Error(`${DEMO_CONFIG} has no max_batch_timeout line for this test to shorten`);
  writeFileSync(join(ROOT, LOOP_CONFIG), quicker);
  // One machine sends every shopper's batches: the per-address limit would hold them back.
  server = await startDevServer({ port: PORT, persistTo, config: LOOP_CONFIG, vars: { RATE_LIMIT_ADDRESSES: 'off', HOLDOUT_SHARE: '0' }, testScheduled: true });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(join(ROOT, LOOP_CONFIG), { force: true });
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
});

type WireEvent = Record<string, unknown> & { id: string; type: string; ts: number };

/** Sends one visitor's session through collect (analytics: the log is what is filled), batch by batch. */
async function sendSession(vid: string | undefined, sid: string, events: WireEvent[]): Promise<string> {
  let id = vid;
  for (let i = 0; i < events.length; i += 100) {
    const res = await fetch(`${server.url}/v1/collect`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ v: 1, vid: id, sid, consent: ['analytics'], events: events.slice(i, i + 100) }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    id = ((await res.json()) as CollectResponse).vid;
  }
  return id!;
}

/** Waits for the consumer (it writes a batch every {@link BATCH_SECONDS} s here) until the log holds `count` events. */
async function untilLogged(count: number): Promise<void> {
  await expect.poll(async () => (await readLog(persistTo)).events, { timeout: 90_000, interval: 1000 }).toBeGreaterThanOrEqual(count);
}

/** Runs a CLI as a merchant would (`npm run <name> -- …`) and returns its status and its last line parsed as JSON. */
function run(script: string, args: string[]): { status: number | null; out: string; json: Record<string, any> | undefined } {
  const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, RAPPORT_ADMIN_URL: server.url } });
  const last = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  let json: Record<string, any> | undefined;
  try {
    json = JSON.parse(last);
  } catch {
    json = undefined;
  }
  return { status: result.status, out: `${result.stdout}\n${result.stderr}`, json };
}

async function decidedModel(): Promise<string> {
  const res = await fetch(`${server.url}/v1/decide`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ v: 1, consent: ['personalization'], slots: [{ id: 'recommended' }], context: { recent: ['1', '2'] } }) });
  return ((await res.json()) as DecideResponse).model;
}

describe('the learning loop', () => {
  it('trains the same artifact from OTTO sessions sent through collect as from the equivalent sessions file', async () => {
    if (!existsSync(OTTO)) throw new Error(`the OTTO sample is not at ${OTTO}: this test reads ../shared/data beside the checkout`);
    const otto = readFileSync(OTTO, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { session: number; events: Array<{ aid: number; ts: number; type: string }> });
    let sent = 0;
    const vids = new Map<number, string>();
    for (const { session, events } of otto) {
      const orders = events.filter((e) => e.type === 'orders');
      const wire: WireEvent[] = events
        .filter((e) => e.type !== 'orders')
        .map((e, i) => ({ id: `otto-${session}-${i}-x`, type: e.type === 'clicks' ? 'product_view' : 'add_to_cart', item: `sku-${e.aid}`, ts: e.ts }));
      if (orders.length) wire.push({ id: `otto-${session}-order`, type: 'purchase', items: orders.map((o) => `sku-${o.aid}`), ts: orders[0]!.ts });
      vids.set(session, await sendSession(undefined, `otto-session-${session}`, wire));
      sent += wire.length;
    }
    await untilLogged(sent);

    // The equivalent files: each session's views in time order, sessions by their first event (two OTTO sessions start
    // in the same millisecond: then by visitor id, as the reader orders them); one order per session that bought.
    const sku = (aid: number) => `sku-${aid}`;
    const bySession = otto
      .map(({ session, events }) => ({ first: Math.min(...events.map((e) => e.ts)), vid: vids.get(session)!, views: events.filter((e) => e.type === 'clicks').sort((a, b) => a.ts - b.ts).map((e) => sku(e.aid)) }))
      .filter(({ views }) => views.length >= 2)
      .sort((a, b) => a.first - b.first || (a.vid < b.vid ? -1 : 1));
    const dir = mkdtempSync(join(tmpdir(), 'rapport-otto-'));
    writeFileSync(join(dir, 'sessions.txt'), bySession.map((s) => s.views.join(' ')).join('\n'));
    // Orders as the reader gives them: by the purchase's time, then its event id.
    const purchases = otto
      .map(({ session, events }) => ({ id: `otto-${session}-order`, items: events.filter((e) => e.type === 'orders') }))
      .filter(({ items }) => items.length)
      .sort((a, b) => a.items[0]!.ts - b.items[0]!.ts || (a.id < b.id ? -1 : 1));
    writeFileSync(join(dir, 'orders.txt'), purchases.map(({ items }) => items.map((e) => sku(e.aid)).join(' ')).join('\n'));
    const file = readSessions(join(dir, 'sessions.txt'));
    const orders = readBaskets(join(dir, 'orders.txt'), file.itemIds);
    rmSync(dir, { recursive: true });

    const log = await readLog(persistTo);
    expect(log.itemIds).toEqual(file.itemIds);
    expect(log.sessions).toEqual(file.sessions);
    expect(log.baskets).toEqual(orders);
    const fromLog = encodeArtifact({ ...trainModel(log.sessions, 'otto', SMALL, { itemIds: log.itemIds, baskets: log.baskets }), modelVersion: 'same' });
    const fromFile = encodeArtifact({ ...trainModel(file.sessions, 'otto', SMALL, { itemIds: file.itemIds, baskets: orders }), modelVersion: 'same' });
    expect(Buffer.from(fromLog).equals(Buffer.from(fromFile))).toBe(true);

    // A shopper erases themselves: from that answer on, no training run reads their events.
    const erased = bySession[0]!;
    const res = await fetch(`${server.url}/v1/privacy/erase`, { method: 'POST', headers: { authorization: `Bearer ${erased.vid}` } });
    expect(res.status).toBe(200);
    const after = await readLog(persistTo);
    expect(rowCount(after.sessions)).toBe(rowCount(log.sessions) - 1);
    const first = after.itemIds ? Array.from(rowValues(after.sessions, 0), (id) => after.itemIds![id]) : [];
    expect(first).toEqual(bySession[1]!.views);
  }, 180_000);

  it('retrains from the log, publishes past the gate, refuses a worse candidate, and rolls back', async () => {
    // Shoppers whose next view is usually the next product: a sequence the demo model never saw.
    const products = catalogFeed().map((p) => p.id);
    const sessions = syntheticSessions(700, products.length);
    const before = (await readLog(persistTo)).events;
    const vids: Array<string | undefined> = new Array(70);
    const start = Date.now() - 7 * 86_400_000;
    let sent = 0;
    for (const [s, session] of sessions.entries()) {
      const events = session.map((item, i) => ({ id: `loop-${s}-${i}-xxxx`, type: 'product_view', item: products[item - 1]!, ts: start + s * 600_000 + i * 1000 }));
      vids[s % 70] = await sendSession(vids[s % 70], `loop-session-${s}`, events);
      sent += events.length;
    }
    await untilLogged(before + sent);
    expect(await decidedModel()).toBe(`rapport-rerank@${demoVersion}`);

    const retrain = run('edge-worker/cli/retrain.ts', ['--persist-to', persistTo, '--url', server.url, '--options', JSON.stringify(SMALL), '--json']);
    expect(retrain.status, retrain.out).toBe(0);
    expect(retrain.json, retrain.out).toMatchObject({ verdict: 'publish', published: true, active: { version: demoVersion } });
    const published = retrain.json!.candidate.version as string;
    expect(retrain.json!.candidate['HR@20']).toBeGreaterThan(retrain.json!.active['HR@20']);
    expect(retrain.out).toMatch(/verdict: publish; model \S+ is active/);
    await expect.poll(decidedModel, { timeout: 20_000, interval: 1000 }).toBe(`rapport-rerank@${published}`);

    const worse = run('edge-worker/cli/retrain.ts', ['--persist-to', persistTo, '--url', server.url, '--options', JSON.stringify({ ...SMALL, ...CRIPPLED }), '--json']);
    expect(worse.status, worse.out).toBe(0);
    expect(worse.json, worse.out).toMatchObject({ verdict: 'refuse', published: false, active: { version: published } });
    expect(worse.out).toMatch(/verdict: refused \(.*points below the active model's/);
    expect(await decidedModel()).toBe(`rapport-rerank@${published}`);

    const rollback = run('edge-worker/cli/admin.ts', ['rollback', 'model', '--url', server.url]);
    expect(rollback.status, rollback.out).toBe(0);
    await expect.poll(decidedModel, { timeout: 20_000, interval: 1000 }).toBe(`rapport-rerank@${demoVersion}`);

    // The canary: a candidate that passes is stored, not activated, and interleaved with the active model on one slot.
    const canary = run('edge-worker/cli/retrain.ts', ['--persist-to', persistTo, '--url', server.url, '--options', JSON.stringify(SMALL), '--canary', 'similar', '--canary-kind', 'interleave', '--json']);
    expect(canary.status, canary.out).toBe(0);
    expect(canary.json, canary.out).toMatchObject({ verdict: 'publish', published: true, active: { version: demoVersion } });
    expect(canary.out).toMatch(/verdict: publish as a canary; model \S+ is stored, not active, and runs on slot similar \(interleave, share 0.1\)/);
    expect(await decidedModel()).toBe(`rapport-rerank@${demoVersion}`);
    const report = await adminClient(adminTarget(server.url)).report();
    expect(report.experiments).toEqual([expect.objectContaining({ id: 'model-canary', kind: 'interleave', slot: 'similar', interleaving: expect.objectContaining({ candidate: canary.json!.candidate.version, active: demoVersion }) })]);
  }, 300_000);

  it('deletes days past the retention period when the hourly cron runs', async () => {
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10);
    const file = join(persistTo, 'old.ndjson');
    writeFileSync(file, `${JSON.stringify({ id: 'old-event-01', vid: 'k1.old', sid: 'old-session', type: 'product_view', ts: 1, item: '1' })}\n`);
    wrangler(['r2', 'object', 'put', `rapport-event-log/events/dt=${old}/old-batch.ndjson`, '--file', file, '--local', '--persist-to', persistTo, '--config', DEMO_CONFIG]);
    expect(await logDays(persistTo)).toContain(old);
    const res = await fetch(`${server.url}/__scheduled?cron=7+*+*+*+*`);
    expect(res.status).toBe(200);
    await expect.poll(() => logDays(persistTo), { timeout: 10_000, interval: 500 }).not.toContain(old);
    expect(await logDays(persistTo)).toContain(new Date().toISOString().slice(0, 10));
  }, 60_000);
});
