/**
 * Training data from the event log (edge-worker/cli/event-log.ts) on the real OTTO sample, laid out
 * as the queue consumer writes it, in wrangler's real local R2 state and as a plain copy of the
 * bucket: each event once, erased visitors and partitions past retention never read, and the same
 * tables (and so the same model) as the equivalent sessions and orders files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getPlatformProxy } from 'wrangler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logDays, readLog } from '../../../edge-worker/cli/event-log';
import { readBaskets, readSessions } from '../../../edge-worker/cli/sessions-io';
import { DEFAULT_TRAIN_OPTIONS, type TrainOptions, trainModel } from '../../../edge-worker/cli/training';
import { wrangler, wranglerEnv } from '../../../edge-worker/cli/wrangler';
import { decodeArtifact, encodeArtifact } from '../../../edge-worker/src/model/artifact';
import type { LogRecord } from '../../../edge-worker/src/log/record';
import { rowCount, rowValues } from '../../../edge-worker/src/model/rows';
import type { RowTable } from '../../../edge-worker/src/model/types';
import { type LogObjects, type OttoSession, expected, logObjects, ottoLogRecords, readOtto, tombstone, vidOf, writeTree } from './otto-log';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sample = resolve(repoRoot, '../shared/data/events/otto/sessions.jsonl');
const present = existsSync(sample);
if (!present) console.warn(`skipping the event log tests on OTTO: ${sample} not found (../shared/data is absent)`);

const DAY_MS = 86_400_000;
const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);
const rows = (table: RowTable) => Array.from({ length: rowCount(table) }, (_, r) => Array.from(rowValues(table, r)));
const named = (table: RowTable, itemIds: readonly string[]) => rows(table).map((row) => row.map((id) => itemIds[id]));

/** The sample replayed as if it had just happened (whole days later), so the default retention keeps it. */
function recent(sessions: OttoSession[]): OttoSession[] {
  const last = Math.max(...sessions.flatMap((s) => s.events.map((e) => e.ts)));
  const shift = Math.floor((Date.now() - 2 * DAY_MS - last) / DAY_MS) * DAY_MS;
  return sessions.map((s) => ({ ...s, events: s.events.map((e) => ({ ...e, ts: e.ts + shift })) }));
}

/** A shopper's two views and a purchase, on a day far past retention: a reader that read it would show them. */
const ANCIENT: LogRecord[] = [
  { id: 'ancient-0001', vid: 'visitor-ancient', sid: 'session-ancient', type: 'product_view', ts: Date.UTC(2021, 2, 1), item: '1' },
  { id: 'ancient-0002', vid: 'visitor-ancient', sid: 'session-ancient', type: 'product_view', ts: Date.UTC(2021, 2, 1, 1), item: '2' },
  { id: 'ancient-0003', vid: 'visitor-ancient', sid: 'session-ancient', type: 'purchase', ts: Date.UTC(2021, 2, 1, 2), items: ['1', '2'] },
];
const ANCIENT_DAY = '2021-03-01';

/** Small enough to train in seconds on the sample, large enough to fit a re-ranker. */
const SMALL: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, rerankSessions: 20, rerankChunks: 2, maxLists: 400, epochs: 1 };

const sku = (aid: number) => `sku-${aid}`;

