/**
 * Product images drawn by the shop itself (the catalog's photos live on a
 * host these machines cannot reach, and are not ours to ship): a tile in the
 * category's colour with the product's initials.
 */
import type { Product } from './catalog';

function hue(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 360;
  return h;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** An SVG picture for a product. */
export function productImage(product: Product): string {
  const h = hue(product.category);
  const initials = product.title
    .split(/\s+/)
    .filter((w) => /^[A-Za-z0-9]/.test(w))
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 180" role="img" aria-label="${escapeXml(product.title)}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${h} 70% 88%)"/><stop offset="1" stop-color="hsl(${(h + 40) % 360} 60% 72%)"/></linearGradient></defs>
<rect width="240" height="180" fill="url(#g)"/>
<circle cx="190" cy="40" r="${18 + (hue(product.id) % 20)}" fill="hsl(${h} 60% 60% / .35)"/>
<text x="120" y="108" text-anchor="middle" font-family="system-ui,sans-serif" font-size="56" font-weight="700" fill="hsl(${h} 45% 30%)">${escapeXml(initials)}</text>
</svg>`;
}
