/**
 * The SDK instance: `init()` validates options and wires consent, identity,
 * the queue and the tracker together; `track()`, `consent()`, `flush()` and
 * `forget()` act on the instance `init()` created, so an app imports only the
 * functions it calls. Slot filling lives in `slots.ts` and asks the instance
 * what to decide through `_decide()`.
 */
import { initialConsent, rememberChoice, rememberedChoice, withGpc, type Consent, type ConsentDefault } from './consent.js';
import type { ConsentSource } from './consent-sources.js';
import { buildEvent, invalidField, pagePath, sender } from './event.js';
import { eraseIdentity, lastClick, recentViews, sessionId, visitorId } from './identity.js';
import type { Queued } from './queue.js';
import { onRouteChange } from './spa.js';
import { createTracker, type Tracker } from './tracker.js';
import { DEBUG } from './debug.js';
import { isWeb } from './urls.js';
import { warn } from './warn.js';
import type { DecideBody, EventProps, EventType } from './wire.js';

/** Options for {@link init}. */
export interface InitOptions {
  /** Base URL of the Rapport Worker, e.g. `https://rapport.example.com`. */
  endpoint: string;
  /**
   * Consent at start: `'pending'` (default) waits for {@link consent};
   * `'granted'` when the merchant already obtained it; or per purpose.
   */
  consent?: ConsentDefault;
  /** How long slots may wait for a decision, in ms (default 1000, at most 3000). */
  timeoutMs?: number;
  /** Longest an event waits before its batch is sent, in ms (default 1000). */
  flushMs?: number;
  /**
   * Track a `page_view` on start and on every route change of a single-page
   * app (pushState, replaceState to another path, back/forward, hashchange,
   * back/forward-cache restore) (default true).
   */
  trackPageView?: boolean;
  /**
   * How long after a click on a slot item the cart changes and purchase that
   * follow carry its decision and slot, in ms (default 30 minutes, at most a day).
   */
  attributionMs?: number;
  /**
   * Where the shopper's privacy controls are (a page of the shop that offers
   * `consent()`, `export()` and `forget()`), linked from every item's "why
   * this?"; absolute or relative to the page, http(s). Default: no link.
   */
  privacyUrl?: string;
  /** When the page started waiting for slots (epoch ms); the stub records it. Default: now. */
  startedAt?: number;
  /**
   * The consent banners to follow: `[tcf(), consentMode()]` (IAB TCF v2.2,
   * Google Consent Mode v2). Their reports apply like {@link Rapport.consent},
   * without the SDK keeping a record (the banner keeps it). Default: none; the
   * script tag follows both.
   */
  sources?: ConsentSource[];
}

/** Props argument of `track()`: omitted for events that carry none. */
export type TrackArgs<T extends EventType> = [keyof EventProps[T]] extends [never] ? [] : [props: EventProps[T]];

/** The SDK instance `init()` returns; the module-level functions act on the same one. */
export interface Rapport {
  /**
   * Records an event. Resolves to `true` once it is queued durably, `false`
   * when it was not recorded (no consent, an event the Worker would refuse, or
   * a full queue — a `[rapport]` warning says which of the last two).
   * @example rapport.track('add_to_cart', { item: 'sku-42', qty: 1 })
   */
  track<T extends EventType>(type: T, ...props: TrackArgs<T>): Promise<boolean>;
  /**
   * Records the shopper's choice per purpose and remembers it.
   * @example rapport.consent({ analytics: true, personalization: false })
   */
  consent(choice: Consent): void;
  /**
   * Sends queued events now, even while waiting after a failure; nothing while the browser is offline.
   * @example await rapport.flush()
   */
  flush(): Promise<void>;
  /**
   * Erases the visitor: asks the Worker to erase their profile and consent
   * record, then clears this browser (visitor id, session, queued events and
   * the IndexedDB database). A remembered consent choice stays: it identifies no one.
   * @example await rapport.forget()
   */
  forget(): Promise<void>;
  /**
   * Everything stored about the visitor: in this browser (id, consent,
   * session views, events not yet sent) and on the Worker (its
   * `/v1/privacy/export`, or null when there is no id or it cannot be reached).
   * @example const { browser, worker } = await rapport.export()
   */
  export(): Promise<Exported>;
  /** The pseudonymous visitor id the Worker issued (after the first batch of events it answered), or undefined. */
  readonly visitorId: string | undefined;
}