describe.skipIf(!present)('the event log read by DuckDB, on the OTTO sample', () => {
  const work = mkdtempSync(join(tmpdir(), 'rapport-log-'));
  const stateDir = join(work, 'state');
  const treeDir = join(work, 'tree');
  let otto: OttoSession[];
  /** The visitor whose erasure the log records. */
  let erased: OttoSession;

  /** The sample's objects and the erased visitor's tombstone; the ancient partition besides. */
  function objectsOf(itemId: (aid: number) => string): LogObjects {
    const objects = logObjects(ottoLogRecords(otto, itemId));
    objects.set(`events/dt=${ANCIENT_DAY}/batch-${ANCIENT_DAY}.ndjson`, ANCIENT.map((r) => `${JSON.stringify(r)}\n`).join(''));
    return objects;
  }
  const erasure = () => tombstone(vidOf(erased.session), Date.now(), [...new Set(erased.events.map((e) => dayOf(e.ts)))]);

  /** Writes objects into wrangler's local R2 state as `wrangler dev --persist-to stateDir` keeps it. */
  async function writeState(objects: LogObjects): Promise<void> {
    Object.assign(process.env, wranglerEnv());
    const proxy = await getPlatformProxy<{ LOG: { put(key: string, body: string): Promise<unknown> } }>({
      configPath: join(repoRoot, 'wrangler.toml'),
      persist: { path: join(stateDir, 'v3') },
      remoteBindings: false,
    });
    try {
      for (const [key, body] of objects) await proxy.env.LOG.put(key, body);
    } finally {
      await proxy.dispose();
    }
    // The tombstone through wrangler's own command, so the reader is held to the CLI's layout too.
    const [key, body] = erasure();
    writeFileSync(join(work, 'tombstone.json'), body);
    wrangler(['r2', 'object', 'put', `rapport-event-log/${key}`, '--file', join(work, 'tombstone.json'), '--local', '--persist-to', stateDir]);
  }

  beforeAll(async () => {
    otto = recent(readOtto(sample));
    // The visitor with the most events: leaving them out changes every table.
    erased = [...otto].sort((a, b) => b.events.length - a.events.length)[0]!;
    await writeState(objectsOf(String));
    writeTree(treeDir, new Map([...objectsOf(sku), erasure()]));
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const all = () => true;

  it('reads wrangler local state: each event once, no erased visitor, no partition past retention', async () => {
    const started = performance.now();
    const log = await readLog(stateDir);
    console.log(`read the OTTO log from wrangler state in ${(performance.now() - started).toFixed(0)} ms: ${log.days.length} days, ${log.events} events`);
    const want = expected(otto, String, new Set([erased.session]), all);
    expect(rows(log.sessions)).toEqual(want.sessions.map((s) => s.map(Number)));
    expect(log.itemIds).toBeUndefined();
    expect(rows(log.baskets)).toEqual(want.orders.map((o) => o.map(Number)));
    expect(log.events).toBe(want.events);
    const erasedViews = erased.events.filter((e) => e.type === 'clicks').map((e) => e.aid);
    expect(rows(log.sessions)).not.toContainEqual(erasedViews);
    expect(log.days).not.toContain(ANCIENT_DAY);
    expect(await logDays(stateDir)).toEqual([ANCIENT_DAY, ...log.days]);
  });

  it('counts a record delivered in several objects once, and its erased visitor not at all', async () => {
    const logged = ottoLogRecords(otto).length;
    const lines = [...objectsOf(String).values()].join('').split('\n').filter(Boolean).length;
    const log = await readLog(stateDir);
    expect(lines).toBeGreaterThan(logged + ANCIENT.length);
    expect(log.events).toBe(logged - ottoLogRecords([erased]).length);
  });

  it('reads a plain copy of the bucket with SKU ids as readSessions and readBaskets read the equivalent files', async () => {
    const want = expected(otto, sku, new Set([erased.session]), all);
    writeFileSync(join(work, 'sessions.txt'), want.sessions.map((s) => s.join(' ')).join('\n'));
    writeFileSync(join(work, 'orders.txt'), want.orders.map((o) => o.join(' ')).join('\n'));
    const fromFile = readSessions(join(work, 'sessions.txt'));
    const log = await readLog(treeDir);
    expect(log.sessions).toEqual(fromFile.sessions);
    expect(log.itemIds).toEqual(fromFile.itemIds);
    expect(log.baskets).toEqual(readBaskets(join(work, 'orders.txt'), fromFile.itemIds));
  });

  it('splits by days [from, to): held-back days mapped with the training ids, each event in one split', async () => {
    const { days } = await readLog(treeDir);
    const cut = days[Math.floor(days.length / 2)]!;
    const train = await readLog(treeDir, { to: cut });
    const test = await readLog(treeDir, { from: cut, itemIds: train.itemIds });
    expect(train.days.every((d) => d < cut) && test.days.every((d) => d >= cut)).toBe(true);
    expect([...train.days, ...test.days]).toEqual(days);
    const before = expected(otto, sku, new Set([erased.session]), (d) => d < cut);
    const after = expected(otto, sku, new Set([erased.session]), (d) => d >= cut);
    expect(named(train.sessions, train.itemIds!)).toEqual(before.sessions);
    const known = new Set(train.itemIds);
    // An item training never saw is model id 0 (itemIds[0] is ''): a miss for any model, as in readTestCases.
    expect(named(test.sessions, train.itemIds!)).toEqual(after.sessions.map((s) => s.map((item) => (known.has(item) ? item : ''))));
    expect(test.itemIds).toEqual(train.itemIds);
    expect(named(test.baskets, train.itemIds!)).toEqual(after.orders.map((o) => o.filter((item) => known.has(item))));
    expect(train.events + test.events).toBe((await readLog(treeDir)).events);
  });

  it('npm run train --log writes the model trainModel makes from the equivalent sessions and orders files', () => {
    // SKU ids, so the model's tables are sized by the items seen, not by OTTO's largest item number.
    const want = expected(otto, sku, new Set([erased.session]), all);
    writeFileSync(join(work, 'sessions.txt'), want.sessions.map((s) => s.join(' ')).join('\n'));
    writeFileSync(join(work, 'orders.txt'), want.orders.map((o) => o.join(' ')).join('\n'));
    const out = join(work, 'model.bin');
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    const cli = spawnSync(process.execPath, [tsx, 'edge-worker/cli/train.ts', '--log', treeDir, '--out', out, '--options', JSON.stringify(SMALL)], { cwd: repoRoot, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stderr).toContain(`${want.sessions.length} training sessions, ${want.sessions.flat().length} clicks, ${want.orders.length} orders`);
    const { sessions, itemIds } = readSessions(join(work, 'sessions.txt'));
    const baskets = readBaskets(join(work, 'orders.txt'), itemIds);
    const fromFiles = decodeArtifact(encodeArtifact(trainModel(sessions, 'event-log', SMALL, { itemIds, baskets })));
    const fromLog = decodeArtifact(new Uint8Array(readFileSync(out)));
    expect({ ...fromLog, modelVersion: '' }).toEqual({ ...fromFiles, modelVersion: '' });
    // The log's purchases reached training as baskets ("bought together").
    expect(fromLog.copurchase).toBeDefined();
  }, 120_000);
});
