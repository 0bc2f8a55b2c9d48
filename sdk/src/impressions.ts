/**
 * Viewable impressions of the slots the SDK fills, as the IAB/MRC standard
 * counts them: at least half of the slot on screen for one continuous second,
 * in a visible tab of a focused window. One IntersectionObserver watches every
 * filled slot; a slot's second starts over whenever half of it leaves the
 * screen, the tab is hidden or the window loses focus. Each decision a slot
 * shows is counted once, as an `impression` event tracked like any other
 * (queued durably, sent only with consent), so the Worker can measure what a
 * decision led to against what it showed.
 */
import { track } from './rapport.js';

/**
 * The slots watched, each with its state: -1 while less than half of it is
 * on screen, else its running one-second timer (none yet: undefined).
 */
const watched = new Map<Element, number | undefined>();

let observer: IntersectionObserver | undefined;

/** Stops watching a slot. */
function forget(slot: Element): void {
  clearTimeout(watched.get(slot));
  watched.delete(slot);
  observer!.unobserve(slot);
}

/** A slot's second has passed: the decision it shows is counted, and the slot is watched again only once filled anew. */
function seen(slot: HTMLElement): void {
  forget(slot);
  void track('impression', { decision: slot.dataset.rapportDecision!, slot: slot.dataset.rapportSlot! });
}

/**
 * Starts the second of every slot in view that has none running, while the
 * page can be seen; stops them all while it cannot. Slots no longer on the
 * page are seen no more.
 */
function update(): void {
  const seeable = document.visibilityState == 'visible' && document.hasFocus();
  watched.forEach((timer, slot) =>
    slot.isConnected ? timer! < 0 || watched.set(slot, seeable ? timer || setTimeout(seen, 1000, slot) : (clearTimeout(timer) as undefined)) : forget(slot),
  );
}

/**
 * Counts the viewable impression of the decision a slot now shows, once (a
 * slot filled again is counted again, for its new decision).
 * @example watch(slot) // once a decision is rendered into it
 */
export function watch(slot: HTMLElement): void {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const { target, intersectionRatio } of entries) {
        clearTimeout(watched.get(target));
        // Only slots still watched: a report queued before a slot was counted is late.
        if (watched.has(target)) watched.set(target, intersectionRatio < 0.5 ? -1 : undefined);
      }
      update();
    },
    { threshold: 0.5 },
  );
  // Observed afresh, so that the observer reports where the slot is now and its second starts over.
  forget(slot);
  watched.set(slot, -1);
  observer.observe(slot);
  // The window's focus, and the tab's visibility (its event reaches the window); each listener is added once.
  ['blur', 'focus', 'visibilitychange'].forEach((type) => addEventListener(type, update));
}
