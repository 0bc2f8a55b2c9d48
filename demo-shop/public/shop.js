// The demo merchant's own page script: the cart, kept in the `demo_cart`
// cookie so the server renders it (demo-shop/src/cart.ts), and the events only
// the shop knows, sent through Rapport's public `rapport(...)` function as the
// README tells a merchant to: searches, cart changes and checkout. (Product
// views and clicks on items need no code: the pages mark them up. The purchase
// is tracked by the order confirmation page.) Every form also works without
// this script, by posting to the server.
(function () {
  'use strict';
  var CART_COOKIE = 'demo_cart';
  var MAX_QUANTITY = 10;
  var MAX_LINES = 30;

  // Calls Rapport when its stub is on the page (the single-page section loads the npm build instead).
  function rapport() {
    if (typeof window.rapport === 'function') return window.rapport.apply(null, arguments);
  }

  function readCart() {
    var cart = {};
    var match = document.cookie.match(/(?:^|;\s*)demo_cart=([^;]*)/);
    (match ? decodeURIComponent(match[1]) : '').split('.').forEach(function (pair) {
      var parts = pair.split(':');
      var qty = Number(parts[1]);
      if (parts[0] && qty > 0 && Object.keys(cart).length < MAX_LINES) cart[parts[0]] = Math.min(qty, MAX_QUANTITY);
    });
    return cart;
  }

  function writeCart(cart) {
    var value = Object.keys(cart).map(function (id) { return id + ':' + cart[id]; }).join('.');
    document.cookie = CART_COOKIE + '=' + encodeURIComponent(value) + '; path=/; max-age=' + 30 * 86400 + '; samesite=lax';
    var count = Object.keys(cart).reduce(function (n, id) { return n + cart[id]; }, 0);
    document.querySelectorAll('[data-cart-count]').forEach(function (el) {
      el.textContent = String(count);
      el.setAttribute('aria-label', count + (count === 1 ? ' item' : ' items'));
    });
  }

  // A cart form: add `qty` more of an item (product pages), or set its quantity (`set`; 0 removes it: the cart page).
  document.addEventListener('submit', function (e) {
    var form = e.target.closest('[data-cart-form]');
    if (!form) return;
    e.preventDefault();
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) data.set(e.submitter.name, e.submitter.value);
    var item = String(data.get('item'));
    var qty = Number(data.get('qty'));
    var price = Number(data.get('price'));
    var cart = readCart();
    var before = cart[item] || 0;
    var after = Math.min(data.get('set') === '1' ? qty : before + qty, MAX_QUANTITY);
    if (after > 0) cart[item] = after;
    else delete cart[item];
    writeCart(cart);
    if (after > before) rapport('track', 'add_to_cart', { item: item, qty: after - before, price: price, currency: 'USD' });
    if (after < before) rapport('track', 'remove_from_cart', { item: item, qty: before - after, price: price, currency: 'USD' });
    var added = form.querySelector('[data-added]');
    if (added) {
      added.textContent = after + ' in your cart. ';
      var link = document.createElement('a');
      link.href = '/cart';
      link.textContent = 'View cart';
      added.appendChild(link);
    } else {
      // The cart page shows totals the server computes: show the changed cart.
      location.reload();
    }
  });

  // The cart page's quantity menus apply as soon as they change; their Update buttons are for pages without script.
  document.addEventListener('change', function (e) {
    var select = e.target.closest('[data-cart-qty]');
    if (select) select.form.requestSubmit(select.form.querySelector('[data-update]'));
  });
  document.querySelectorAll('[data-update]').forEach(function (button) { button.hidden = true; });

  // A search results page: what was searched for (the SDK sends it only with consent).
  var params = new URLSearchParams(location.search);
  if (location.pathname === '/search' && params.get('q') && !params.has('sort') && !params.has('brand')) {
    rapport('track', 'search', { query: params.get('q').trim().slice(0, 200) });
  }
  // Reaching the checkout, once: not again when the form comes back with a field to correct.
  if (document.querySelector('[data-checkout-form]') && !document.querySelector('.error-summary')) rapport('track', 'checkout');
})();
