/**
 * `init()`: validates options, wires consent, identity, the queue, the
 * tracker and the slots together, and returns the SDK's public surface.
 */
import { granted, initialConsent, rememberChoice, type Consent, type ConsentDefault } from './consent';
import { eraseIdentity, sessionId, visitorId } from './identity';
import { randomId } from './ids';
import { memoryQueue, openQueue } from './queue';
import { fillSlots, releaseSlots } from './slots';
import { createTracker, makeEvent, type Tracker } from './tracker';
import { warn } from './warn';
import type { Decision, EventProps, EventType, Purpose } from './wire';

/** Options for {@link init}. */
export interface InitOptions {
  /** Base URL of the Rapport Worker, e.g. `https://rapport.example.com`. */
  endpoint: string;
  /**
   * Consent at start: `'pending'` (default) waits for {@link Rapport.consent};
   * `'granted'` when the merchant already obtained it; or per purpose.
   */
  consent?: ConsentDefault;
  /** How long slots may wait for a decision, in ms (default 1000, at most 3000). */
  timeoutMs?: number;
  /** Quiet time before a batch of events is sent, in ms (default 1000). */
  flushMs?: number;
  /** Track a `page_view` on start (default true). */
  trackPageView?: boolean;
  /** When the page started waiting for slots (epoch ms); the stub records it. Default: now. */
  startedAt?: number;
}

/** Props argument of `track()`: omitted for events that carry none. */
export type TrackArgs<T extends EventType> = [keyof EventProps[T]] extends [never] ? [] : [props: EventProps[T]];

/** The SDK as a page uses it. */
export interface Rapport {
  /**
   * Records an event. Resolves to `true` once it is queued durably, `false`
   * when it was not recorded (no consent, or bad input — a warning says which).
   * @example rapport.track('add_to_cart', { item: 'sku-42', qty: 1 })
   */
  track<T extends EventType>(type: T, ...props: TrackArgs<T>): Promise<boolean>;
  /**
   * Records the shopper's choice per purpose and remembers it.
   * @example rapport.consent({ analytics: true, personalization: false })
   */
  consent(choice: Consent): void;
  /** Fills the page's pending slots; resolves with the decision, if one arrived in time. */
  fill(): Promise<Decision | undefined>;
  /** Sends queued events now. */
  flush(): Promise<void>;
  /** Erases this browser's visitor id and queued events (the profile on the server is erased separately). */
  forget(): Promise<void>;
  /** The pseudonymous visitor id, once a purpose is granted. */
  readonly visitorId: string | undefined;
}

const ITEM_EVENTS: ReadonlySet<EventType> = new Set(['product_view', 'click', 'add_to_cart', 'remove_from_cart']);

function checkOptions(options: InitOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('rapport: init() needs an options object');
  let url: URL | undefined;
  try {
    url = new URL(options.endpoint);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol)) {
    throw new TypeError(`rapport: endpoint must be an absolute http(s) URL, got ${JSON.stringify(options.endpoint)}`);
  }
  const { consent, timeoutMs, flushMs } = options;
  if (consent !== undefined && consent !== 'pending' && consent !== 'granted' && (typeof consent !== 'object' || consent === null)) {
    throw new TypeError(`rapport: consent must be 'pending', 'granted' or an object of purposes, got ${JSON.stringify(consent)}`);
  }
  if (timeoutMs !== undefined && !(timeoutMs >= 0 && timeoutMs <= 3000)) {
    throw new TypeError(`rapport: timeoutMs must be between 0 and 3000, got ${timeoutMs}`);
  }
  if (flushMs !== undefined && !(flushMs >= 0 && flushMs <= 60_000)) {
    throw new TypeError(`rapport: flushMs must be between 0 and 60000, got ${flushMs}`);
  }
}

/** Why an event's props are unusable, or undefined when they are fine. */
function invalidProps(type: EventType, props: Record<string, unknown>): string | undefined {
  if (ITEM_EVENTS.has(type) && (typeof props.item !== 'string' || !props.item)) return `${type} needs an item id`;
  if (type === 'purchase' && !(Array.isArray(props.items) && props.items.length)) return 'purchase needs items';
  if (type === 'search' && (typeof props.query !== 'string' || !props.query)) return 'search needs a query';
  if (type === 'scroll' && !(Number.isInteger(props.depth) && (props.depth as number) >= 0 && (props.depth as number) <= 100)) {
    return 'scroll needs a depth from 0 to 100';
  }
  return undefined;
}

