/**
 * The script-tag stub as a page's server renders it: the same markup as
 * always without options, and with a Content-Security-Policy nonce on its
 * <script> and <style> (anything but a base64 nonce is refused with a
 * TypeError, so nothing else can reach the attribute), within 500 B either
 * way. That it then runs under a strict policy with zero violations is
 * tests/browser/sdk-csp.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { stubSnippet } from '../../../sdk/src/index';

const ROOT = resolve(__dirname, '../../..');
const gzipped = (text: string) => gzipSync(text, { level: 9 }).length;
/** A nonce as servers make them: 16 random bytes, base64. */
const nonce = () => randomBytes(16).toString('base64');
const sizes: Record<string, number> = {};

afterAll(() => {
  console.log(Object.entries(sizes).map(([what, bytes]) => `${String(bytes).padStart(6)} B  ${what}`).join('\n'));
});

// Compile-time checks only: type-checked by `npm run typecheck`, never called.
export function misuse() {
  stubSnippet();
  stubSnippet(1500);
  stubSnippet({ waitMs: 1500, nonce: 'abc' });
  // @ts-expect-error the nonce is text
  stubSnippet({ nonce: 42 });
  // @ts-expect-error options are named
  stubSnippet({ wait: 1500 });
}

/** The markup's opening tags, e.g. ['<style nonce="…">', '<script nonce="…">']. */
const openingTags = (html: string) => html.match(/<(?:style|script)\b[^>]*>/g);

describe('stubSnippet', () => {
  it('without options prints the stub the READMEs show, with no attributes', () => {
    const html = stubSnippet();
    expect(openingTags(html)).toEqual(['<style>', '<script>']);
    // As two lines, the way both install sections show it.
    const shown = html.replace('</style><script>', '</style>\n<script>');
    expect(readFileSync(resolve(ROOT, 'README.md'), 'utf8')).toContain(shown);
    expect(readFileSync(resolve(ROOT, 'sdk/README.md'), 'utf8')).toContain(shown);
  });

  it('takes the wait as a number or as an option', () => {
    expect(stubSnippet(1500)).toContain('r.w=1500;');
    expect(stubSnippet({ waitMs: 1500 })).toBe(stubSnippet(1500));
    expect(stubSnippet({})).toBe(stubSnippet());
  });

  it('puts the nonce on both the <style> and the <script>, and changes nothing else', () => {
    const value = nonce();
    const html = stubSnippet({ nonce: value });
    expect(openingTags(html)).toEqual([`<style nonce="${value}">`, `<script nonce="${value}">`]);
    expect(html.replaceAll(` nonce="${value}"`, '')).toBe(stubSnippet());
    expect(stubSnippet({ nonce: value, waitMs: 300 })).toBe(stubSnippet(300).replace(/<(style|script)>/g, `<$1 nonce="${value}">`));
  });

  it.each(['rAnd0m+/Base64==', 'rAnd0m-_Base64url', 'YWJj', 'YQ=', 'a'])('accepts the nonce %s (base64 or base64url, as CSP defines it)', (value) => {
    expect(stubSnippet({ nonce: value })).toContain(`<script nonce="${value}">`);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'abc def'],
    ['breaking out of the attribute', 'abc"><script>alert(1)</script>'],
    ['quoted', "'abc'"],
    ['CSP source syntax', "'nonce-abc'"],
    ['padding in the middle', 'ab=cd'],
    ['three = of padding', 'abc==='],
    ['a line break', 'abc\ndef'],
  ])('refuses a nonce %s with a TypeError', (_, value) => {
    expect(() => stubSnippet({ nonce: value })).toThrow(new TypeError(`stubSnippet: nonce must be base64, got ${JSON.stringify(value)}`));
  });

  it('keeps the inline stub within 500 B (min+gzip), with a nonce too', () => {
    sizes['stub, stubSnippet()'] = gzipped(stubSnippet());
    sizes['stub, stubSnippet({ nonce }) with a 16-byte nonce'] = gzipped(stubSnippet({ nonce: nonce() }));
    expect(sizes['stub, stubSnippet()']).toBeLessThanOrEqual(500);
    expect(sizes['stub, stubSnippet({ nonce }) with a 16-byte nonce']).toBeLessThanOrEqual(500);
  });
});
