/**
 * The SDK's public types catch misuse at compile time (`npm run typecheck`
 * fails if any @ts-expect-error line below stops being an error) and `init()`
 * catches it at run time with a TypeError. `tests/types` checks the same
 * surface as a published package, under every module resolution.
 */
import { describe, expect, it } from 'vitest';
import { consent, fill, init, track, type DecideResponse, type Rapport } from '../../../sdk/src/index';

// Compile-time checks only: these functions are type-checked, never called.
export function misuse(rapport: Rapport) {
  void rapport.track('page_view');
  void rapport.track('product_view', { item: 'sku-1' });
  void rapport.track('purchase', { items: ['sku-1', 'sku-2'] });
  // @ts-expect-error product_view needs its item
  void rapport.track('product_view');
  // @ts-expect-error the item id is a string
  void rapport.track('add_to_cart', { item: 42 });
  // @ts-expect-error unknown event type
  void rapport.track('teleport');
  // @ts-expect-error page_view takes no properties
  void rapport.track('page_view', { item: 'sku-1' });
  // @ts-expect-error consent purposes are named
  rapport.consent({ marketing: true });
  // @ts-expect-error endpoint is required
  init({});
}

export async function misuseModuleFunctions() {
  const queued: boolean = await track('scroll', { depth: 50 });
  const decision: DecideResponse | undefined = await fill();
  // @ts-expect-error scroll needs its depth
  void track('scroll');
  // @ts-expect-error search queries are text
  void track('search', { query: 7 });
  // @ts-expect-error consent takes an object of purposes
  consent('granted');
  return [queued, decision];
}

describe('init() rejects programmer mistakes with a TypeError', () => {
  it.each([
    ['no options', undefined],
    ['a relative endpoint', { endpoint: '/rapport' }],
    ['a non-http endpoint', { endpoint: 'ftp://rapport.example' }],
    ['an unknown consent default', { endpoint: 'https://rapport.example', consent: 'yes' }],
    ['a timeout over 3 s', { endpoint: 'https://rapport.example', timeoutMs: 5000 }],
    ['a negative flush delay', { endpoint: 'https://rapport.example', flushMs: -1 }],
  ])('%s', (_, options) => {
    expect(() => init(options as never)).toThrow(TypeError);
  });
});
