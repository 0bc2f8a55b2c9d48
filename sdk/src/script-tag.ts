/**
 * The script-tag build: reads `data-` attributes from its own <script>,
 * starts the SDK, replays calls the stub queued, replaces the stub with a
 * dispatcher that never lets an SDK error reach the page, captures what the
 * page tells without code (see `autocapture.ts`; `data-autocapture="off"`
 * leaves it to the page's own calls), and fills the page's slots once the
 * document is parsed (unless the page already asked), then every slot added
 * later (a single-page app's next route), in one request per change.
 * A second copy of the script on the page does nothing (the debug build warns).
 *
 * <script async src="/sdk/rapport.min.js" data-endpoint="https://…" data-consent="pending"></script>
 */
import { autocapture } from './autocapture.js';
import { consentMode, tcf } from './consent-sources.js';
import { init, type Rapport } from './rapport.js';
import { fill, pendingSlots } from './slots.js';
import { onDomChange } from './spa.js';
import { WAIT_CLASS } from './stub.js';
import { warn } from './warn.js';

type Call = [method: string, ...args: unknown[]];
interface Stub {
  (...call: Call): unknown;
  q?: ArrayLike<unknown>[];
  t?: number;
  w?: number;
  /** Set on the dispatcher that replaces the stub: a second copy of this script finds it and does nothing. */
  loaded?: true;
}

const w = window as unknown as { rapport?: Stub };
const stub = w.rapport;
const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};

function dispatch(instance: Rapport, [method, ...args]: Call): unknown {
  try {
    const fn = method == 'fill' ? fill : (instance as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') return warn(`unknown method "${method}"`);
    const result = (fn as (...a: unknown[]) => unknown).apply(instance, args);
    return result instanceof Promise ? result.catch((err: unknown) => warn(`${method} failed`, err)) : result;
  } catch (err) {
    warn(`${method} failed`, err);
  }
}

// The script tag pasted twice must not count everything twice.
if (stub?.loaded) {
  warn('loaded twice');
} else {
  try {
    const instance = init({
      endpoint: data.endpoint || (script ? new URL(script.src).origin : location.origin),
      consent: data.consent === 'granted' ? 'granted' : 'pending',
      // The stub reveals slots after its own wait; the SDK must not render later than that.
      timeoutMs: stub?.w ?? (data.timeout ? Number(data.timeout) : undefined),
      startedAt: stub?.t,
      trackPageView: data.pageView !== 'off',
      privacyUrl: data.privacyUrl,
      // The banners shops run: a TCF v2.2 CMP (Rapport's vendor id from data-tcf-vendor, when it has one) and Google Consent Mode.
      sources: [tcf(data.tcfVendor ? Number(data.tcfVendor) : undefined), consentMode()],
    });
    const queued = stub?.q ?? [];
    w.rapport = Object.assign((...call: Call) => dispatch(instance, call), { loaded: true as const });
    for (const args of queued) dispatch(instance, Array.from(args) as Call);
    // After the page's own calls and the products it marks (a product view gives the decision its context);
    // slots the page already asked for are not asked again.
    const start = () => {
      void fill();
      onDomChange(() => pendingSlots().length && fill());
    };
    // In a task of its own: on a slow phone, starting and then capturing and asking for slots in one
    // task would hold the page for longer than a tap may wait (50 ms).
    setTimeout(() => {
      try {
        if (data.autocapture != 'off') autocapture();
      } finally {
        if (document.readyState === 'loading') addEventListener('DOMContentLoaded', start, { once: true });
        else start();
      }
    });
  } catch (err) {
    // In every build: a tag that cannot start (a mistyped data-endpoint) must say so.
    console.warn('[rapport] could not start', err);
    document.documentElement.classList.remove(WAIT_CLASS);
  }
}
