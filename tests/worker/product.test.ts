/** The product Worker on its own: nothing but its API. */
import { describe, expect, it } from 'vitest';
import { call } from './helpers';

describe('the product Worker alone', () => {
  it('serves no shop pages: every path outside its API is a JSON 404', async () => {
    for (const path of ['/', '/p/1', '/c/laptops', '/img/1.svg', '/cart']) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