/** What {@link Rapport.export} returns. */
export interface Exported {
  browser: { visitorId: string | undefined; consent: Consent; session: string[]; queued: Queued[] };
  /** The Worker's export (see the Worker's API), or null. */
  worker: unknown;
}

/** A decide request to make: where, as whom, with what consent, about what (all but the slots), and until when its answer may be shown. */
export interface DecidePlan {
  url: string;
  body: Omit<DecideBody, 'slots'>;
  /** Epoch ms after which decisions are no longer rendered. */
  deadline: number;
  /** The shopper's privacy controls, linked from each item's "why this?". */
  privacy?: string;
}

/** The instance as the SDK's own modules see it. */
export interface Instance extends Rapport {
  /** The page's decide request, or undefined without personalization consent (nothing is asked then). */
  _decide(): DecidePlan | undefined;
}

/** The instance `init()` created: a second `init()` returns it. */
let current: Instance | undefined;

/** Throws the `TypeError` for a programmer's mistake in the options. */
function refuse(rule: string, value: unknown): never {
  throw new TypeError(`rapport: ${rule}, got ${JSON.stringify(value)}`);
}

/** Refuses a duration option outside 0..max ms. */
const within = (name: string, value: number | undefined, max: number) => value === undefined || (value >= 0 && value <= max) || refuse(`${name} must be between 0 and ${max}`, value);

function checkOptions(options: InitOptions): void {
  // Destructuring throws a TypeError of its own without an options object.
  const { endpoint, consent, timeoutMs, flushMs } = options;
  if (!isWeb(endpoint)) refuse('endpoint must be an absolute http(s) URL', endpoint);
  const { privacyUrl } = options;
  if (privacyUrl !== undefined && !isWeb(privacyUrl, location.href)) refuse('privacyUrl must be an http(s) URL', privacyUrl);
  if (consent !== undefined && consent !== 'pending' && consent !== 'granted' && (typeof consent !== 'object' || consent === null)) {
    refuse("consent must be 'pending', 'granted' or an object of purposes", consent);
  }
  within('timeoutMs', timeoutMs, 3000);
  within('flushMs', flushMs, 60_000);
  within('attributionMs', options.attributionMs, 86_400_000);
}

/**
 * Starts Rapport on this page and returns the instance (the module-level
 * functions act on it too); called again, returns that same instance and
 * ignores the new options. Throws a `TypeError` for invalid options;
 * everything after that reports problems as return values and warnings.
 * Slots are filled by {@link fill}, imported separately.
 * @param options endpoint (required), consent (default 'pending'), timeoutMs (1000), flushMs (1000), trackPageView (true)
 * @example
 * import { init, track } from '@rapport/sdk';
 * init({ endpoint: 'https://rapport.example.com', consent: 'pending' });
 * track('product_view', { item: 'sku-42' });
 */
