/**
 * The demo shop's product pictures (demo-shop/src/image.ts), served as
 * /img/<id>.svg: self-contained SVG a browser can show without fetching
 * anything, named for screen readers, one recognisable drawing per category
 * and a colour per product.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, PRODUCTS, type Product } from '../../../demo-shop/src/catalog';
import { PICTOGRAMS, productImage, productPalette } from '../../../demo-shop/src/image';

interface Element {
  name: string;
  attrs: Record<string, string>;
  /** The text directly inside the element, entities decoded. */
  text: string;
}

const ENTITY = /&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/gi;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (text: string) =>
  text.replace(ENTITY, (_, dec: string, hex: string, name: string) => (name ? NAMED[name.toLowerCase()]! : String.fromCodePoint(dec ? Number(dec) : parseInt(hex, 16))));

/**
 * Reads a document as XML does, strictly enough for what we emit: one root
 * element, tags that nest and close, double-quoted attributes, and no raw `<`
 * or stray `&` in text or values. Throws on anything else; returns every element.
 */
function readXml(doc: string): Element[] {
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const elements: Element[] = [];
  const open: Element[] = [];
  let rootClosed = false;
  while (token.lastIndex < doc.length) {
    const at = token.lastIndex;
    const m = token.exec(doc);
    if (!m) throw new Error(`not XML at ${at}: ${doc.slice(at, at + 40)}`);
    const [, closing, name, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      if (open.length === 0) throw new Error(`text outside the root: ${text}`);
      if (text.replace(ENTITY, '').includes('&')) throw new Error(`stray & in text: ${text}`);
      open.at(-1)!.text += decode(text);
    } else if (closing) {
      const top = open.pop();
      if (top?.name !== name) throw new Error(`</${name}> closes <${top?.name}>`);
      if (open.length === 0) rootClosed = true;
    } else {
      if (rootClosed || (open.length === 0 && elements.length > 0)) throw new Error('a second root element');
      const attrs: Record<string, string> = {};
      for (const [, key, value] of attrText!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
        if (key! in attrs) throw new Error(`attribute ${key} twice on <${name}>`);
        if (value!.replace(ENTITY, '').includes('&')) throw new Error(`stray & in ${key}="${value}"`);
        attrs[key!] = decode(value!);
      }
      const element = { name: name!, attrs, text: '' };
      elements.push(element);
      if (!selfClosing) open.push(element);
      else if (open.length === 0) rootClosed = true;
    }
  }
  if (open.length > 0) throw new Error(`<${open.at(-1)!.name}> is never closed`);
  if (elements.length === 0) throw new Error('no element');
  return elements;
}

const inCategory = (category: string) => PRODUCTS.filter((p) => p.category === category);

describe('product images', () => {
  it('are well-formed SVG documents named after the product, under 3 KB each', () => {
    for (const p of PRODUCTS) {
      const svg = productImage(p);
      expect(svg.startsWith('<svg'), p.id).toBe(true);
      const [root, ...rest] = readXml(svg);
      expect(root!.name).toBe('svg');
      expect(root!.attrs).toMatchObject({ xmlns: 'http://www.w3.org/2000/svg', viewBox: '0 0 240 180', role: 'img', 'aria-label': p.title });
      expect(rest.length, `${p.id} draws something`).toBeGreaterThan(5);
      expect(Buffer.byteLength(svg), p.id).toBeLessThan(3 * 1024);
    }
    expect(productImage(PRODUCTS[0]!)).toContain('aria-label="Essence Mascara Lash Princess"');
  });

  it('need nothing from the network and run no code', () => {
    for (const p of PRODUCTS) {
      const svg = productImage(p).replace(' xmlns="http://www.w3.org/2000/svg"', '');
      expect(svg, p.id).not.toMatch(/https?:|\/\/|url\(|href|@import/i);
      const names = new Set(readXml(svg).map((e) => e.name));
      for (const banned of ['script', 'foreignObject', 'image', 'use', 'style']) expect(names.has(banned), `${p.id} <${banned}>`).toBe(false);
      for (const e of readXml(svg)) for (const key of Object.keys(e.attrs)) expect(key, p.id).not.toMatch(/^on/i);
    }
  });

  it('label each picture with the brand, or the title when there is none', () => {
    for (const p of PRODUCTS) {
      const label = readXml(productImage(p)).find((e) => e.name === 'text')!;
      const expected = p.brand || p.title;
      expect(expected.startsWith(label.text.replace(/…$/, '')), `${p.id}: ${label.text}`).toBe(true);
      expect([...label.text].length).toBeLessThanOrEqual(26);
      expect(label.attrs['font-family']).toMatch(/^system-ui/);
    }
    const dolce = PRODUCTS.find((p) => p.brand === 'Dolce & Gabbana')!;
    expect(productImage(dolce)).toContain('>Dolce &#38; Gabbana<');
  });

  it('are the same picture every time, and differ between products of one category', () => {
    for (const category of CATEGORIES) {
      const products = inCategory(category);
      expect(products.length).toBeGreaterThanOrEqual(2);
      const images = products.map((p) => productImage(p));
      expect(products.map((p) => productImage({ ...p }))).toEqual(images);
      expect(new Set(images).size, category).toBe(products.length);
      // The colour tells them apart: the drawing itself is the category's.
      const fills = products.map((p) => readXml(productImage(p))[1]!.attrs.fill);
      expect(new Set(fills).size, category).toBe(products.length);
    }
  });

  it('draw a pictogram of its own for every category in the catalog, not the fallback', () => {
    const palette = { main: '#111', dark: '#222', light: '#333' };
    expect(Object.keys(PICTOGRAMS).sort()).toEqual([...CATEGORIES]);
    const drawings = CATEGORIES.map((category) => PICTOGRAMS[category]!(palette));
    expect(new Set(drawings).size).toBe(CATEGORIES.length);
    for (const category of CATEGORIES) {
      const p = inCategory(category)[0]!;
      const uncategorised: Product = { ...p, category: 'not-a-category' };
      expect(productImage(p), category).not.toBe(productImage(uncategorised));
      expect(productImage(p), category).toContain(PICTOGRAMS[category]!(productPalette(p.id)));
    }
  });

  it('escape whatever a title or brand holds', () => {
    const base = PRODUCTS[0]!;
    fc.assert(
      fc.property(fc.string(), fc.string(), (title, brand) => {
        const svg = productImage({ ...base, title, brand });
        const [root, ...rest] = readXml(svg);
        expect(root!.attrs['aria-label']).toBe(title);
        expect(rest.map((e) => e.name)).not.toContain('script');
        expect(rest.find((e) => e.name === 'text')!.text).toBe(labelFor(brand || title));
      }),
    );
    expect(productImage({ ...base, title: '"><script>alert(1)</script>' })).not.toContain('<script');
  });
});

/** The label's rule: at most 26 characters, a longer name cut to 25 and an ellipsis. */
function labelFor(text: string) {
  const chars = [...text];
  return chars.length > 26 ? `${chars.slice(0, 25).join('')}…` : text;
}
