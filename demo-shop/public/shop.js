// The demo merchant's own page script: a consent banner, a cart kept in the
// browser, and the Rapport calls a real shop would make. It talks to Rapport
// only through the public `rapport(...)` function.
(function () {
  'use strict';
  var CART_KEY = 'demo_cart';
  var CHOICE_KEY = 'demo_privacy_choice';

  function readCart() {
    try { return JSON.parse(localStorage.getItem(CART_KEY) || '{}'); } catch (e) { return {}; }
  }
  function writeCart(cart) {
    localStorage.setItem(CART_KEY, JSON.stringify(cart));
    showCount(cart);
  }
  function showCount(cart) {
    var count = Object.keys(cart).reduce(function (n, id) { return n + cart[id]; }, 0);
    document.querySelectorAll('[data-cart-count]').forEach(function (el) { el.textContent = String(count); });
  }

  // Consent banner: the shop's own, wired to Rapport's generic consent API.
  var banner = document.querySelector('[data-consent-banner]');
  if (banner && !localStorage.getItem(CHOICE_KEY)) banner.hidden = false;
  document.addEventListener('click', function (e) {
    var choice = e.target.closest('[data-consent-choice]');
    if (choice) {
      var yes = choice.getAttribute('data-consent-choice') === 'all';
      localStorage.setItem(CHOICE_KEY, yes ? 'all' : 'none');
      rapport('consent', { analytics: yes, personalization: yes });
      banner.hidden = true;
    }
    if (e.target.closest('[data-privacy]')) banner.hidden = false;

    var add = e.target.closest('[data-add-to-cart]');
    if (add) {
      var id = add.getAttribute('data-add-to-cart');
      var cart = readCart();
      cart[id] = (cart[id] || 0) + 1;
      writeCart(cart);
      rapport('track', 'add_to_cart', { item: id, qty: 1 });
      add.textContent = 'Added ✓';
    }
    var remove = e.target.closest('[data-remove]');
    if (remove) {
      var rid = remove.getAttribute('data-remove');
      var c = readCart();
      delete c[rid];
      writeCart(c);
      rapport('track', 'remove_from_cart', { item: rid });
      renderCart();
    }
    if (e.target.closest('[data-checkout]')) {
      var items = Object.keys(readCart());
      if (items.length) {
        rapport('track', 'checkout');
        rapport('track', 'purchase', { items: items });
        writeCart({});
        renderCart('Thank you for your order!');
      }
    }
  });

  function renderCart(message) {
    var lines = document.querySelector('[data-cart-lines]');
    if (!lines) return;
    var cart = readCart();
    var ids = Object.keys(cart);
    lines.textContent = '';
    if (!ids.length) {
      var p = document.createElement('p');
      p.textContent = message || 'Your cart is empty.';
      lines.appendChild(p);
    }
    ids.forEach(function (id) {
      var row = document.createElement('p');
      var link = document.createElement('a');
      link.href = '/p/' + id;
      link.textContent = 'Product ' + id + ' × ' + cart[id];
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.setAttribute('data-remove', id);
      btn.textContent = 'Remove';
      row.appendChild(link);
      row.appendChild(document.createTextNode(' '));
      row.appendChild(btn);
      lines.appendChild(row);
    });
    var checkout = document.querySelector('[data-checkout]');
    if (checkout) checkout.hidden = !ids.length;
  }

  showCount(readCart());
  renderCart();
})();
