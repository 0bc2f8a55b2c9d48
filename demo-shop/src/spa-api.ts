/**
 * The gift finder's JSON API: the data of the shop's single-page section
 * (demo-shop/bundles/spa/), which renders it in the browser. Who a gift can
 * be for (each a few of the catalog's categories), the gift ideas for one of
 * them under a price, and one product. Bad input is a 4xx in the product
 * API's one error shape (`{"error": {"code", "message", "issues"?}}`).
 */
import { Hono } from 'hono';
import * as z from 'zod';
import { describeIssues } from '../../edge-worker/src/http/body';
import { ApiError, apiNotFound, onError } from '../../edge-worker/src/http/errors';
import { categoryTitle, imageUrl, PRODUCTS, PRODUCTS_BY_ID, type Product } from './catalog';

/** Someone to find a gift for, and the categories their gifts come from. */
export interface Recipient {
  id: string;
  title: string;
  blurb: string;
  categories: Array<{ id: string; title: string }>;
}

/** A product as a list of gift ideas shows it (its description is for its own view). */
export type GiftIdea = Omit<Product, 'description' | 'popularity'> & { image: string };

/** A product as its own view shows it. */
export type GiftProduct = GiftIdea & { description: string; categoryTitle: string };

export interface GiftIdeas {
  products: GiftIdea[];
  /** How many match, of which `products` are the most popular (up to `limit`). */
  total: number;
}

const recipient = (id: string, title: string, blurb: string, categories: string[]): Recipient => ({
  id,
  title,
  blurb,
  categories: categories.map((c) => ({ id: c, title: categoryTitle(c) })),
});

export const RECIPIENTS: readonly Recipient[] = [
  recipient('cook', 'For the cook', 'Tools and gadgets for a kitchen they love.', ['kitchen-accessories']),
  recipient('foodie', 'For the foodie', 'Treats and pantry favourites.', ['groceries']),
  recipient('tech', 'For the tech lover', 'Phones, tablets, laptops and the bits around them.', ['smartphones', 'tablets', 'laptops', 'mobile-accessories']),
  recipient('home', 'For the home', 'Decoration and furniture to make a place theirs.', ['home-decoration', 'furniture']),
  recipient('her', 'For her', 'Bags, jewellery, dresses, shoes and watches.', ['womens-bags', 'womens-jewellery', 'womens-dresses', 'tops', 'womens-shoes', 'womens-watches']),
  recipient('him', 'For him', 'Shirts, shoes, watches and sunglasses.', ['mens-shirts', 'mens-shoes', 'mens-watches', 'sunglasses']),
  recipient('sporty', 'For the sporty', 'Gear for the game, the gym and the outdoors.', ['sports-accessories']),
  recipient('pamper', 'For some pampering', 'Beauty, skin care and fragrances.', ['beauty', 'skin-care', 'fragrances']),
];
const RECIPIENT_IDS = RECIPIENTS.map((r) => r.id);

/** More than any recipient has (the most, tech, has 38): a list is one answer. */
export const MAX_LIMIT = 48;

const byPopularity = [...PRODUCTS].sort((a, b) => b.popularity - a.popularity);

const idea = ({ description: _, popularity: __, ...p }: Product): GiftIdea => ({ ...p, image: imageUrl(p) });

/** GET /products's query; any other parameter is refused, so a misspelt one is not silently ignored. */
const productsQuery = z.strictObject({
  for: z.enum(RECIPIENT_IDS, { error: `for must be one of ${RECIPIENT_IDS.join(', ')}` }).optional(),
  under: z.coerce.number({ error: 'under must be a price in dollars' }).positive('under must be more than 0').max(1_000_000, 'under must be at most 1000000').optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(MAX_LIMIT, `limit must be at most ${MAX_LIMIT}`).default(MAX_LIMIT),
});

export const spaApi = new Hono()
  .get('/recipients', (c) => c.json({ recipients: RECIPIENTS }))
  // The most popular products for a recipient (or the whole shop), at most a price.
  .get('/products', (c) => {
    const query = productsQuery.safeParse(c.req.query());
    if (!query.success) throw new ApiError(400, 'invalid_query', 'The query string is not one this API reads', describeIssues(query.error));
    const { for: who, under, limit } = query.data;
    const categories = who && RECIPIENTS.find((r) => r.id === who)!.categories.map((cat) => cat.id);
    const matching = byPopularity.filter((p) => (!categories || categories.includes(p.category)) && (under === undefined || p.price <= under));
    return c.json({ products: matching.slice(0, limit).map(idea), total: matching.length } satisfies GiftIdeas);
  })
  .get('/products/:id', (c) => {
    const id = c.req.param('id');
    if (!/^[0-9]{1,9}$/.test(id)) throw new ApiError(400, 'invalid_id', `A product id is a number; got "${id.slice(0, 64)}"`);
    const product = PRODUCTS_BY_ID.get(id);
    if (!product) throw new ApiError(404, 'unknown_product', `No product has id ${id}`);
    return c.json({ ...idea(product), description: product.description, categoryTitle: categoryTitle(product.category) } satisfies GiftProduct);
  })
  // Mounted under the shop's pages, whose 404 is an HTML page: the API's own paths answer in JSON.
  .all('*', apiNotFound)
  .onError(onError);
