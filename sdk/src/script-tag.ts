/**
 * The script-tag build: reads `data-` attributes from its own <script>,
 * starts the SDK, replays calls the stub queued, and replaces the stub with a
 * dispatcher that never lets an SDK error reach the page.
 *
 * <script async src="/rapport.min.js" data-endpoint="https://…" data-consent="pending"></script>
 */
import { init, type Rapport } from './rapport';
import { WAIT_CLASS } from './stub';
import { warn } from './warn';

type Call = [method: string, ...args: unknown[]];
interface Stub {
  (...call: Call): unknown;
  q?: ArrayLike<unknown>[];
  t?: number;
  w?: number;
}

const w = window as unknown as { rapport?: Stub };
const stub = w.rapport;
const script = document.currentScript as HTMLScriptElement | null;
const data = script?.dataset ?? {};

function dispatch(instance: Rapport, [method, ...args]: Call): unknown {
  try {
    const fn = (instance as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') return warn(`unknown method "${method}"`);
    const result = (fn as (...a: unknown[]) => unknown).apply(instance, args);
    return result instanceof Promise ? result.catch((err: unknown) => warn(`${method} failed`, err)) : result;
  } catch (err) {
    warn(`${method} failed`, err);
  }
}

try {
  const consent = data.consent === 'granted' ? 'granted' : 'pending';
  const instance = init({
    endpoint: data.endpoint || (script ? new URL(script.src).origin : location.origin),
    consent,
    // The stub reveals slots after its own wait; the SDK must not render later than that.
    timeoutMs: stub?.w ?? (data.timeout ? Number(data.timeout) : undefined),
    startedAt: stub?.t,
    trackPageView: data.pageView !== 'off',
  });
  const queued = stub?.q ?? [];
  w.rapport = (...call: Call) => dispatch(instance, call);
  for (const args of queued) dispatch(instance, Array.from(args) as Call);
} catch (err) {
  warn('could not start', err);
  document.documentElement.classList.remove(WAIT_CLASS);
}
