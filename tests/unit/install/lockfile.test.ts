/**
 * package-lock.json as `npm ci` needs it on every contributor's machine and in
 * CI: in step with package.json (or `npm ci` refuses to install), and holding
 * our native toolchain's builds for Linux, macOS and Windows on x64 and arm64
 * (or that platform installs without them and the tools fail to load).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

/** One entry of the lock's `packages` map. */
interface Entry {
  name?: string;
  version?: string;
  link?: boolean;
  os?: string[];
  cpu?: string[];
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
interface Lock {
  packages: Record<string, Entry>;
}

/**
 * Packages that load a native build published as one optional package per
 * platform: rollup builds the SDK, rolldown and lightningcss are vite's (so
 * vitest's), esbuild runs tsx and wrangler, workerd runs the Worker, DuckDB's
 * bindings read the event log for training.
 */
const NATIVE = ['@duckdb/node-bindings', 'esbuild', 'lightningcss', 'rolldown', 'rollup', 'workerd'];
const OSES = ['linux', 'darwin', 'win32'];
const CPUS = ['x64', 'arm64'];
/** How the platform packages spell an OS or CPU in their names (workerd says windows-64). */
const OS_WORDS: Record<string, string> = { linux: 'linux', darwin: 'darwin', win32: 'win32', windows: 'win32' };
const CPU_WORDS: Record<string, string> = { x64: 'x64', '64': 'x64', arm64: 'arm64' };

/** The platform a package name says it is built for, e.g. `@cloudflare/workerd-windows-64` → win32 x64. */
function platformOf(name: string): { os: string; cpu: string } | undefined {
  const words = name.slice(name.lastIndexOf('/') + 1).split('-');
  const os = words.map((word) => OS_WORDS[word]).find(Boolean);
  const cpu = words.map((word) => CPU_WORDS[word]).find(Boolean);
  return os && cpu ? { os, cpu } : undefined;
}

/** The lock path Node would load `name` from when required by the package at `from` (walking up node_modules). */
function resolveFrom(lock: Lock, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent < 0 ? '' : dir.slice(0, parent);
  }
}

/** Every copy of `name` in the lock (hoisted and nested ones, e.g. wrangler's own workerd). */
function copiesOf(lock: Lock, name: string): string[] {
  return Object.keys(lock.packages).filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
}

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * The platform packages missing from the lock: for every copy of a native
 * package, each optional dependency built for linux, darwin or win32 on x64 or
 * arm64 must resolve from that copy, at the exact version it pins.
 */
function missingPlatformPackages(lock: Lock): string[] {
  const missing: string[] = [];
  for (const name of NATIVE) {
    for (const copy of copiesOf(lock, name)) {
      for (const [dep, wanted] of Object.entries(lock.packages[copy]!.optionalDependencies ?? {})) {
        const platform = platformOf(dep);
        if (!platform || !OSES.includes(platform.os) || !CPUS.includes(platform.cpu)) continue;
        const found = resolveFrom(lock, copy, dep);
        const version = found && lock.packages[found]!.version;
        if (!found) missing.push(`${copy}@${lock.packages[copy]!.version} needs ${dep}@${wanted} (${platform.os} ${platform.cpu}): not in the lock`);
        else if (EXACT_VERSION.test(wanted) && version !== wanted) {
          missing.push(`${copy}@${lock.packages[copy]!.version} needs ${dep}@${wanted} (${platform.os} ${platform.cpu}): the lock has ${version} at ${found}`);
        }
      }
    }
  }
  return missing;
}

