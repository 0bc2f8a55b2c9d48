/**
 * `npm run scale-log` (edge-worker/cli/scale-log.ts): a sessions file replayed k times as the
 * queue consumer's event log reads back, through the trainer's own reader, as the file's sessions
 * k times over, each copy after the previous one, all within retention.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readLog } from '../../../edge-worker/cli/event-log';
import { EVENT_KEY } from '../../../edge-worker/src/log/layout';
import { rowCount, rowValues } from '../../../edge-worker/src/model/rows';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SESSIONS = [
  ['11', '12', '13'],
  ['12', '14'],
  ['15', '11', '15', '16'],
];

describe('npm run scale-log', () => {
  const work = mkdtempSync(join(tmpdir(), 'rapport-scale-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes the sessions k times, one copy after another, as the log the trainer reads', async () => {
    const file = join(work, 'train_sessions.txt');
    writeFileSync(file, `${SESSIONS.map((s) => s.join(' ')).join('\n')}\n`);
    const out = join(work, 'log');
    const now = Date.UTC(2026, 10, 30, 12);
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    const args = ['edge-worker/cli/scale-log.ts', '--sessions', file, '--times', '3', '--out', out, '--now', String(now), '--per-object', '4'];
    const cli = spawnSync(process.execPath, [tsx, ...args], { cwd: repoRoot, encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const keys = readdirSync(join(out, 'events'), { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ndjson'));
    expect(keys.every((path) => EVENT_KEY.test(`events/${path.replaceAll('\\', '/')}`))).toBe(true);
    const log = await readLog(out, { now });
    expect(log.events).toBe(3 * SESSIONS.flat().length);
    expect(rowCount(log.sessions)).toBe(3 * SESSIONS.length);
    const read = Array.from({ length: rowCount(log.sessions) }, (_, s) => Array.from(rowValues(log.sessions, s), String));
    expect(read).toEqual([...SESSIONS, ...SESSIONS, ...SESSIONS]);
    // Retention counts back from now: a log read 180 days later holds none of it.
    expect((await readLog(out, { now: now + 181 * 86_400_000 })).events).toBe(0);
  }, 60_000);
});
