// The privacy centre's script (its page: demo-shop/src/privacy-page.ts). Choices go through the
// banner's `window.demoConsent` (public/consent.js), so they apply in either of its modes; what is
// stored, and erasing it, go through the SDK's own calls, `rapport('export')` and `rapport('forget')`.
// Every result is said in a status line (role=status) next to the button that asked for it.
(function () {
  'use strict';
  var consent = window.demoConsent;
  if (!consent) return console.warn('[demo] the privacy centre needs the consent banner script');
  var names = JSON.parse(document.getElementById('privacy-names').textContent);
  var form = document.querySelector('[data-privacy-form]');
  var current = document.querySelector('[data-privacy-current]');
  var result = document.querySelector('[data-privacy-export-result]');
  var download = document.querySelector('[data-privacy-download]');
  var INTERACTIONS = { view: 'viewed', click: 'clicked', cart: 'put in the cart', purchase: 'bought' };
  var PURPOSE_NAMES = { analytics: 'Measurement', personalization: 'Personalization' };

  function say(which, message) {
    var status = document.querySelector('[data-privacy-status="' + which + '"]');
    // Emptied first, so that the same message twice is announced twice.
    status.textContent = '';
    setTimeout(function () { status.textContent = message; }, 50);
  }

  /** Rapport's dispatcher, once its script has replaced the stub (which queues calls but cannot answer them). */
  function sdk() {
    var ready = function () { return typeof window.rapport === 'function' && window.rapport.loaded ? window.rapport : null; };
    if (ready()) return Promise.resolve(ready());
    return new Promise(function (resolve, reject) {
      var settle = function () { ready() ? resolve(ready()) : reject(new Error('Rapport did not load')); };
      // The SDK's script is async: it has run by the page's load event, or it could not load.
      if (document.readyState === 'complete') settle();
      else addEventListener('load', settle, { once: true });
    });
  }

  function showCurrent() {
    var choice = consent.current();
    form.elements.analytics.checked = !!(choice && choice.analytics);
    form.elements.personalization.checked = !!(choice && choice.personalization);
    if (!choice) current.textContent = 'You have not chosen yet, so nothing is collected.';
    else current.textContent = 'Your current choice: ' + consent.describe(choice) + '.' + (choice.analytics || choice.personalization ? '' : ' Nothing is collected.');
  }

  // Building blocks for the export, written with textContent: nothing in an export is read as markup.
  function el(tag, text, children) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }
  /** A description list of [term, definition] pairs; a definition is text or a node. */
  function facts(pairs) {
    var list = el('dl');
    pairs.forEach(function (pair) {
      list.appendChild(el('dt', pair[0]));
      list.appendChild(typeof pair[1] === 'string' ? el('dd', pair[1]) : el('dd', '', [pair[1]]));
    });
    return list;
  }
  /** A list of lines, or "None". */
  function lines(items) {
    return items.length ? el('ul', '', items.map(function (text) { return el('li', text); })) : 'None';
  }
  function product(id) { return names.products[id] || 'Product ' + id; }
  function when(iso) { return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }); }
  function plural(n, word) { return n + ' ' + word + (n === 1 ? '' : 's'); }

  function allowed(choice) {
    var said = Object.keys(PURPOSE_NAMES).filter(function (p) { return typeof choice[p] === 'boolean'; });
    if (!said.length) return 'Not chosen yet';
    return said.map(function (p) { return PURPOSE_NAMES[p] + (choice[p] ? ' allowed' : ' refused'); }).join(', ');
  }

  function grantedNames(choice) {
    return Object.keys(PURPOSE_NAMES).filter(function (p) { return choice[p]; }).map(function (p) { return PURPOSE_NAMES[p]; }).join(' and ');
  }

  /** Queued events as lines, alike ones counted once: "scroll (3 times)". */
  function waiting(queued) {
    var counts = {};
    queued.forEach(function (q) {
      var line = q.ev.type.replace(/_/g, ' ') + (q.ev.item ? ': ' + product(q.ev.item) : '');
      counts[line] = (counts[line] || 0) + 1;
    });
    return Object.keys(counts).map(function (line) { return counts[line] > 1 ? line + ' (' + counts[line] + ' times)' : line; });
  }

  /** What the Worker keeps (its /v1/privacy/export, as the SDK fetched it). */
  function server(worker) {
    var profile = worker.profile;
    var pairs = [
      ['Your id', worker.visitor.id + ' (issued ' + when(worker.visitor.issuedAt) + ')'],
      ['What you allowed, as recorded', lines(Object.keys(worker.consent).map(function (p) {
        var entry = worker.consent[p];
        return (PURPOSE_NAMES[p] || p) + (entry.granted ? ' allowed' : ' refused') + ' on ' + when(entry.changedAt) + (entry.source === 'global_privacy_control' ? ' (by your browser’s Global Privacy Control)' : '');
      }))],
    ];
    if (profile) {
      pairs.push(
        ['Products in your profile', lines(profile.viewed.map(function (v) { return product(v.item) + ': ' + (INTERACTIONS[v.interaction] || v.interaction) + ', ' + when(v.at); }))],
        ['Categories you seem to like', lines(Object.keys(profile.interests).map(function (c) { return names.categories[c] || c; }))],
        ['In your cart', lines(profile.cart.map(product))],
        ['Bought', lines(profile.purchased.map(product))],
        ['Counted', plural(profile.counts.events, 'event') + ' over ' + plural(profile.counts.sessions, 'visit') + ': ' + plural(profile.counts.views, 'product view') + ', ' + plural(profile.counts.carts, 'cart change') + ', ' + plural(profile.counts.purchases, 'purchase')],
      );
    } else {
      pairs.push(['Profile', 'None' + (worker.erasedAt ? ': erased on ' + when(worker.erasedAt) : ' (kept only with Personalization)')]);
    }
    var arms = Object.keys(worker.experiments.arms);
    pairs.push(
      ['Experiments you are part of', lines(arms.map(function (name) { return name + ': version “' + worker.experiments.arms[name].arm + '”'; }))],
      ['Measurement records', worker.eventLog.days.length ? 'Sent on ' + plural(worker.eventLog.days.length, 'day') + ', each kept ' + worker.eventLog.retainedForDays + ' days' : 'None'],
      ['Kept until', worker.retainedUntil ? when(worker.retainedUntil) + ', unless you come back' : 'Nothing is kept'],
    );
    return facts(pairs);
  }

  /** Shows an export readably below the export's status line; returns the summary for that line. */
  function render(data) {
    var browser = data.browser;
    var worker = data.worker;
    var nothing = !browser.visitorId && !worker && !browser.session.length && !browser.queued.length;
    var summary = nothing
      ? 'Nothing is stored about you: Rapport has no id for this browser and keeps nothing on the shop’s server.'
      : 'Below is everything Rapport keeps about you' + (browser.visitorId ? ', under the id ' + browser.visitorId : '') + '.';
    result.replaceChildren(
      el('h3', 'In this browser'),
      facts([
        ['Your id', browser.visitorId || 'None'],
        ['Your choice, as Rapport has it', allowed(browser.consent)],
        ['Products viewed this visit', lines(browser.session.map(product))],
        ['Events waiting to be sent', lines(waiting(browser.queued))],
      ]),
      el('h3', 'On the shop’s server'),
      worker ? server(worker) : el('p', browser.visitorId ? 'The server could not be reached; try again in a moment.' : 'Nothing: without an id there is nothing to look up.'),
    );
    if (download.href) URL.revokeObjectURL(download.href);
    download.href = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
    download.hidden = false;
    return summary;
  }

  /** Asks the SDK for its export, shows it and says its summary in `which`'s status line. */
  function showExport(which) {
    return sdk()
      .then(function (rapport) { return rapport('export'); })
      .then(function (data) {
        if (!data) throw new Error('no export');
        say(which, render(data));
      })
      .catch(function () {
        say(which, 'Rapport could not be asked what it stores; reload the page and try again.');
      });
  }

  /** Runs a button's action with the button disabled meanwhile. */
  function busy(button, action) {
    button.disabled = true;
    Promise.resolve().then(action).finally(function () { button.disabled = false; });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var choice = consent.apply({ analytics: form.elements.analytics.checked, personalization: form.elements.personalization.checked });
    showCurrent();
    say('choices', 'Saved: ' + consent.describe(choice) + '.');
  });

  document.querySelector('[data-privacy-export]').addEventListener('click', function (e) {
    busy(e.currentTarget, function () { return showExport('export'); });
  });

  document.querySelector('[data-privacy-forget]').addEventListener('click', function (e) {
    busy(e.currentTarget, function () {
      return sdk()
        .then(function (rapport) { return rapport('forget'); })
        .then(function () {
          var choice = consent.current();
          var still = choice && (choice.analytics || choice.personalization);
          var done = 'Done: Rapport has erased what it kept about you, on the shop’s server and in this browser.' + (still ? ' You still allow ' + grantedNames(choice) + ', so browsing on starts afresh under a new id. To stop that, opt out.' : '');
          say('forget', done);
          // What is stored now, as proof: no id, nothing on the server.
          return showExport('export');
        })
        .catch(function () { say('forget', 'Rapport could not be reached; reload the page and try again.'); });
    });
  });

  document.querySelector('[data-privacy-opt-out]').addEventListener('click', function () {
    consent.apply({ analytics: false, personalization: false });
    showCurrent();
    say('opt-out', 'You have opted out, the same as “Reject all” in the banner: nothing more is collected, and what was stored is erased.');
    if (result.childNodes.length) showExport('export');
  });

  // The banner may change the choice while this page is open.
  document.addEventListener('demo:consent', showCurrent);
  showCurrent();
})();
