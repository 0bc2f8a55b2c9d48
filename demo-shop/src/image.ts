/**
 * Product images drawn by the shop itself (the catalog's photos live on a
 * host these machines cannot reach, and are not ours to ship): a flat
 * pictogram of the category, in a colour of the product's own, on a soft
 * background, with the brand (or the title) as a small label.
 */
import type { Product } from './catalog';

/** The colours one product is drawn in, all from one hue. */
export interface Palette {
  /** The object's main colour. */
  main: string;
  /** Outlines, straps and shadows. */
  dark: string;
  /** Highlights and secondary parts. */
  light: string;
}

/** A category's drawing: SVG shapes within the 240×180 picture, above the label band (y < 150). */
export type Pictogram = (c: Palette) => string;

/** Screens, tyres and lenses: the same near-black whatever the product's colour. */
const INK = '#262a33';
/** Metal parts: collars, buckles, pots. */
const METAL = '#c3c8d2';
const GOLD = '#d9b45a';

/** One pictogram per category in the catalog (demo-shop/catalog/products.json). */
export const PICTOGRAMS: Readonly<Record<string, Pictogram>> = {
  beauty: (c) =>
    `<rect x="78" y="92" width="34" height="48" rx="4" fill="${c.dark}"/><rect x="81" y="74" width="28" height="20" fill="${GOLD}"/>` +
    `<path d="M84 74V50l22-12v36z" fill="${c.main}"/>` +
    `<rect x="132" y="30" width="22" height="110" rx="8" fill="${c.main}"/><rect x="132" y="82" width="22" height="8" fill="${c.dark}"/>` +
    `<rect x="137" y="40" width="4" height="34" rx="2" fill="${c.light}"/>`,
  fragrances: (c) =>
    `<rect x="104" y="24" width="32" height="26" rx="5" fill="${c.dark}"/><rect x="111" y="48" width="18" height="14" fill="${METAL}"/>` +
    `<rect x="84" y="60" width="72" height="80" rx="16" fill="${c.main}"/>` +
    `<rect x="98" y="88" width="44" height="28" rx="4" fill="${c.light}"/><rect x="92" y="68" width="8" height="50" rx="4" fill="#fff" opacity=".45"/>`,
  furniture: (c) =>
    `<rect x="58" y="52" width="124" height="50" rx="14" fill="${c.main}"/>` +
    `<rect x="60" y="94" width="120" height="24" rx="6" fill="${c.light}"/>` +
    `<rect x="44" y="76" width="26" height="50" rx="11" fill="${c.dark}"/><rect x="170" y="76" width="26" height="50" rx="11" fill="${c.dark}"/>` +
    `<path d="M120 56v38" stroke="${c.dark}" stroke-width="2" opacity=".4"/>` +
    `<rect x="54" y="124" width="8" height="14" fill="${INK}"/><rect x="178" y="124" width="8" height="14" fill="${INK}"/>`,
  groceries: (c) =>
    `<rect x="126" y="24" width="16" height="62" rx="8" fill="#e3b56e" transform="rotate(18 134 55)"/>` +
    `<path d="M86 66c-10-20 0-32 6-34 2 10 4 22 2 34zM90 66c2-16 8-24 14-24-2 10-4 18-8 24z" fill="#5aa15a"/>` +
    `<path d="M113 44q1-8 6-10" stroke="#6b4a2b" stroke-width="3" fill="none"/><circle cx="112" cy="56" r="13" fill="#d9534f"/>` +
    `<path d="M68 66h104l-8 74H76z" fill="${c.main}"/><path d="M68 66h104l-2 14H70z" fill="${c.dark}"/>` +
    `<rect x="100" y="94" width="40" height="26" rx="4" fill="${c.light}"/>`,
  'home-decoration': (c) =>
    `<path d="M82 34h44l14 42H68z" fill="${c.main}"/><rect x="101" y="76" width="6" height="44" fill="${c.dark}"/>` +
    `<rect x="84" y="118" width="40" height="10" rx="5" fill="${c.dark}"/>` +
    `<path d="M160 60c0-16 10-26 16-30M160 60c-4-12-14-18-20-18" stroke="#5aa15a" stroke-width="3" fill="none"/>` +
    `<circle cx="176" cy="30" r="6" fill="${c.light}"/><circle cx="140" cy="42" r="6" fill="${c.light}"/>` +
    `<path d="M152 60h16c0 10 12 24 12 46 0 14-8 22-20 22s-20-8-20-22c0-22 12-36 12-46z" fill="${c.dark}"/>` +
    `<path d="M141 100h38" stroke="${c.light}" stroke-width="6"/>`,
  'kitchen-accessories': (c) =>
    `<rect x="140" y="82" width="68" height="14" rx="7" fill="${c.dark}"/>` +
    `<circle cx="100" cy="88" r="44" fill="${c.dark}"/><circle cx="100" cy="88" r="36" fill="${c.main}"/>` +
    `<path d="M80 78c6-16 30-16 38-4 10 4 8 24-6 26-10 8-30 6-32-6-8-4-6-14 0-16z" fill="#fff"/><circle cx="100" cy="86" r="9" fill="#f2b233"/>`,
  laptops: (c) =>
    `<rect x="66" y="32" width="108" height="74" rx="6" fill="${INK}"/><rect x="73" y="39" width="94" height="60" rx="2" fill="${c.main}"/>` +
    `<path d="M73 99l36-30 20 16 14-10 24 24z" fill="${c.light}"/>` +
    `<path d="M52 106h136l-6 12H58z" fill="${METAL}"/><rect x="106" y="106" width="28" height="4" rx="2" fill="#9aa1ad"/>`,
  'mens-shirts': (c) =>
    `<path d="M94 34l14-6h24l14 6 28 20-14 22-12-8v66H92V68l-12 8-14-22z" fill="${c.main}"/>` +
    `<path d="M108 28l12 18-14 10-6-24zM132 28l-12 18 14 10 6-24z" fill="${c.light}"/>` +
    `<path d="M120 46v88" stroke="${c.dark}" stroke-width="2"/>` +
    `<g fill="${c.dark}"><circle cx="125" cy="62" r="2.5"/><circle cx="125" cy="82" r="2.5"/><circle cx="125" cy="102" r="2.5"/><circle cx="125" cy="122" r="2.5"/></g>` +
    `<rect x="98" y="70" width="14" height="14" rx="2" fill="${c.dark}" opacity=".35"/>`,
  'mens-shoes': (c) =>
    `<path d="M52 110l4-36q2-8 10-8l16-2q12 20 36 20l40 6q36 6 38 20z" fill="${c.main}"/>` +
    `<path d="M160 92q30 4 36 18h-40q-6-10 4-18z" fill="${c.light}"/><path d="M56 76l-4-6h14z" fill="${c.dark}"/>` +
    `<rect x="46" y="106" width="152" height="14" rx="7" fill="#fff" stroke="${c.dark}" stroke-width="3"/>` +
    `<path d="M70 96q34 6 62-6" stroke="${c.light}" stroke-width="7" fill="none" stroke-linecap="round"/>` +
    `<path d="M94 74l8-8M104 78l8-8M114 81l8-8" stroke="#fff" stroke-width="4" stroke-linecap="round"/>`,
  'mens-watches': (c) =>
    `<rect x="104" y="18" width="32" height="44" rx="4" fill="${c.dark}"/><rect x="104" y="102" width="32" height="44" rx="4" fill="${c.dark}"/>` +
    `<rect x="152" y="76" width="10" height="12" rx="2" fill="${METAL}"/>` +
    `<circle cx="120" cy="82" r="36" fill="${c.main}"/><circle cx="120" cy="82" r="28" fill="#fff"/>` +
    `<g fill="${INK}"><rect x="118" y="58" width="4" height="7"/><rect x="118" y="99" width="4" height="7"/><rect x="96" y="80" width="7" height="4"/><rect x="137" y="80" width="7" height="4"/></g>` +
    `<path d="M120 82V64M120 82l12 8" stroke="${INK}" stroke-width="3" stroke-linecap="round"/>`,
  'mobile-accessories': (c) =>
    `<path d="M72 100V82a48 48 0 0 1 96 0v18" stroke="${c.dark}" stroke-width="10" fill="none"/>` +
    `<rect x="58" y="84" width="30" height="50" rx="12" fill="${c.main}"/><rect x="152" y="84" width="30" height="50" rx="12" fill="${c.main}"/>` +
    `<rect x="80" y="92" width="10" height="34" rx="5" fill="${c.light}"/><rect x="150" y="92" width="10" height="34" rx="5" fill="${c.light}"/>`,
  motorcycle: (c) =>
    `<path d="M42 104q22-30 48-8M152 94q18-14 38 2" stroke="${c.main}" stroke-width="6" fill="none"/>` +
    `<g stroke="${INK}" stroke-width="8" fill="none"><circle cx="66" cy="114" r="22"/><circle cx="174" cy="114" r="22"/></g>` +
    `<g fill="${METAL}"><circle cx="66" cy="114" r="5"/><circle cx="174" cy="114" r="5"/></g>` +
    `<path d="M66 114l30-30M174 114l-20-54" stroke="${c.dark}" stroke-width="6" stroke-linecap="round"/>` +
    `<rect x="100" y="90" width="40" height="24" rx="5" fill="${INK}"/><path d="M104 110l-44-4" stroke="${METAL}" stroke-width="5" stroke-linecap="round"/>` +
    `<path d="M108 86q6-20 30-20 16 0 22 10l-4 12H108z" fill="${c.main}"/><path d="M74 78h38v10H80z" fill="${c.dark}"/>` +
    `<path d="M144 54l20-6" stroke="${INK}" stroke-width="5" stroke-linecap="round"/><circle cx="168" cy="70" r="7" fill="${c.light}"/>`,
  'skin-care': (c) =>
    `<rect x="124" y="18" width="28" height="8" rx="3" fill="${c.dark}"/><rect x="110" y="20" width="16" height="4" rx="2" fill="${c.dark}"/><rect x="133" y="24" width="10" height="20" fill="${c.dark}"/>` +
    `<rect x="126" y="42" width="24" height="14" rx="3" fill="${c.dark}"/><rect x="120" y="54" width="48" height="86" rx="10" fill="${c.light}"/>` +
    `<rect x="128" y="84" width="32" height="24" rx="3" fill="${c.main}" opacity=".6"/>` +
    `<rect x="64" y="80" width="72" height="20" rx="6" fill="${c.dark}"/><rect x="60" y="96" width="80" height="44" rx="12" fill="${c.main}"/>` +
    `<rect x="72" y="110" width="56" height="14" rx="3" fill="#fff" opacity=".6"/>`,
  smartphones: (c) =>
    `<rect x="92" y="20" width="56" height="116" rx="10" fill="${INK}"/><rect x="97" y="30" width="46" height="96" rx="3" fill="${c.main}"/>` +
    `<rect x="112" y="24" width="16" height="3" rx="1.5" fill="#555b66"/><circle cx="120" cy="131" r="2.5" fill="#555b66"/>` +
    `<g fill="${c.light}"><rect x="103" y="38" width="14" height="14" rx="3"/><rect x="123" y="38" width="14" height="14" rx="3"/><rect x="103" y="58" width="14" height="14" rx="3"/><rect x="123" y="58" width="14" height="14" rx="3"/></g>`,
  'sports-accessories': (c) =>
    `<circle cx="120" cy="82" r="52" fill="${c.main}"/>` +
    `<g stroke="${c.dark}" stroke-width="4" fill="none"><path d="M120 30v104M68 82h104"/><path d="M83 45q22 37 0 74M157 45q-22 37 0 74"/></g>`,
  sunglasses: (c) =>
    `<path d="M50 70h140" stroke="${c.main}" stroke-width="8" stroke-linecap="round"/>` +
    `<path d="M56 68h52q2 36-26 36-28 0-26-36zM132 68h52q2 36-26 36-28 0-26-36z" fill="${INK}" stroke="${c.main}" stroke-width="6"/>` +
    `<path d="M108 72q12-10 24 0" stroke="${c.main}" stroke-width="6" fill="none"/>` +
    `<path d="M70 78l14-6M146 78l14-6" stroke="${c.light}" stroke-width="5" stroke-linecap="round" opacity=".8"/>`,
  tablets: (c) =>
    `<rect x="56" y="30" width="128" height="96" rx="10" fill="${INK}"/><rect x="64" y="38" width="112" height="80" rx="3" fill="${c.main}"/>` +
    `<circle cx="120" cy="34" r="1.8" fill="#555b66"/><path d="M64 118l36-34 22 20 18-14 36 28z" fill="${c.light}"/><circle cx="150" cy="60" r="9" fill="#fff" opacity=".8"/>` +
    `<rect x="150" y="108" width="64" height="7" rx="3.5" fill="${c.dark}" transform="rotate(-38 182 111)"/>`,
  tops: (c) =>
    `<path d="M96 32q24 22 48 0l26 14-12 24-12-6 4 30 16 44H74l16-44 4-30-12 6-12-24z" fill="${c.main}"/>` +
    `<path d="M92 92h56l2 8H90z" fill="${c.dark}"/>` +
    `<g fill="${c.light}"><circle cx="106" cy="116" r="4"/><circle cx="122" cy="126" r="4"/><circle cx="138" cy="112" r="4"/><circle cx="118" cy="60" r="4"/><circle cx="132" cy="74" r="4"/></g>`,
  vehicle: (c) =>
    `<path d="M36 114V98q2-10 14-12l32-6 22-20q8-6 18-6h40q10 0 16 8l18 20q20 2 22 14v18z" fill="${c.main}"/>` +
    `<path d="M92 82l18-18q4-4 10-4h16v22zM144 60h16q6 0 10 6l12 16h-38z" fill="${c.light}"/>` +
    `<rect x="190" y="96" width="10" height="6" rx="2" fill="#f2b233"/>` +
    `<g fill="${INK}"><circle cx="76" cy="116" r="18"/><circle cx="166" cy="116" r="18"/></g><g fill="${METAL}"><circle cx="76" cy="116" r="7"/><circle cx="166" cy="116" r="7"/></g>`,
  'womens-bags': (c) =>
    `<path d="M92 70V58a28 28 0 0 1 56 0v12" stroke="${c.dark}" stroke-width="8" fill="none"/>` +
    `<path d="M66 68h108l12 70H54z" fill="${c.main}"/><path d="M66 68h108l-6 30q-48 14-96 0z" fill="${c.dark}" opacity=".55"/>` +
    `<rect x="112" y="92" width="16" height="14" rx="3" fill="${GOLD}"/>`,
  'womens-dresses': (c) =>
    `<path d="M108 34l-4-16M132 34l4-16" stroke="${c.dark}" stroke-width="4" stroke-linecap="round"/>` +
    `<path d="M104 34q16 8 32 0l4 28h-40z" fill="${c.main}"/><rect x="98" y="60" width="44" height="8" rx="2" fill="${c.dark}"/>` +
    `<path d="M100 68h40l28 62q-48 10-96 0z" fill="${c.main}"/><path d="M112 68l-10 64M128 68l10 64" stroke="${c.light}" stroke-width="3" opacity=".7"/>`,
  'womens-jewellery': (c) =>
    `<circle cx="120" cy="102" r="34" stroke="${GOLD}" stroke-width="9" fill="none"/>` +
    `<path d="M112 68l-4-8h24l-4 8z" fill="${GOLD}"/>` +
    `<path d="M98 42l10-14h24l10 14-22 26z" fill="${c.main}"/><path d="M98 42h44M108 28l12 40 12-40" stroke="${c.light}" stroke-width="2" fill="none"/>`,
  'womens-shoes': (c) =>
    `<path d="M46 124q0-14 16-18 40-4 58-20l26-28q10-10 24-6l16 6q8 4 4 12l-14 16q-28 8-44 28-14 12-40 12H50q-4 0-4-2z" fill="${c.main}"/>` +
    `<path d="M166 72l12 4-8 60h-8z" fill="${c.dark}"/><path d="M120 86q18-18 42-18" stroke="${c.light}" stroke-width="4" fill="none" stroke-linecap="round"/>`,
  'womens-watches': (c) =>
    `<g fill="${c.light}" stroke="${c.dark}" stroke-width="2"><rect x="110" y="16" width="20" height="11" rx="3"/><rect x="110" y="29" width="20" height="11" rx="3"/><rect x="110" y="42" width="20" height="11" rx="3"/>` +
    `<rect x="110" y="112" width="20" height="11" rx="3"/><rect x="110" y="125" width="20" height="11" rx="3"/></g>` +
    `<rect x="96" y="54" width="48" height="58" rx="18" fill="${c.main}"/><rect x="103" y="61" width="34" height="44" rx="13" fill="#fff"/>` +
    `<circle cx="120" cy="66" r="3" fill="${c.main}"/><path d="M120 83V71M120 83l8 6" stroke="${INK}" stroke-width="2.5" stroke-linecap="round"/>`,
};