export function init(options: InitOptions): Rapport {
  checkOptions(options);
  // Set up twice (two components, a framework's double effect): one instance, or everything would count twice.
  if (current) return current;
  const base = options.endpoint.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 1000;
  const gpc = (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  const pageViews = options.trackPageView !== false;
  const remembered = rememberedChoice();
  let consented = initialConsent(options.consent ?? 'pending', gpc, remembered);
  // Whether a choice is known: the shopper's remembered one, or a banner's on this page.
  let chosen = !!remembered;
  // Until the banners' first reports are in (see the end of init()): they decide how the page starts, nothing is done yet.
  let starting = true;
  let pageItem: string | undefined;
  // The first fill answers within the stub's wait, counted from page start; later ones (a SPA's next view) from their call.
  let startedAt: number | undefined = options.startedAt ?? Date.now();

  let tracker: Tracker | undefined;
  let opening: Promise<Tracker> | undefined;
  // The queue (an IndexedDB database, and the code for it) is only loaded once a
  // purpose is granted: before consent this SDK leaves no trace in the browser.
  // Where IndexedDB cannot be had the queue is in memory; where even its code
  // cannot be downloaded, the tracker keeps this page's events in memory.
  // A withdrawal's erasure (its database deleted) finishes before a new grant opens the queue again.
  let erasing: Promise<unknown> | undefined;
  const getTracker = (): Promise<Tracker> =>
    (opening ??= Promise.resolve(erasing)
      .then(() => import('./indexeddb.js'))
      .then((durable) => durable.openDurableQueue())
      .catch(() => undefined)
      .then((queue) => {
        tracker = createTracker(`${base}/v1/collect`, queue, () => sender(consented), options.flushMs ?? 1000);
        // Events left over from earlier pages (a failed send, a closed tab) go out now.
        void tracker.flush();
        return tracker;
      }));

  /** Calls one of the visitor's privacy routes on the Worker, as them: its JSON answer (null for an error status), or undefined without an id. */
  const privacy = (route: 'erase' | 'export', method?: string): Promise<unknown> | undefined => {
    const vid = visitorId();
    return vid ? fetch(`${base}/v1/privacy/${route}`, { method, headers: { authorization: `Bearer ${vid}` }, keepalive: true, credentials: 'omit' }).then((res) => res.ok && res.json()) : undefined;
  };

  /** Erases the visitor: asks the Worker (while the id is still known), then clears this browser: id, session, queue and its database. */
  const erase = async () => {
    void privacy('erase', 'POST')?.catch(() => warn('could not reach the Worker to erase'));
    eraseIdentity();
    const closing = opening;
    opening = tracker = undefined;
    await (erasing = closing?.then((t) => t.drop()));
  };

  /**
   * Applies a choice: the shopper's through consent() (`remember`), or a
   * banner's. The banner keeps its record, but a record the SDK holds follows
   * it, so that an older grant cannot outlast a refusal made in the banner. A
   * banner's default (`byDefault`) only counts until a choice is known (see
   * the sources' loop below) and is never a withdrawal: a Consent Mode CMP
   * denies by default on every page, then restores the shopper's grant.
   * Refusing every purpose by choice stops at once and erases the visitor,
   * here and on the Worker.
   */
  const apply = (choice: Consent, remember: boolean, byDefault?: boolean) => {
    const had = !starting && sender(consented);
    consented = withGpc({ ...consented, ...choice }, gpc);
    if (remember || (!byDefault && rememberedChoice())) rememberChoice(consented);
    chosen ||= !byDefault;
    // A refusal by choice erases what this page sent, or an id left from an earlier grant (refused since, elsewhere).
    // Slots already on screen keep what they show (no late swap, no flicker); the next page is personal.
    if (!sender(consented)) return void (!byDefault && (had || visitorId()) && erase());
    if (starting) return;
    // Granted on this page after it loaded: the page view it skipped counts now, and the product it shows.
    if (!had && pageViews) void sdk.track('page_view');
    if (!had && pageItem) void sdk.track('product_view', { item: pageItem });
    void getTracker().then((t) => t.flush());
  };

  const sdk: Instance = {
    async track(type, ...args) {
      const ev = buildEvent(type, args[0]);
      // Checked where the build explains itself (the npm package, the debug script tag). The production
      // script tag leaves the check to the Worker, which refuses such an event alone (see tracker.ts):
      // the same outcome, without the contract's every rule in what each shopper downloads.
      const field = DEBUG && invalidField(ev);
      if (field) {
        warn(`invalid ${type} event: ${field} = ${JSON.stringify((ev as unknown as Record<string, unknown>)[field])}`);
        return false;
      }
      const view = ev.type === 'product_view' && (pageItem = ev.item);
      if (!sender(consented)) return false;
      // Attribution: a click on a slot item is remembered; the cart changes and purchase that follow carry its decision.
      if (ev.type == 'click' && ev.decision) lastClick([ev.decision, ev.slot, ev.ts]);
      const click = (ev.type == 'add_to_cart' || ev.type == 'purchase') && !ev.decision && lastClick();
      if (click && ev.ts - click[2] < (options.attributionMs ?? 1_800_000)) [ev.decision, ev.slot] = click;
      // With personalization, the session's views travel with the next decisions (the profile on the server may lag them).
      const sid = sessionId(Date.now(), consented.personalization && view);
      return (tracker ?? (await getTracker())).enqueue({ sid, ev });
    },
    consent(choice) {
      if (typeof choice !== 'object' || choice === null) return warn('consent() needs an object of purposes');
      apply(choice, true);
    },
    flush: async () => opening && (await opening).flush(),
    forget: erase,
    async export() {
      return {
        browser: { visitorId: visitorId(), consent: consented, session: recentViews(), queued: (await (await opening)?.pending()) ?? [] },
        worker: (await privacy('export')?.catch(() => null)) || null,
      };
    },
    get visitorId() {
      return sender(consented)?.vid;
    },
    _decide() {
      const deadline = (startedAt ?? Date.now()) + timeoutMs;
      startedAt = undefined;
      const from = sender(consented);
      if (!consented.personalization) return undefined;
      // Undefined fields are left out of the JSON.
      return {
        url: `${base}/v1/decide`,
        body: { v: 1, vid: from!.vid, consent: from!.purposes, context: { item: pageItem, path: pagePath(), recent: recentViews() } },
        deadline,
        privacy: options.privacyUrl,
      };
    },
  };

  // The banners that already know report at once: their defaults and choices decide how the page starts.
  for (const source of options.sources ?? []) source((choice, byDefault) => (byDefault && chosen) || apply(choice, false, byDefault));
  starting = false;
  if (sender(consented)) void getTracker();
  if (pageViews) {
    void sdk.track('page_view');
    // A new route is a new page: its own page view, and no product until it tracks one.
    onRouteChange(() => {
      pageItem = undefined;
      void sdk.track('page_view');
    });
  }
  current = sdk;
  return sdk;
}

/**
 * The instance `init()` created, or undefined (with a warning) before `init()`.
 * @example instance()?._decide()
 */
export function instance(): Instance | undefined {
  if (!current) warn('call init() first');
  return current;
}

/**
 * Records an event on the instance `init()` created. Resolves to `true` once
 * it is queued durably, `false` when it was not recorded (no consent, no
 * `init()` yet, an event the Worker would refuse, or a full queue — a
 * `[rapport]` warning says which of the last three).
 * @param type the event type; `props` are that type's properties, omitted when it has none
 * @example
 * track('product_view', { item: 'sku-42' });
 * track('purchase', { items: ['sku-42', 'sku-7'] });
 */
export function track<T extends EventType>(type: T, ...props: TrackArgs<T>): Promise<boolean> {
  return instance()?.track(type, ...props) ?? Promise.resolve(false);
}

/**
 * Records the shopper's choice per purpose and remembers it; withdrawing every
 * purpose erases the visitor id and the queue.
 * @example consent({ analytics: true, personalization: false })
 */
export function consent(choice: Consent): void {
  instance()?.consent(choice);
}

/**
 * Sends queued events now instead of after the batching delay, even while
 * waiting after a failure (the Worker's Retry-After); nothing while the
 * browser is offline (coming back online sends them).
 * @example await flush()
 */
export async function flush(): Promise<void> {
  await instance()?.flush();
}

/**
 * Erases the visitor, on the Worker and in this browser (see {@link Rapport.forget}).
 * @example await forget()
 */
export async function forget(): Promise<void> {
  await instance()?.forget();
}

/**
 * Everything stored about the visitor, in this browser and on the Worker
 * (see {@link Rapport.export}); exported from the package as `export`.
 * @example import { export as exportData } from '@rapport/sdk'; const { browser, worker } = await exportData();
 */
export async function exportData(): Promise<Exported | undefined> {
  return instance()?.export();
}