/**
 * Starts Rapport on this page. Throws a `TypeError` for invalid options;
 * everything after that reports problems as return values and warnings.
 * @example
 * const rapport = init({ endpoint: 'https://rapport.example.com', consent: 'pending' });
 * rapport.track('product_view', { item: 'sku-42' });
 */
export function init(options: InitOptions): Rapport {
  checkOptions(options);
  const base = options.endpoint.replace(/\/+$/, '');
  const startedAt = options.startedAt ?? Date.now();
  const timeoutMs = options.timeoutMs ?? 1000;
  let consent = initialConsent(options.consent ?? 'pending', (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl === true);
  let pageItem: string | undefined;
  let filled: Promise<Decision | undefined> | undefined;

  const purposes = (): Purpose[] => granted(consent);
  let tracker: Tracker | undefined;
  let opening: Promise<Tracker> | undefined;
  // The queue (an IndexedDB database) is only opened once a purpose is granted:
  // before consent this SDK leaves no trace in the browser.
  const getTracker = (): Promise<Tracker> =>
    (opening ??= openQueue()
      .catch(() => memoryQueue())
      .then((queue) => {
        tracker = createTracker({
          collectUrl: `${base}/v1/collect`,
          queue,
          who: () => ({ vid: purposes().length ? visitorId(false) : undefined, purposes: purposes() }),
          flushMs: options.flushMs ?? 1000,
        });
        // Events left over from earlier pages (a failed send, a closed tab) go out now.
        void tracker.flush();
        return tracker;
      }));
  if (purposes().length) void getTracker();

  const fill = (): Promise<Decision | undefined> => {
    if (!consent.personalization) {
      // No personalization consent: nothing is asked of the server; defaults stay.
      releaseSlots();
      return Promise.resolve(undefined);
    }
    return fillSlots({
      decideUrl: `${base}/v1/decide`,
      vid: visitorId(true),
      context: { ...(pageItem ? { item: pageItem } : {}), path: location.pathname },
      deadline: startedAt + timeoutMs,
    }).catch((err: unknown) => {
      warn('could not fill slots', err);
      releaseSlots();
      return undefined;
    });
  };

  const api: Rapport = {
    async track(type, ...args) {
      const props = (args[0] ?? {}) as Record<string, unknown>;
      const problem = invalidProps(type, props);
      if (problem) {
        warn(problem);
        return false;
      }
      if (type === 'product_view') pageItem = props.item as string;
      if (!purposes().length) return false;
      visitorId(true);
      const id = randomId();
      return (tracker ?? (await getTracker())).enqueue({ id, sid: sessionId(Date.now()), ev: makeEvent(id, type, props, location.pathname) });
    },
    consent(choice) {
      if (typeof choice !== 'object' || choice === null) return warn('consent() needs an object of purposes');
      consent = { ...consent, ...choice };
      rememberChoice(consent);
      // Slots already on screen keep what they show (no late swap, no flicker); the next page is personal.
      if (!purposes().length) {
        // Every purpose withdrawn: nothing of this visitor stays in the browser.
        eraseIdentity();
        void opening?.then((t) => t.drop());
        return;
      }
      visitorId(true);
      void getTracker().then((t) => t.flush());
    },
    fill: () => (filled = fill()),
    flush: async () => opening && (await opening).flush(),
    async forget() {
      eraseIdentity();
      await (await opening)?.drop();
    },
    get visitorId() {
      return purposes().length ? visitorId(false) : undefined;
    },
  };

  addEventListener('pagehide', () => tracker?.flushOnHide());
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') tracker?.flushOnHide();
  });
  // Clicks on recommended items are attributed to the decision that showed them.
  addEventListener('click', (e) => {
    const el = (e.target as Element | null)?.closest?.<HTMLElement>('[data-rapport-item]');
    if (!el) return;
    const slot = el.closest<HTMLElement>('[data-rapport-slot]');
    const decision = slot?.dataset.rapportDecision;
    void api.track('click', {
      item: el.dataset.rapportItem!,
      ...(decision ? { decision, slot: slot!.dataset.rapportSlot! } : {}),
    });
  });

  if (options.trackPageView !== false) void api.track('page_view');
  // Fill slots after the caller's synchronous setup (queued stub calls, a product_view) has run.
  queueMicrotask(() => {
    const start = () => filled ?? api.fill();
    if (document.readyState === 'loading') addEventListener('DOMContentLoaded', start, { once: true });
    else void start();
  });
  return api;
}