/** For a category no one has drawn yet: a parcel. */
const parcel: Pictogram = (c) =>
  `<path d="M70 56l50-22 50 22v64l-50 22-50-22z" fill="${c.main}"/><path d="M70 56l50 22 50-22M120 78v64" stroke="${c.dark}" stroke-width="3" fill="none"/>` +
  `<path d="M95 45l50 22v16" stroke="${c.light}" stroke-width="8" fill="none"/>`;

/** A string's own hue: the same id always gives the same colour, and neighbouring ids fall far apart on the wheel. */
function hueOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return Math.round((h * 137.508) % 360);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** What the label says: the brand, or else the title, cut to fit the picture's width. */
function labelOf(product: Product): string {
  const chars = [...(product.brand || product.title)];
  return chars.length > 26 ? `${chars.slice(0, 25).join('')}…` : chars.join('');
}

/** The colours a product is drawn in, from its id alone. */
export function productPalette(id: string): Palette {
  const h = hueOf(id);
  return { main: `hsl(${h},58%,52%)`, dark: `hsl(${h},38%,28%)`, light: `hsl(${h},75%,84%)` };
}

/**
 * An SVG picture for a product (240×180, served at `/img/<id>.svg`): the
 * category's pictogram in the product's hue on a soft background.
 *
 * @example
 * productImage(PRODUCTS_BY_ID.get('1')!) // '<svg … aria-label="Essence Mascara Lash Princess">…'
 */
export function productImage(product: Product): string {
  const h = hueOf(product.id);
  const draw = PICTOGRAMS[product.category] ?? parcel;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 180" role="img" aria-label="${escapeXml(product.title)}">` +
    `<rect width="240" height="180" fill="hsl(${h},55%,95%)"/><circle cx="120" cy="82" r="66" fill="hsl(${h},55%,89%)"/>` +
    draw(productPalette(product.id)) +
    `<text x="120" y="166" text-anchor="middle" font-family="system-ui,sans-serif" font-size="13" font-weight="600" fill="hsl(${h},30%,25%)">${escapeXml(labelOf(product))}</text>` +
    `</svg>`
  );
}
