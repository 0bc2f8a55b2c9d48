/**
 * The demo shop's pages as a Hono app, mounted in front of the Rapport
 * Worker by `index.ts`. Static files (CSS, the shop's script, the SDK bundle)
 * come from the demo Worker's assets (`demo-shop/public`).
 */
import { Hono } from 'hono';
import { CATEGORIES, PRODUCTS, PRODUCTS_BY_ID } from './catalog';
import { productImage } from './image';
import { cartPage, categoriesPage, categoryPage, homePage, notFoundPage, productPage } from './pages';

const byPopularity = [...PRODUCTS].sort((a, b) => b.popularity - a.popularity);

export const demoShop = new Hono<{ Bindings: Env }>()
  .get('/', (c) => c.html(homePage(byPopularity)))
  .get('/categories', (c) => c.html(categoriesPage()))
  .get('/c/:category', (c) => {
    const category = c.req.param('category');
    if (!CATEGORIES.includes(category)) return c.html(notFoundPage(), 404);
    return c.html(categoryPage(category, byPopularity.filter((p) => p.category === category)));
  })
  .get('/p/:id', (c) => {
    const product = PRODUCTS_BY_ID.get(c.req.param('id'));
    if (!product) return c.html(notFoundPage(), 404);
    const related = byPopularity.filter((p) => p.category === product.category && p.id !== product.id);
    return c.html(productPage(product, related, byPopularity));
  })
  .get('/cart', (c) => c.html(cartPage()))
  .get('/img/:file{[0-9]+\\.svg}', (c) => {
    const product = PRODUCTS_BY_ID.get(c.req.param('file').replace('.svg', ''));
    if (!product) return c.notFound();
    return c.body(productImage(product), 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
  });
