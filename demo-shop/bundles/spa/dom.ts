/**
 * Building the gift finder's views as DOM nodes: text is always set as text,
 * so product data from the API can never become markup.
 */

/** A child: a node, text, or nothing (for what a view shows only sometimes). */
export type Child = Node | string | false | null | undefined | readonly Child[];

/** Attribute values: `true` is a bare attribute, `false` and `undefined` leave it out. */
export type Attrs = Record<string, string | number | boolean | undefined>;

/**
 * An element with attributes and children.
 * @example h('a', { href: '/gifts' }, 'Gift finder')
 */
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== false && value !== undefined) el.setAttribute(name, value === true ? '' : String(value));
  }
  el.append(...nodes(children));
  return el;
}

/** Children flattened into what `append` takes. */
export function nodes(children: readonly Child[]): Array<Node | string> {
  return children.flatMap((child) => (Array.isArray(child) ? nodes(child) : child === false || child == null ? [] : [child as Node | string]));
}
