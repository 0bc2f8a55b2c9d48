/**
 * The README's first line, run as a newcomer would: `npm start` builds,
 * seeds and serves the demo shop at the one URL it prints, the page works in
 * Chromium, and Ctrl-C stops every process it started (wrangler dev ignores
 * SIGTERM, so a stray workerd would otherwise keep the port).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_ADMIN_TOKEN, ROOT } from '../../edge-worker/cli/wrangler';
import { settledSlot, sharedChromium } from './support';

const PORT = Number(process.env.RAPPORT_START_TEST_PORT ?? 8793);

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

let start: ChildProcess | undefined;
afterAll(() => {
  // Whatever happened, leave no server behind.
  if (start?.pid) {
    try {
      process.kill(-start.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('npm start', () => {
  it('serves the demo shop at the URL it prints, and Ctrl-C stops it all', async () => {
    // `npm start` is `tsx scripts/start.ts`; run it the same way, in its own process group like a terminal would.
    start = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(PORT) },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((done) => start!.once('exit', (code) => done(code)));

    await expect.poll(() => /Rapport demo shop: (http:\/\/\S+)/.exec(output)?.[1], { timeout: 120_000, interval: 500 }).toBe(`http://localhost:${PORT}`);
    const url = `http://localhost:${PORT}`;
    const home = await fetch(url);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('data-rapport-slot="recommended"');
    const sdk = await fetch(`${url}/sdk/rapport.min.js`);
    expect(sdk.status).toBe(200);
    // The uplift dashboard's link carries the development token, which the page takes once.
    const dashboard = /Uplift dashboard: (http:\/\/\S+)/.exec(output)?.[1];
    expect(dashboard).toBe(`${url}/admin/#token=${DEVELOPMENT_ADMIN_TOKEN}`);
    expect((await fetch(dashboard!)).status).toBe(200);

    const page = await (await sharedChromium()).newPage();
    try {
      await page.goto(url);
      expect((await settledSlot(page, 'recommended')).items).toHaveLength(4);
    } finally {
      await page.close();
    }

    process.kill(-start.pid!, 'SIGINT');
    expect(await exited, output).toBe(0);
    await expect.poll(() => listening(PORT), { timeout: 10_000 }).toBe(false);
  }, 180_000);
});
