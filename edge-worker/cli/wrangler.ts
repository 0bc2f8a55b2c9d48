/**
 * Running wrangler from scripts and tests: offline (no metrics, no
 * cf-fetch), on the same Node that runs us (npm scripts put Node 22 from
 * node_modules/.bin first on PATH), and in its own process group, because
 * `wrangler dev` ignores SIGTERM and leaves workerd holding the port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Entry } from '../src/published/published';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const WRANGLER_BIN = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

/**
 * The visitor-id signing key for local development and tests (`kid:secret`,
 * see `edge-worker/src/identity/visitor-id.ts`). Public on purpose: it is
 * never a production key, which `wrangler secret put VISITOR_ID_KEYS` sets.
 */
export const DEVELOPMENT_VISITOR_ID_KEYS = `dev:${Buffer.from('rapport local development key, never for production').toString('base64url')}`;

/**
 * The admin API's token for local development and tests (see
 * `edge-worker/src/http/admin-token.ts`). Public on purpose, like the key
 * above: never a production token, which `wrangler secret put ADMIN_TOKEN` sets.
 */
export const DEVELOPMENT_ADMIN_TOKEN = 'rapport-local-development-admin-token-never-for-production';

/** Environment for wrangler on machines without network access, with the development signing key and admin token unless they are set. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    NO_UPDATE_NOTIFIER: '1',
    CI: process.env.CI ?? '',
    VISITOR_ID_KEYS: process.env.VISITOR_ID_KEYS ?? DEVELOPMENT_VISITOR_ID_KEYS,
    ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? DEVELOPMENT_ADMIN_TOKEN,
  };
}

/** Runs a wrangler command to completion; throws with its output when it fails. */
export function wrangler(args: string[]): string {
  const result = spawnSync(process.execPath, [WRANGLER_BIN, ...args], { cwd: ROOT, env: wranglerEnv(), encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`wrangler ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/** A running `wrangler dev`. */
export interface DevServer {
  url: string;
  process: ChildProcess;
  /** Stops wrangler and workerd: SIGINT to the group, SIGKILL if it lingers. */
  stop(): Promise<void>;
}

/** Options for {@link startDevServer}. */
export interface DevServerOptions {
  port: number;
  /** Where local KV lives (wrangler's --persist-to). */
  persistTo: string;
  /** Pass wrangler's output through (the demo) or keep it for error reports (tests). */
  inheritOutput?: boolean;
  /** Extra `--var KEY:VALUE` bindings. */
  vars?: Record<string, string>;
  /** The wrangler configuration to run, relative to the repository root (default: the product's `wrangler.toml`). */
  config?: string;
  /** Serve `/__scheduled?cron=…`, which runs the Worker's cron work (wrangler dev never fires crons by itself). */
  testScheduled?: boolean;
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs / 1000}s:\n${log()}`);
}

/** Whether any process of group `pid` is still there (signal 0 only asks). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Starts `wrangler dev` on loopback and resolves once `/v1/health` answers. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const url = `http://localhost:${options.port}`;
  if (await portInUse(options.port)) {
    throw new Error(`port ${options.port} is already in use (an earlier server still running?); stop it or choose another port`);
  }
  const vars = Object.entries(options.vars ?? {}).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  const child = spawn(
    process.execPath,
    [WRANGLER_BIN, 'dev', '--config', resolve(ROOT, options.config ?? 'wrangler.toml'), '--ip', '127.0.0.1', '--port', String(options.port), '--persist-to', resolve(ROOT, options.persistTo), '--show-interactive-dev-session=false', ...(options.testScheduled ? ['--test-scheduled'] : []), ...vars],
    { cwd: ROOT, env: wranglerEnv(), detached: true, stdio: options.inheritOutput ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'] },
  );
  // If this process exits without calling stop(), take the server down with it.
  const killOnExit = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // group already gone
      }
    };
    signalGroup('SIGINT');
    const timer = setTimeout(() => signalGroup('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // workerd may outlive wrangler's node process by a moment; make sure the group is gone, and
    // wait until it is (its port free again), so a server restarted at once can bind it.
    signalGroup('SIGKILL');
    for (let waited = 0; waited < 5000 && groupAlive(child.pid); waited += 50) await new Promise((r) => setTimeout(r, 50));
  };

  try {
    await waitUntilReady(url, child, () => output, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, process: child, stop };
}

/** Local KV under a folder (wrangler dev, tests), for the namespaces of a configuration (default: the product's). Deployed Workers are published to through their admin API (`admin-client.ts`). */
export interface KvTarget {
  persistTo: string;
  config?: string;
}

/**
 * Writes published entries into a KV namespace with `wrangler kv bulk put`:
 * every value first, then the pointers to them, so no reader ever follows a
 * pointer to a value that is not there yet.
 */
export function putEntries(binding: string, entries: readonly Entry[], target: KvTarget): void {
  const dir = join(ROOT, '.seed');
  mkdirSync(dir, { recursive: true });
  const where = ['--local', '--persist-to', resolve(ROOT, target.persistTo)];
  const config = target.config ? ['--config', resolve(ROOT, target.config)] : [];
  for (const pointers of [false, true]) {
    const batch = entries.filter((entry) => entry.pointer === pointers);
    if (!batch.length) continue;
    const file = join(dir, `${binding.toLowerCase()}-${pointers ? 'pointers' : 'values'}.json`);
    const bulk = batch.map(({ key, value, metadata }) => ({
      key,
      ...(typeof value === 'string' ? { value } : { value: Buffer.from(value).toString('base64'), base64: true }),
      ...(metadata ? { metadata } : {}),
    }));
    writeFileSync(file, JSON.stringify(bulk));
    wrangler(['kv', 'bulk', 'put', file, '--binding', binding, ...where, ...config]);
  }
}
