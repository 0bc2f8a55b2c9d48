/**
 * The Chromium the browser tests and the SDK benchmark drive, found or
 * installed on first use, so that `npm test` is the whole set-up on a fresh
 * machine (as Playwright's own tooling provisions its browsers), and launched
 * with the flags every suite needs. Order: `CHROMIUM_PATH`; a Chromium already
 * on the machine (Playwright's download, one on PATH, Chrome where its
 * installer puts it); else install one: Playwright's download, then the system
 * package manager where this user may (Debian's chromium through apt-get).
 * Whatever it installs, it says so on stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, win32 } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** How this user may run the system package manager: as root, through passwordless sudo, or not at all. */
export type AptAccess = 'root' | 'sudo' | undefined;

/** What resolution looks at: the real machine, or a fake one in unit tests. */
export interface Machine {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  exists(path: string): boolean;
  /** Where Playwright keeps its own Chromium builds for our playwright-core version (present or not). */
  playwrightBuilds: string[];
  /** Asked only when an install is needed (it may run `sudo -n true`). */
  aptAccess(): AptAccess;
}

/**
 * One way to install a Chromium, in the order they are tried. Playwright's
 * download is followed by its `install-deps` (the system libraries its build
 * needs) where this user may run apt-get.
 */
export type Installer = { kind: 'playwright'; installDeps: boolean } | { kind: 'apt'; as: 'root' | 'sudo' };

/** Names a Chromium or Chrome goes by on PATH. */
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];

/** A bound on Playwright's download: each connection stall, and the whole attempt (5 tries inside). */
const DOWNLOAD_STALL_MS = 10_000;
const DOWNLOAD_LIMIT_MS = 10 * 60_000;
/** apt-get waits this long for another apt/dpkg (say a second test process installing too) to finish. */
const APT_LOCK_WAIT_S = 600;

const say = (message: string) => process.stderr.write(`rapport tests: ${message}\n`);

/** Paths of the executables `name` would run from PATH, in PATH order. */
function onPath(machine: Machine, name: string): string[] {
  const windows = machine.platform === 'win32';
  const path = windows ? win32 : posix;
  const dirs = (machine.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return dirs.map((dir) => path.join(dir, windows ? `${name}.exe` : name));
}

/** Where Chromium and Chrome's own installers put them (Chrome's are the places Playwright's `chrome` channel looks). */
function wellKnownInstalls(machine: Machine): string[] {
  switch (machine.platform) {
    case 'linux':
      return ['/opt/google/chrome/chrome'];
    case 'darwin':
      return ['/Applications/Chromium.app/Contents/MacOS/Chromium', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];
    case 'win32':
      return [machine.env.LOCALAPPDATA, machine.env.PROGRAMFILES, machine.env['PROGRAMFILES(X86)']]
        .filter((prefix): prefix is string => Boolean(prefix))
        .map((prefix) => win32.join(prefix, 'Google', 'Chrome', 'Application', 'chrome.exe'));
    default:
      return [];
  }
}

/**
 * Every place an installed Chromium may be, best first: Playwright's own build
 * (the version our playwright-core speaks to), then PATH, then Chrome's and
 * Chromium's usual install locations.
 */
function chromiumCandidates(machine: Machine): string[] {
  return [...machine.playwrightBuilds, ...PATH_NAMES.flatMap((name) => onPath(machine, name)), ...wellKnownInstalls(machine)];
}

/**
 * The Chromium to launch without installing anything: `CHROMIUM_PATH` if set
 * (an error if it does not exist), else the first installed candidate, else
 * `undefined`.
 *
 * @param machine - what to look at
 * @example
 * findChromium({ ...machine, env: { CHROMIUM_PATH: '/opt/chrome/chrome' } }); // '/opt/chrome/chrome'
 */
export function findChromium(machine: Machine): string | undefined {
  const chosen = machine.env.CHROMIUM_PATH;
  if (chosen) {
    if (!machine.exists(chosen)) {
      throw new Error(`rapport tests: CHROMIUM_PATH=${chosen} does not exist. Point it at a Chromium or Chrome executable, or unset it to let the tests find or install one.`);
    }
    return chosen;
  }
  return chromiumCandidates(machine).find((path) => machine.exists(path));
}

/** How this user may run apt-get here: only on Linux with apt-get on PATH, as root or through passwordless sudo. */
function aptHere(machine: Machine): AptAccess {
  if (machine.platform !== 'linux' || !onPath(machine, 'apt-get').some((path) => machine.exists(path))) return undefined;
  return machine.aptAccess();
}

/**
 * The installers to try when no Chromium is found: Playwright's download
 * everywhere, then Debian's chromium through apt-get on Linux where apt-get
 * exists and this user may run it (root, or sudo without a password).
 *
 * @param machine - what to look at
 * @example
 * installPlan(debianRoot); // [{ kind: 'playwright', installDeps: true }, { kind: 'apt', as: 'root' }]
 */
export function installPlan(machine: Machine): Installer[] {
  const apt = aptHere(machine);
  return apt ? [{ kind: 'playwright', installDeps: true }, { kind: 'apt', as: apt }] : [{ kind: 'playwright', installDeps: false }];
}

/** The message when nothing could be found or installed: what was tried, and exactly what to do. */
function nothingWorked(machine: Machine, failures: string[]): string {
  const tried = failures.length ? failures.map((failure) => `  - ${failure}`).join('\n') : '  - nothing could be tried';
  const systemPackage =
    machine.platform === 'darwin'
      ? 'install Google Chrome, or `brew install --cask chromium`'
      : machine.platform === 'win32'
        ? 'install Google Chrome'
        : 'install Chromium with your package manager (Debian: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`)';
  return [
    'rapport tests: no Chromium found, and none could be installed. Tried:',
    tried,
    'Do one of these, then run the tests again:',
    '  - `npx playwright-core install chromium` where cdn.playwright.dev is reachable;',
    `  - ${systemPackage};`,
    '  - set CHROMIUM_PATH to a Chromium or Chrome executable.',
  ].join('\n');
}

/** What an installer's process came to. */
export interface Run {
  ok: boolean;
  /** Why it failed, with the lines of its output that say so. */
  why: string;
}

/** The lines of a failed command's output that say why: its distinct error lines (Node's `Error: …`, apt's `E: …`), else its last lines. */
export function summary(output: string): string[] {
  const lines = output.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('at '));
  const errors = [...new Set(lines.filter((line) => /^(\w*Error|E):/.test(line)))];
  return (errors.length ? errors : lines).slice(-6);
}