/** The platforms (os cpu) each copy of the native packages has builds for, as the lock's optionalDependencies say. */
function publishedPlatforms(lock: Lock): Record<string, string[]> {
  const byCopy: Record<string, string[]> = {};
  for (const name of NATIVE) {
    for (const copy of copiesOf(lock, name)) {
      const platforms = Object.keys(lock.packages[copy]!.optionalDependencies ?? {})
        .map(platformOf)
        .filter((p): p is { os: string; cpu: string } => Boolean(p) && OSES.includes(p!.os) && CPUS.includes(p!.cpu))
        .map((p) => `${p.os} ${p.cpu}`);
      byCopy[copy] = [...new Set(platforms)].sort();
    }
  }
  return byCopy;
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/**
 * Where the lock disagrees with the package.json files `npm ci` compares it
 * with: the root's and each workspace's declared dependencies, and the list of
 * workspaces.
 *
 * @param manifests - package.json contents by lock path ('' for the root, 'sdk' for the workspace)
 */
function outOfStep(lock: Lock, manifests: Record<string, Entry>): string[] {
  const differences: string[] = [];
  for (const [at, manifest] of Object.entries(manifests)) {
    const locked = lock.packages[at];
    const where = at ? `${at}/package.json` : 'package.json';
    if (!locked) {
      differences.push(`${where}: the lock has no packages["${at}"]`);
      continue;
    }
    for (const field of DEPENDENCY_FIELDS) {
      const declared = manifest[field] ?? {};
      const inLock = locked[field] ?? {};
      for (const name of new Set([...Object.keys(declared), ...Object.keys(inLock)])) {
        if (declared[name] !== inLock[name]) {
          differences.push(`${where} ${field}.${name}: package.json says ${declared[name] ?? '(nothing)'}, the lock says ${inLock[name] ?? '(nothing)'}`);
        }
      }
    }
  }
  const workspaces = manifests['']?.workspaces ?? [];
  if (JSON.stringify(workspaces) !== JSON.stringify(lock.packages['']?.workspaces ?? [])) {
    differences.push(`package.json workspaces ${JSON.stringify(workspaces)} differ from the lock's ${JSON.stringify(lock.packages['']?.workspaces ?? [])}`);
  }
  return differences;
}

const REGENERATE = 'regenerate the lock from scratch: rm -rf node_modules package-lock.json && npm install';

const lock: Lock = readJson('package-lock.json');
const rootManifest: Entry = readJson('package.json');
const manifests: Record<string, Entry> = {
  '': rootManifest,
  ...Object.fromEntries((rootManifest.workspaces ?? []).map((workspace) => [workspace, readJson(`${workspace}/package.json`)])),
};
const clone = (): Lock => structuredClone(lock);

describe('package-lock.json', () => {
  it('declares the same dependencies as package.json and the workspaces (npm ci refuses otherwise)', () => {
    expect(outOfStep(lock, manifests), REGENERATE).toEqual([]);
  });

  it("holds the native toolchain's builds for Linux, macOS and Windows on x64 and arm64", () => {
    expect(missingPlatformPackages(lock), REGENERATE).toEqual([]);
  });

  it('checks every copy of each native package, on the platforms its optional dependencies name', () => {
    const platforms = publishedPlatforms(lock);
    for (const name of NATIVE) expect(copiesOf(lock, name), name).not.toEqual([]);
    expect(Object.keys(platforms)).toContain('node_modules/wrangler/node_modules/workerd');
    for (const [copy, found] of Object.entries(platforms)) {
      // Every one of them builds at least for these; a parser that read nothing would let the check pass vacuously.
      expect(found, copy).toEqual(expect.arrayContaining(['linux x64', 'linux arm64', 'darwin x64', 'darwin arm64', 'win32 x64']));
    }
  });

  it('names the platform package a lock lacks, and the copy that needs it', () => {
    const broken = clone();
    delete broken.packages['node_modules/@rollup/rollup-darwin-arm64'];
    expect(missingPlatformPackages(broken)).toEqual([
      expect.stringMatching(/^node_modules\/rollup@[\d.]+ needs @rollup\/rollup-darwin-arm64@[\d.]+ \(darwin arm64\): not in the lock$/),
    ]);
    const nested = copiesOf(lock, 'workerd').find((copy) => copy.includes('/wrangler/'))!;
    const windows = resolveFrom(lock, nested, '@cloudflare/workerd-windows-64')!;
    const wrongVersion = clone();
    wrongVersion.packages[windows] = { ...wrongVersion.packages[windows], version: '0.0.1' };
    expect(missingPlatformPackages(wrongVersion).join('\n')).toContain(`${nested}@${lock.packages[nested]!.version} needs @cloudflare/workerd-windows-64`);
  });

  it('names a dependency package.json declares but the lock does not, and one whose range changed', () => {
    const edited = { ...manifests, '': { ...rootManifest, devDependencies: { ...rootManifest.devDependencies, 'left-pad': '^1.3.0', rollup: '^5.0.0' } } };
    expect(outOfStep(lock, edited)).toEqual([
      expect.stringContaining('devDependencies.rollup: package.json says ^5.0.0, the lock says'),
      'package.json devDependencies.left-pad: package.json says ^1.3.0, the lock says (nothing)',
    ]);
  });

  it('reads platforms from package names the way each family spells them', () => {
    expect(platformOf('@cloudflare/workerd-windows-64')).toEqual({ os: 'win32', cpu: 'x64' });
    expect(platformOf('@rollup/rollup-linux-arm64-musl')).toEqual({ os: 'linux', cpu: 'arm64' });
    expect(platformOf('lightningcss-darwin-x64')).toEqual({ os: 'darwin', cpu: 'x64' });
    expect(platformOf('@esbuild/win32-ia32')).toBeUndefined();
    expect(platformOf('fsevents')).toBeUndefined();
  });
});
