/**
 * A small client-side router for one section of the site: its links are
 * followed with `history.pushState` (others load pages as usual), the back
 * and forward buttons render the route they return to, and every route
 * change says so as a page load would to someone who cannot see it: the
 * document's title changes and focus moves to the new view's heading. A
 * change of filter (the same path, another query) keeps focus on the link
 * chosen and announces the view's status instead.
 *
 * The router knows nothing of Rapport: the SDK notices pushState and the back
 * and forward buttons itself and counts a page view per route.
 */
import { nodes, type Child } from './dom';

/** What a route shows: its title, its content (with one `<h1>`), and for filter changes what to announce. */
export interface Screen {
  title: string;
  content: Child;
  status?: string;
}

/** Thrown by a route whose data does not exist (an unknown product): the router shows its not-found view. */
export class NotFound extends Error {}

/** A route: its path pattern (matched against the whole path, without a trailing slash) and what it renders from the pattern's groups and the URL. */
export type Route = readonly [pattern: RegExp, render: (groups: string[], url: URL) => Promise<Screen>];

export interface RouterOptions {
  /** The section's path: it and every path under it are the router's. */
  base: string;
  /** Where views are rendered. */
  outlet: HTMLElement;
  /** A live region that exists before anything is announced in it. */
  status: HTMLElement;
  routes: readonly Route[];
  notFound: () => Screen;
  /** The view for a route that could not be loaded (the network, the server). */
  failed: () => Screen;
  /** Says what follows the view's title in the document's title. */
  site: string;
  /** Called once a view is in the page. */
  rendered: () => void;
}

/** Starts routing: renders the current URL now, then every route the shopper goes to in the section. */
export function startRouter(options: RouterOptions): void {
  const { base, outlet, status } = options;
  const inSection = (path: string) => path === base || path.startsWith(`${base}/`);
  /** The path and query shown; undefined before the first view. */
  let shown: string | undefined;
  /** Counts renders, so that a slow answer for a route already left is dropped. */
  let latest = 0;

  async function screenFor(url: URL): Promise<Screen> {
    const path = url.pathname.replace(/\/+$/, '');
    for (const [pattern, render] of options.routes) {
      const match = pattern.exec(path);
      if (match) return render(match.slice(1), url);
    }
    throw new NotFound(path);
  }

  /** Renders the current URL; `scroll` is where to scroll a view that the back or forward button returned to. */
  async function render(scroll?: number): Promise<void> {
    const run = ++latest;
    const url = new URL(location.href);
    outlet.setAttribute('aria-busy', 'true');
    const screen = await screenFor(url).catch((err: unknown) => {
      if (err instanceof NotFound) return options.notFound();
      console.error('gift finder: could not render', url.pathname, err);
      return options.failed();
    });
    if (run !== latest) return;
    const previous = shown;
    const here = url.pathname + url.search;
    shown = here;
    outlet.replaceChildren(...nodes([screen.content]));
    outlet.removeAttribute('aria-busy');
    document.title = `${screen.title} · ${options.site}`;
    // The first view is the page's own load: the browser announces it and focus stays where it is.
    if (previous !== undefined) {
      const chosen = previous.split('?')[0] === url.pathname && [...outlet.querySelectorAll('a')].find((a) => a.getAttribute('href') === here);
      if (chosen) {
        chosen.focus();
        status.textContent = screen.status ?? '';
      } else {
        scrollTo(0, scroll ?? 0);
        outlet.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
      }
    }
    options.rendered();
  }

  /** Goes to `url` within the section, as a new history entry (the same URL again just renders it anew). */
  function navigate(url: URL): void {
    if (url.href !== location.href) {
      // Where this view was scrolled to, for the back button.
      history.replaceState({ scroll: scrollY }, '');
      history.pushState(null, '', url);
    }
    void render();
  }

  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const link = (e.target as Element).closest?.<HTMLAnchorElement>('a[href]');
    if (!link || link.target || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || !inSection(url.pathname)) return;
    // A link within this view (the skip link's #main) is the browser's to follow.
    if (url.hash && url.pathname + url.search === location.pathname + location.search) return;
    e.preventDefault();
    navigate(url);
  });
  addEventListener('popstate', (e) => {
    // A fragment (the skip link) changes no view.
    if (location.pathname + location.search !== shown) void render((e.state as { scroll?: number } | null)?.scroll);
  });
  void render();
}
