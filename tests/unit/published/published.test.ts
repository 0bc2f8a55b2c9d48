/**
 * Publishing refuses what the Worker could not use, before anything is
 * written, and orders every publication value first, pointer last.
 */
import { describe, expect, it } from 'vitest';
import { catalogFeed } from '../../../demo-shop/src/catalog';
import { DEMO_SLOTS } from '../../../demo-shop/src/seed';
import { pointerKey, publishCatalog, publishModel, publishSlots, versionKey } from '../../../edge-worker/src/published/published';

describe('publishing', () => {
  it('writes a catalog under its content version, then the pointer; the same catalog gets the same version', () => {
    const [value, pointer] = publishCatalog(catalogFeed()).slice(-2);
    expect(value).toMatchObject({ key: versionKey('catalog', pointer!.value as string), pointer: false });
    expect(pointer).toMatchObject({ key: pointerKey('catalog'), pointer: true });
    expect(publishCatalog(catalogFeed()).at(-1)!.value).toBe(pointer!.value);
    expect(publishCatalog(catalogFeed().slice(1)).at(-1)!.value).not.toBe(pointer!.value);
  });

  it('publishes only the fields the Worker uses', () => {
    const items = catalogFeed().map((item) => ({ ...item, supplierCost: 1 }));
    expect(publishCatalog(items)[0]!.value).not.toContain('supplierCost');
  });

  it('refuses a catalog item the Worker could not rank, naming it', () => {
    const items = catalogFeed().map((item, i) => (i === 3 ? { ...item, price: 'cheap' as unknown as number } : item));
    expect(() => publishCatalog(items)).toThrow(/catalog: 3\.price: /);
  });

  it('refuses bytes that are not a model artifact', () => {
    expect(() => publishModel(new TextEncoder().encode('not a model'))).toThrow(/artifact/);
  });

  it('refuses an invalid slot configuration, naming the field', () => {
    expect(() => publishSlots({ recommended: { title: 'x', size: 0, strategy: 'personal' } })).toThrow(/slot configuration: recommended\.size: /);
    expect(publishSlots(DEMO_SLOTS).map((entry) => entry.pointer)).toEqual([false, true]);
  });

  it('refuses catalog and content addresses a page must not follow: only paths and http(s) URLs are data', () => {
    const withUrl = (url: string) => catalogFeed().map((item, i) => (i === 0 ? { ...item, url } : item));
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>', '//evil.example/p', '/\\evil.example', 'p/1']) {
      expect(() => publishCatalog(withUrl(url)), url).toThrow(/catalog: 0\.url: must be a path/);
    }
    for (const url of ['/p/1', 'https://shop.example/p/1', 'HTTP://shop.example/p/1']) expect(() => publishCatalog(withUrl(url)), url).not.toThrow();
    const images = catalogFeed().map((item, i) => (i === 2 ? { ...item, image: 'data:image/svg+xml,<svg/>' } : item));
    expect(() => publishCatalog(images)).toThrow(/catalog: 2\.image: /);
    const hero = { kind: 'variants', variants: [{ id: 'v', title: 'Hi', href: 'javascript:alert(1)', reason: 'r' }] };
    expect(() => publishSlots({ hero })).toThrow(/slot configuration: hero\.variants\.0\.href: /);
  });
});
