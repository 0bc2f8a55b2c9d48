/**
 * Which Chromium the browser tests use, and how one is installed when the
 * machine has none: the resolution order on fake machines (no real
 * filesystem, no real installs).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ensureChromium,
  findChromium,
  installPlan,
  provisionChromium,
  summary,
  type AptAccess,
  type Installer,
  type Machine,
  type Run,
} from '../../support/chromium';

const PLAYWRIGHT_BUILD = '/root/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome';

/** A Linux machine with these files, PATH=/usr/local/bin:/usr/bin:/bin. */
function linux(files: string[], options: { env?: Record<string, string>; apt?: AptAccess } = {}): Machine & { files: Set<string> } {
  const present = new Set(files);
  return {
    files: present,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...options.env },
    platform: 'linux',
    exists: (path) => present.has(path),
    playwrightBuilds: [PLAYWRIGHT_BUILD],
    aptAccess: () => options.apt,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('finding an installed Chromium', () => {
  it('uses CHROMIUM_PATH before anything installed', () => {
    const machine = linux(['/opt/mine/chrome', PLAYWRIGHT_BUILD, '/usr/bin/chromium'], { env: { CHROMIUM_PATH: '/opt/mine/chrome' } });
    expect(findChromium(machine)).toBe('/opt/mine/chrome');
  });

  it('refuses a CHROMIUM_PATH that does not exist rather than silently using another browser', () => {
    const machine = linux(['/usr/bin/chromium'], { env: { CHROMIUM_PATH: '/opt/typo/chrome' } });
    expect(() => findChromium(machine)).toThrow('CHROMIUM_PATH=/opt/typo/chrome does not exist');
  });

  it("prefers Playwright's own build, the version playwright-core speaks to", () => {
    expect(findChromium(linux([PLAYWRIGHT_BUILD, '/usr/bin/chromium']))).toBe(PLAYWRIGHT_BUILD);
  });

  it('finds Chromium, then Chrome, on PATH in PATH order', () => {
    expect(findChromium(linux(['/usr/bin/chromium', '/usr/local/bin/chromium']))).toBe('/usr/local/bin/chromium');
    expect(findChromium(linux(['/usr/bin/google-chrome', '/usr/bin/chromium']))).toBe('/usr/bin/chromium');
    expect(findChromium(linux(['/usr/bin/chromium-browser']))).toBe('/usr/bin/chromium-browser');
    expect(findChromium(linux(['/bin/google-chrome-stable']))).toBe('/bin/google-chrome-stable');
  });

  it("finds Chrome where its installer puts it when it is not on PATH", () => {
    expect(findChromium(linux(['/opt/google/chrome/chrome']))).toBe('/opt/google/chrome/chrome');
    const mac: Machine = { ...linux([]), platform: 'darwin', exists: (p) => p === '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome' };
    expect(findChromium(mac)).toBe('/Applications/Google Chrome.app/Contents/MacOS/Google Chrome');
    const chrome = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
    const windows: Machine = {
      ...linux([]),
      platform: 'win32',
      env: { PATH: 'C:\\Windows;C:\\tools', PROGRAMFILES: 'C:\\Program Files' },
      exists: (p) => p === chrome,
    };
    expect(findChromium(windows)).toBe(chrome);
    expect(findChromium({ ...windows, exists: (p) => p === 'C:\\tools\\chromium.exe' })).toBe('C:\\tools\\chromium.exe');
  });

  it('finds nothing on a fresh machine', () => {
    expect(findChromium(linux(['/usr/bin/apt-get']))).toBeUndefined();
  });
});

describe('choosing installers', () => {
  it("tries Playwright's download, then apt-get where the user may run it", () => {
    expect(installPlan(linux(['/usr/bin/apt-get'], { apt: 'root' }))).toEqual([
      { kind: 'playwright', installDeps: true },
      { kind: 'apt', as: 'root' },
    ]);
    expect(installPlan(linux(['/usr/bin/apt-get'], { apt: 'sudo' }))).toEqual([
      { kind: 'playwright', installDeps: true },
      { kind: 'apt', as: 'sudo' },
    ]);
    expect(installPlan(linux(['/usr/bin/apt-get'], { apt: undefined }))).toEqual([{ kind: 'playwright', installDeps: false }]);
  });

  it('does not ask for apt-get where there is none', () => {
    const aptAccess = vi.fn((): AptAccess => 'root');
    expect(installPlan({ ...linux([]), aptAccess })).toEqual([{ kind: 'playwright', installDeps: false }]);
    expect(installPlan({ ...linux(['/usr/bin/apt-get']), platform: 'darwin', aptAccess })).toEqual([{ kind: 'playwright', installDeps: false }]);
    expect(aptAccess).not.toHaveBeenCalled();
  });
});

describe('provisioning', () => {
  const ok: Run = { ok: true, why: '' };
  const unreachable: Run = { ok: false, why: "Playwright's download: exit code 1: getaddrinfo ENOTFOUND cdn.playwright.dev" };

  it('installs nothing when a Chromium is there', async () => {
    const install = vi.fn(async () => ok);
    await expect(provisionChromium(linux(['/usr/bin/chromium', '/usr/bin/apt-get'], { apt: 'root' }), install)).resolves.toBe('/usr/bin/chromium');
    expect(install).not.toHaveBeenCalled();
  });

  it("falls back to apt-get when Playwright's CDN is unreachable", async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const machine = linux(['/usr/bin/apt-get'], { apt: 'root' });
    const tried: Installer[] = [];
    const install = async (installer: Installer): Promise<Run> => {
      tried.push(installer);
      if (installer.kind === 'playwright') return unreachable;
      machine.files.add('/usr/bin/chromium');
      return ok;
    };
    await expect(provisionChromium(machine, install)).resolves.toBe('/usr/bin/chromium');
    expect(tried).toEqual([{ kind: 'playwright', installDeps: true }, { kind: 'apt', as: 'root' }]);
  });

  it("stops at Playwright's download when it works", async () => {
    vi.spyOn(process.stderr, 'write').mockReturnValue(true);
    const machine = linux(['/usr/bin/apt-get'], { apt: 'root' });
    const install = vi.fn(async () => {
      machine.files.add(PLAYWRIGHT_BUILD);
      return ok;
    });
    await expect(provisionChromium(machine, install)).resolves.toBe(PLAYWRIGHT_BUILD);
    expect(install).toHaveBeenCalledTimes(1);
  });

  it('says what was tried and exactly what to do when nothing works', async () => {
    const error = await provisionChromium(linux(['/usr/bin/apt-get'], { apt: undefined }), async () => unreachable).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('ENOTFOUND cdn.playwright.dev');
    expect(message).toContain('apt-get: not tried (needs apt-get and root or passwordless sudo)');
    expect(message).toContain('npx playwright-core install chromium');
    expect(message).toContain('sudo apt-get install chromium');
    expect(message).toContain('set CHROMIUM_PATH');
  });

  it('counts an install that leaves no Chromium behind as a failure', async () => {
    const error = await provisionChromium(linux([]), async () => ok).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/playwright finished, but no Chromium appeared/);
  });

  it('resolves once per process, shared by concurrent callers', async () => {
    vi.stubEnv('CHROMIUM_PATH', process.execPath);
    const first = ensureChromium();
    expect(ensureChromium()).toBe(first);
    await expect(first).resolves.toBe(process.execPath);
  });
});

describe('reporting a failed install', () => {
  it("keeps the lines that say why, without Node's stack frames", () => {
    const playwright = [
      'Downloading Chrome for Testing 159.0.8154.6 (playwright chromium v1255) from https://cdn.playwright.dev/…',
      'Error: getaddrinfo ENOTFOUND cdn.playwright.dev',
      '    at GetAddrInfoReqWrap.onlookupall [as oncomplete] (node:internal/dns/promises:102:17) {',
      'Error: getaddrinfo ENOTFOUND cdn.playwright.dev',
      'Failed to install browsers',
      'Error: Download failure, code=1',
      '    at ChildProcess.<anonymous> (coreBundle.js:34127:32)',
    ].join('\n');
    expect(summary(playwright)).toEqual(['Error: getaddrinfo ENOTFOUND cdn.playwright.dev', 'Error: Download failure, code=1']);
    expect(summary('Reading package lists...\nE: Unable to locate package chromium\n')).toEqual(['E: Unable to locate package chromium']);
    expect(summary('one\ntwo\n')).toEqual(['one', 'two']);
  });
});
