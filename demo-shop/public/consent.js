// The shop's consent banner (its markup: demo-shop/src/consent-banner.ts). It shows itself when the
// shopper has not chosen yet, remembers their choice in localStorage `demo_consent`
// ({analytics, personalization}) and applies it:
// - in the shop's own mode, by `rapport('consent', choice)` (script-tag pages have `window.rapport`);
// - in TCF mode (cookie demo_cmp=tcf), as a TC string through IAB's CmpApi (/js/tcf-cmp.js, which
//   sets `window.demoTcf` before this script runs); the SDK follows `__tcfapi` by itself, so the
//   banner does not call `rapport('consent')` then.
// Either way it dispatches `demo:consent` on document, for code without `window.rapport` (the
// single-page section passes it to the SDK's npm build). `window.demoConsent` offers the same to the
// privacy centre (privacy.js).
(function () {
  'use strict';
  var KEY = 'demo_consent';
  var YEAR_AND_A_MONTH = 390 * 86400;
  var banner = document.querySelector('[data-consent-banner]');
  if (!banner) return;
  var tcfMode = banner.getAttribute('data-cmp') === 'tcf';
  var tcf = tcfMode ? window.demoTcf : undefined;
  var status = document.querySelector('[data-consent-status]');
  var form = banner.querySelector('[data-consent-form]');
  var chooseButton = banner.querySelector('[data-consent-choose]');
  var current = banner.querySelector('[data-consent-current]');
  var closeButton = banner.querySelector('[data-consent-close]');
  // The control that re-opened the banner, which gets the focus back when it closes.
  var opener = null;

  /** The remembered choice, or null (none yet, storage blocked, or a damaged record). */
  function remembered() {
    try {
      var choice = JSON.parse(localStorage.getItem(KEY));
      if (choice && typeof choice.analytics === 'boolean' && typeof choice.personalization === 'boolean') {
        return { analytics: choice.analytics, personalization: choice.personalization };
      }
    } catch (e) {
      // As good as no choice: the banner asks again.
    }
    return null;
  }

  function remember(choice) {
    try {
      localStorage.setItem(KEY, JSON.stringify(choice));
    } catch (e) {
      // Storage blocked: the choice applies to this page, and the banner asks again on the next.
    }
  }

  /** A choice in words, e.g. "Measurement on, personalization off". */
  function describe(choice) {
    return 'Measurement ' + (choice.analytics ? 'on' : 'off') + ', personalization ' + (choice.personalization ? 'on' : 'off');
  }

  function announce(message) {
    if (!status) return;
    // Emptied first, so that the same message twice is announced twice.
    status.textContent = '';
    setTimeout(function () { status.textContent = message; }, 50);
  }

  /**
   * Applies and remembers a choice. `screen` is where it was made (1 the banner, 2 its "Choose"
   * layer, 3 the privacy centre), which a TC string records.
   */
  function apply(choice, screen) {
    choice = { analytics: choice.analytics === true, personalization: choice.personalization === true };
    if (tcfMode) {
      if (tcf) tcf.save(choice, screen);
      else console.warn('[demo] the TCF CMP did not load: the choice is remembered, but no TC string records it');
    } else if (typeof window.rapport === 'function') {
      window.rapport('consent', choice);
    }
    remember(choice);
    document.dispatchEvent(new CustomEvent('demo:consent', { detail: choice }));
    return choice;
  }

  /**
   * Plays the banner as a TCF CMP or stops: sets or clears the cookie the server reads, and reloads.
   * Leaving TCF mode, the SDK is told the choice by `rapport('consent')` again, which it remembers
   * for the pages that follow (TCF reports it follows without keeping a record).
   */
  function setTcf(on, cookie) {
    var choice = remembered();
    if (!on && tcfMode && choice && typeof window.rapport === 'function') window.rapport('consent', choice);
    document.cookie = cookie + '=' + (on ? 'tcf; max-age=' + YEAR_AND_A_MONTH : '; max-age=0') + '; path=/; samesite=lax';
    location.reload();
  }

  /** Sets the purpose switches to a choice (none checked without one). */
  function check(choice) {
    form.elements.analytics.checked = !!(choice && choice.analytics);
    form.elements.personalization.checked = !!(choice && choice.personalization);
  }

  /** Keeps the end of the page clear of the banner, which is fixed at the bottom of the window. */
  function makeRoom() {
    document.body.style.paddingBottom = banner.hidden ? '' : banner.offsetHeight + 'px';
  }

  function showChoose(open) {
    form.hidden = !open;
    chooseButton.setAttribute('aria-expanded', String(open));
    makeRoom();
  }

  /** Shows the banner with the current choice; `focus` moves the focus into it (when re-opened). */
  function open(focus) {
    var choice = remembered();
    check(choice);
    current.hidden = !choice;
    current.textContent = choice ? 'Your current choice: ' + describe(choice) + '.' : '';
    closeButton.hidden = !choice;
    showChoose(false);
    banner.hidden = false;
    makeRoom();
    if (focus) banner.querySelector('#consent-title').focus();
  }

  function close() {
    banner.hidden = true;
    makeRoom();
    if (opener && document.contains(opener)) opener.focus();
    else if (banner.contains(document.activeElement)) (document.getElementById('main') || document.body).focus({ preventScroll: true });
    opener = null;
  }

  function choose(choice, screen) {
    var applied = apply(choice, screen);
    close();
    announce('Your choice is saved: ' + describe(applied) + '. Change it any time with “Cookie and privacy choices” at the bottom of the page.');
  }

  banner.addEventListener('click', function (e) {
    var button = e.target.closest('button');
    if (!button) return;
    var which = button.getAttribute('data-consent-choice');
    if (which) choose({ analytics: which === 'all', personalization: which === 'all' }, 1);
    else if (button === chooseButton) {
      showChoose(form.hidden);
      if (!form.hidden) form.elements.analytics.focus();
    } else if (button === closeButton) close();
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    choose({ analytics: form.elements.analytics.checked, personalization: form.elements.personalization.checked }, 2);
  });

  banner.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && remembered()) close();
  });

  // The TCF switches (the banner's and the privacy centre's) and every "Cookie and privacy choices" button.
  document.addEventListener('change', function (e) {
    if (e.target.matches('[data-consent-tcf]')) setTcf(e.target.checked, e.target.getAttribute('data-cmp-cookie'));
  });
  document.addEventListener('click', function (e) {
    var button = e.target.closest('[data-consent-open]');
    if (!button) return;
    opener = button;
    open(true);
  });

  // First in the document, so that keyboard and screen reader users meet it first; it shows at the bottom.
  document.body.prepend(banner);
  // In TCF mode the CMP tells its callers the choice in force (or that the banner is asking); a choice
  // only its TC string still records (this browser's storage was cleared) is remembered again.
  var choice = tcf ? tcf.start(remembered()) : remembered();
  if (choice && !remembered()) remember(choice);
  if (!choice) open(false);

  window.demoConsent = {
    /** The remembered choice, or null. */
    current: remembered,
    /** Applies and remembers a choice made elsewhere (the privacy centre), in either mode; returns it. */
    apply: function (choice) {
      var applied = apply(choice, 3);
      if (!banner.hidden) close();
      return applied;
    },
    /** A choice in words. */
    describe: describe,
  };
})();
