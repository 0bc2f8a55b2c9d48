// A small app that uses `@rapport/sdk` as published. `tests/unit/sdk/types.test.ts`
// compiles it with tsc under bundler, node16 and nodenext module resolution: the
// correct lines must type-check and every @ts-expect-error line must be an error
// in each mode (so a package whose types fail to resolve, and turn into `any`, fails).
import { consent, fill, flush, forget, init, LIMITS, stubSnippet, track } from '@rapport/sdk';
import type { Consent, DecideResponse, InitOptions, Rapport, WireEvent } from '@rapport/sdk';

const options: InitOptions = { endpoint: 'https://rapport.example.com', consent: 'pending', timeoutMs: 800 };
const rapport: Rapport = init(options);
const choice: Consent = { analytics: true, personalization: false };
consent(choice);
const queued: Promise<boolean> = track('product_view', { item: 'sku-42' });
void rapport.track('purchase', { items: ['sku-42', 'sku-7'] });
void track('page_view');
const decision: Promise<DecideResponse | undefined> = fill();
const sent: Promise<void> = flush();
const forgotten: Promise<void> = forget();
const html: string = stubSnippet(800);
const most: number = LIMITS.batchEvents;
const event: WireEvent = { id: 'event-0001', type: 'scroll', ts: 0, depth: 50 };
export { decision, event, forgotten, html, most, queued, sent };

// @ts-expect-error product_view needs its item
void track('product_view');
// @ts-expect-error unknown event type
void track('teleport');
// @ts-expect-error page_view takes no properties
void track('page_view', { item: 'sku-42' });
// @ts-expect-error the item id is text
void rapport.track('add_to_cart', { item: 42 });
// @ts-expect-error endpoint is required
init({});
// @ts-expect-error consent purposes are named
consent({ marketing: true });
// @ts-expect-error the contract's limits are read-only
LIMITS.batchEvents = 500;
// @ts-expect-error fill takes no arguments
void fill('recommended');
// @ts-expect-error the package's internals are not exported
void import('@rapport/sdk/dist/event.js');