/** Runs a command without stdin (CI has none; a prompt would hang), in its own process group so a timeout ends all of it. */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          try {
            if (child.pid && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
            else child.kill('SIGKILL');
          } catch {
            // already gone
          }
        }, options.timeoutMs)
      : undefined;
    const tail = () => summary(output).map((line) => `      ${line}`).join('\n');
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `${command} could not start (${err.message})` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) resolve({ ok: true, why: '' });
      else if (timedOut) resolve({ ok: false, why: `stopped after ${options.timeoutMs! / 1000} s:\n${tail()}` });
      else resolve({ ok: false, why: `exit code ${code}:\n${tail()}` });
    });
  });
}

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Playwright's download of its Chromium build (no headless shell: we launch the full browser, like Debian's). */
async function installWithPlaywright(installDeps: boolean): Promise<Run> {
  const cli = join(dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'cli.js');
  say('no Chromium found; downloading Playwright\'s Chromium (playwright-core install chromium) …');
  const started = Date.now();
  const env = { ...process.env, PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT: process.env.PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT ?? String(DOWNLOAD_STALL_MS) };
  const download = await run(process.execPath, [cli, 'install', '--no-shell', 'chromium'], { env, timeoutMs: DOWNLOAD_LIMIT_MS });
  if (!download.ok) {
    say(`Playwright's download failed after ${seconds(started)}.`);
    return { ok: false, why: `Playwright's download (playwright-core install chromium): ${download.why}` };
  }
  say(`downloaded Playwright's Chromium in ${seconds(started)}.`);
  // Playwright's build needs the system libraries a distribution's package would pull in; Playwright's own tool installs them.
  if (installDeps) {
    say('installing the system libraries it needs (playwright-core install-deps chromium) …');
    const deps = await run(process.execPath, [cli, 'install-deps', 'chromium'], { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (!deps.ok) say(`playwright-core install-deps chromium failed (${deps.why.split('\n')[0]}); launching may fail for a missing library.`);
  }
  return download;
}

/** Debian's chromium through apt-get, non-interactively. */
async function installWithApt(as: 'root' | 'sudo'): Promise<Run> {
  const sudo = as === 'sudo' ? 'sudo -n ' : '';
  say(`installing Debian's chromium with apt-get (${sudo}apt-get update && ${sudo}apt-get install -y chromium); this takes a minute or two …`);
  const started = Date.now();
  const apt = (...args: string[]) =>
    as === 'root'
      ? run('apt-get', ['-o', `DPkg::Lock::Timeout=${APT_LOCK_WAIT_S}`, ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      : run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-o', `DPkg::Lock::Timeout=${APT_LOCK_WAIT_S}`, ...args]);
  const update = await apt('update', '-qq');
  // A failed update (one unreachable mirror, say) may still leave usable package lists.
  if (!update.ok) say(`apt-get update failed (${update.why.split('\n')[0]}); trying the install with the lists we have.`);
  const install = await apt('install', '-y', '-qq', 'chromium');
  if (!install.ok) {
    say(`apt-get install chromium failed after ${seconds(started)}.`);
    return { ok: false, why: `apt-get install -y chromium: ${install.why}` };
  }
  say(`installed Debian's chromium in ${seconds(started)}.`);
  return install;
}

/**
 * Finds a Chromium or installs one, trying each installer in turn.
 *
 * @param machine - what to look at
 * @param install - runs one installer (the real ones by default; unit tests pass fakes)
 */
export async function provisionChromium(
  machine: Machine,
  install: (installer: Installer, machine: Machine) => Promise<Run> = (installer) =>
    installer.kind === 'playwright' ? installWithPlaywright(installer.installDeps) : installWithApt(installer.as),
): Promise<string> {
  const found = findChromium(machine);
  if (found) return found;
  const failures: string[] = [];
  for (const installer of installPlan(machine)) {
    const result = await install(installer, machine);
    // An install that failed late (Playwright's ffmpeg, say) may still have left a usable Chromium.
    const installed = findChromium(machine);
    if (installed) {
      say(`using ${installed}`);
      return installed;
    }
    failures.push(result.ok ? `${installer.kind} finished, but no Chromium appeared in ${chromiumCandidates(machine).join(', ')}` : result.why);
  }
  if (machine.platform === 'linux' && !aptHere(machine)) {
    failures.push('apt-get: not tried (needs apt-get and root or passwordless sudo)');
  }
  throw new Error(nothingWorked(machine, failures));
}

/** Playwright's own Chromium builds for our playwright-core: its registry where this version exposes it, else the public API. */
function playwrightBuilds(): string[] {
  try {
    type Executable = { executablePath(): string | undefined } | undefined;
    const { registry } = createRequire(import.meta.url)('playwright-core/lib/coreBundle').registry as {
      registry: { findExecutable(name: string): Executable };
    };
    const builds = ['chromium', 'chromium-headless-shell'].map((name) => registry.findExecutable(name)?.executablePath());
    return builds.filter((path): path is string => Boolean(path));
  } catch {
    return [chromium.executablePath()];
  }
}

/** This machine. */
function thisMachine(): Machine {
  let access: AptAccess | null = null;
  return {
    env: process.env,
    platform: process.platform,
    exists: existsSync,
    playwrightBuilds: playwrightBuilds(),
    aptAccess() {
      if (access === null) {
        if (process.getuid?.() === 0) access = 'root';
        else access = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0 ? 'sudo' : undefined;
      }
      return access;
    },
  };
}

/**
 * The Chromium this machine already has (see {@link findChromium}), without installing one.
 *
 * @example
 * const browsers = installedChromium() ? 2 : 0;
 */
export function installedChromium(): string | undefined {
  return findChromium(thisMachine());
}

let provisioning: Promise<string> | undefined;

/**
 * The path of a Chromium to launch, installed first if this machine has none.
 * Resolved once per process: concurrent callers share one lookup and one
 * install, and a failure is not retried.
 *
 * @example
 * const browser = await chromium.launch({ executablePath: await ensureChromium() });
 */
export function ensureChromium(): Promise<string> {
  provisioning ??= Promise.resolve().then(() => provisionChromium(thisMachine()));
  return provisioning;
}

/** Launches headless Chromium (installing one first if the machine has none) with flags that keep it off the network. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await ensureChromium();
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Shop pages on another loopback origin call the Worker on localhost (cross-origin.test.ts); on the
      // web both are public and this check never applies, here Chromium would ask the user's permission.
      '--disable-features=LocalNetworkAccessChecks',
    ],
  }).catch((err: Error) => {
    throw new Error(
      `Could not start Chromium at ${executablePath} (${err.message.split('\n')[0]}). ` +
        'If it lacks system libraries, `sudo npx playwright-core install-deps chromium` installs them; ' +
        'or set CHROMIUM_PATH to another Chromium or Chrome executable.',
    );
  });
}
