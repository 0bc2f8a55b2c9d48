/**
 * The SDK's public types catch misuse at compile time (`npm run typecheck`
 * fails if any @ts-expect-error line below stops being an error) and `init()`
 * catches it at run time with a TypeError.
 */
import { describe, expect, it } from 'vitest';
import { init, type Rapport } from '../../../sdk/src/index';

// Compile-time checks only: this function is type-checked, never called.
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
