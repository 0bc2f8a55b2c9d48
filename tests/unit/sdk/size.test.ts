/**
 * Byte budgets for what shoppers download, measured on the builds they load
 * (min+gzip). A regression fails the build. Run `npm run build` first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { stubSnippet } from '../../../sdk/src/stub';

const gzipped = (text: string | Buffer) => gzipSync(text, { level: 9 }).length;
const bundle = resolve(__dirname, '../../../sdk/dist/rapport.min.js');

describe('size budget', () => {
  it('keeps the script-tag SDK (tracking, queue, consent, slots) within 6 KB', () => {
    expect(existsSync(bundle), 'sdk/dist/rapport.min.js is missing: run `npm run build`').toBe(true);
    expect(gzipped(readFileSync(bundle))).toBeLessThanOrEqual(6 * 1024);
  });

  it('keeps the inline stub within 0.5 KB', () => {
    expect(gzipped(stubSnippet())).toBeLessThanOrEqual(512);
  });
});
