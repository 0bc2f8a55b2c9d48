/**
 * Building DOM nodes in one expression: `h` for HTML, `s` for SVG. Values
 * go in as attributes or text nodes, never as markup, so nothing in a report
 * can inject any.
 */

/** Attribute values; `undefined`, `null` and `false` leave the attribute out. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;
/** Children; falsy ones are skipped, so `cond && node` reads naturally. */
export type Child = Node | string | null | undefined | false;

const SVG_NS = 'http://www.w3.org/2000/svg';

function build<E extends Element>(element: E, attributes: Attributes, children: Child[]): E {
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/**
 * An HTML element.
 * @example h('p', { class: 'empty' }, 'No data yet.')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  return build(document.createElement(tag), attributes, children);
}

/**
 * An SVG element.
 * @example s('line', { x1: 0, x2: 10, y1: 5, y2: 5, stroke: INK })
 */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  return build(document.createElementNS(SVG_NS, tag), attributes, children);
}

let ids = 0;

/** A document-unique id for `aria-labelledby` and the like. */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}
