/**
 * `npm run admin` and `npm run publish-data -- --remote` end to end against
 * the real demo Worker (`wrangler dev`, started by the global setup): status
 * reports what the seed published, a published slot configuration is served
 * and taken away again by a rollback, a model in several parts goes up whole,
 * and refusals exit as documented.
 * Each run leaves the seeded slots active for the tests after it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { catalogFeed } from '../../demo-shop/src/catalog';
import { DEMO_SLOTS } from '../../demo-shop/src/seed';
import { adminClient, adminTarget } from '../../edge-worker/cli/admin-client';
import { ROOT } from '../../edge-worker/cli/wrangler';
import { decodeArtifact, encodeArtifact } from '../../edge-worker/src/model/artifact';
import { publishCatalog, publishModel, publishSlots, type PublishedStatus } from '../../edge-worker/src/published/published';

const worker = inject('baseURL');
const seededCatalog = publishCatalog(catalogFeed())[0]!.version;
const seededSlots = publishSlots(DEMO_SLOTS)[0]!.version;
const dir = mkdtempSync(join(tmpdir(), 'rapport-admin-cli-'));

afterAll(async () => {
  // Whatever happened above, the browser tests after this one get the seeded slots.
  await adminClient(adminTarget(worker)).activate('slots', seededSlots);
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an npm script's CLI as `npm run <script> -- …` does (tsx on this Node), without the token the test's own environment may hold. */
function cli(script: 'admin' | 'publish', args: string[], env: Record<string, string> = {}): Promise<Run> {
  const { RAPPORT_ADMIN_TOKEN: _token, RAPPORT_ADMIN_URL: _url, ...inherited } = process.env;
  return new Promise((done) => {
    execFile(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), `edge-worker/cli/${script}.ts`, ...args], { cwd: ROOT, env: { ...inherited, ...env } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
  });
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function decideStatus(slot: string): Promise<number> {
  const res = await fetch(`${worker}/v1/decide`, { method: 'POST', body: JSON.stringify({ v: 1, slots: [{ id: slot }] }), headers: { 'content-type': 'text/plain' } });
  await res.body?.cancel();
  return res.status;
}

async function status(): Promise<PublishedStatus> {
  const run = await cli('admin', ['status', '--json', '--url', worker]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('npm run admin against wrangler dev', () => {
  it('reports what the seed published', async () => {
    const run = await cli('admin', ['status', '--url', worker]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`catalog: active ${seededCatalog}`);
    expect(run.stdout).toContain(`slots: active ${seededSlots}`);
    const { model } = await status();
    const decision = (await (await fetch(`${worker}/v1/decide`, { method: 'POST', body: JSON.stringify({ v: 1, slots: [{ id: 'recommended' }] }) })).json()) as { model: string };
    expect(decision.model).toBe(`rapport-rerank@${model.active}`);
  });

  it('publishes a slot configuration that decisions serve, and rolls it back', async () => {
    expect(await decideStatus('admin-cli')).toBe(400);
    const slots = file('slots.json', { ...DEMO_SLOTS, 'admin-cli': DEMO_SLOTS.recommended });
    const published = await cli('admin', ['publish', 'slots', slots, '--url', worker]);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toMatch(new RegExp(`^slots [0-9a-f]{16}: stored, active now \\(was ${seededSlots}\\); decisions serve it within 10 s`));
    await expect.poll(() => decideStatus('admin-cli'), { timeout: 15_000 }).toBe(200);

    const rolledBack = await cli('admin', ['rollback', 'slots', '--url', worker]);
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain(`slots rolled back to ${seededSlots}`);
    await expect.poll(() => decideStatus('admin-cli'), { timeout: 15_000 }).toBe(400);
    expect((await status()).slots.history.map(({ cause }) => cause)).toEqual(['publish', 'rollback']);
  });

  it('publish-data --remote goes through the admin API', async () => {
    const slots = file('remote-slots.json', { ...DEMO_SLOTS, 'admin-remote': DEMO_SLOTS.recommended });
    const published = await cli('publish', ['--slots', slots, '--remote', '--url', worker]);
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toMatch(/^published slots [0-9a-f]{16} \(was /);
    await expect.poll(() => decideStatus('admin-remote'), { timeout: 15_000 }).toBe(200);
    expect((await status()).slots.history.at(-1)!.cause).toBe('activate');
    expect((await cli('admin', ['rollback', 'slots', '--url', worker])).code).toBe(0);
    expect((await cli('publish', ['--slots', slots, '--remote'])).code).toBe(2);
  });

  it('sends a model stored in several KV parts up whole, as the Worker checks and stores it', async () => {
    // `npm run retrain` and `publish-data --remote` publish a model's entries through the admin client; a model past one
    // part (Diginetica's 7.6 MB takes 2) used to go up as its first part alone, and the Worker refused it as truncated.
    const admin = adminClient(adminTarget(worker));
    const seeded = (await admin.status()).model.active!;
    const bytes = encodeArtifact({ ...decodeArtifact(await admin.value('model', seeded)), modelVersion: `${seeded}-in-parts` });
    const entries = publishModel(bytes, 16 * 1024);
    expect(entries.filter((entry) => !entry.pointer).length).toBeGreaterThan(2);
    const change = await admin.publish(entries, false);
    expect(change).toMatchObject({ kind: 'model', version: `${seeded}-in-parts`, stored: true, active: seeded, changed: false });
    expect(Buffer.from(await admin.value('model', change.version)).equals(bytes)).toBe(true);
  });

  it('checks files before sending anything, and exits 1 for refusals and 2 for usage', async () => {
    const before = await status();
    const bad = file('bad-catalog.json', catalogFeed().map((item, i) => (i === 0 ? { ...item, url: 'javascript:alert(1)' } : item)));
    // Port 1 has no server: the file is refused before any connection is tried.
    const invalid = await cli('admin', ['publish', 'catalog', bad, '--url', 'http://127.0.0.1:1']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/cannot be published as the catalog: catalog: 0\.url: must be a path/);

    const wrongToken = await cli('admin', ['rollback', 'catalog', '--url', worker], { RAPPORT_ADMIN_TOKEN: 'a-wrong-token-of-plenty-of-characters-indeed' });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toMatch(/answered 401, invalid_admin_token/);

    const nowhere = await cli('admin', ['rollback', 'catalog', '--url', worker]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/answered 409, no_previous_version/);

    for (const args of [['rollback', 'everything'], ['publish', 'catalog'], ['status', 'extra'], ['frobnicate'], ['status', '--url', 'http://rapport.shop.example']]) {
      const usage = await cli('admin', args);
      expect(usage.code, args.join(' ')).toBe(2);
      expect(usage.stderr).toContain('usage: npm run admin');
    }
    const after = await status();
    expect(after.catalog).toEqual(before.catalog);
    expect(after.slots.active).toBe(seededSlots);
  });
});
