/**
 * `@rapport/sdk`'s published types resolve under every module resolution an
 * app may use: tsc compiles `tests/types/consumer.mts` against the built
 * package (`npm run build` first) in bundler, node16 and nodenext mode. Its
 * @ts-expect-error lines make misuse an error in each mode.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const tsc = resolve(ROOT, 'node_modules/typescript/bin/tsc');

/** tsc's diagnostics for the consumer in one mode; empty when it compiles. */
function compile(module: string, moduleResolution: string): string {
  try {
    execFileSync(process.execPath, [tsc, '-p', 'tests/types/tsconfig.json', '--module', module, '--moduleResolution', moduleResolution], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return '';
  } catch (err) {
    return (err as { stdout?: string }).stdout || String(err);
  }
}

describe('the published types', () => {
  it.each([
    ['bundler', 'esnext', 'bundler'],
    ['node16', 'node16', 'node16'],
    ['nodenext', 'nodenext', 'nodenext'],
  ])('resolve under %s', (_, module, moduleResolution) => {
    expect(existsSync(resolve(ROOT, 'sdk/dist/types/index.d.ts')), 'run `npm run build` first').toBe(true);
    expect(compile(module, moduleResolution)).toBe('');
  }, 60_000);
});
