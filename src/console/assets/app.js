// ai-release console: the command box, card buttons and live updates. No framework, no CDN.
(function () {
  'use strict';
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var results = document.getElementById('results');
  var main = document.getElementById('main');

  function escapeText(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  function show(htmlText, ok) {
    if (!results) return;
    var box = document.createElement('div');
    box.className = 'result ' + (ok ? 'result-ok' : 'result-refused');
    box.innerHTML = htmlText;
    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'btn btn-quiet dismiss';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', function () { box.remove(); });
    box.insertBefore(close, box.firstChild);
    // A release card the page already shows (it updates there) is not shown a second time.
    Array.prototype.forEach.call(box.querySelectorAll('article.card-release[data-release], article.card-rollout[data-release]'), function (card) {
      var id = card.getAttribute('data-release');
      if (main && main.querySelector('[data-release-card="' + id + '"]')) card.remove();
    });
    results.insertBefore(box, results.firstChild);
    while (results.children.length > 4) results.removeChild(results.lastChild);
  }

  function run(command, reason, expect) {
    var body = { command: command };
    if (reason !== undefined) body.reason = reason;
    if (expect) body.expect = expect;
    return fetch('/console/api/run', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    })
      .then(function (res) {
        if (res.status === 401) { location.href = '/?next=' + encodeURIComponent(location.pathname + location.search); return null; }
        return res.json();
      })
      .then(function (out) {
        if (!out) return;
        if (out.html) show(out.html, out.ok);
        else if (out.error) show('<p class="flash tone-danger">' + escapeText(out.error.message) + '</p>', false);
        if (out.ok) refreshMain();
      })
      .catch(function (e) { show('<p class="flash tone-danger">The console could not reach the server: ' + escapeText(e.message || e) + '</p>', false); });
  }

  var form = document.getElementById('command-form');
  if (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var input = document.getElementById('command-input');
      var text = input.value.trim();
      if (!text) return;
      run(text).then(function () { input.select(); });
    });
  }

  // Card buttons: data-command, data-confirm (ask first), data-input="reason" (ask for the reason).
  document.addEventListener('click', function (ev) {
    var btn = ev.target.closest ? ev.target.closest('button[data-command]') : null;
    if (!btn) return;
    ev.preventDefault();
    var command = btn.getAttribute('data-command');
    if (btn.hasAttribute('data-confirm')) {
      var title = btn.getAttribute('data-confirm-title') || 'Are you sure?';
      if (!window.confirm(title + '\n\n' + btn.getAttribute('data-confirm'))) return;
    }
    var reason;
    if (btn.getAttribute('data-input') === 'reason') {
      var answer = window.prompt(btn.getAttribute('data-input-label') || 'Reason');
      if (answer === null) return;
      if (btn.getAttribute('data-input-required') === 'true' && answer.trim() === '') {
        show('<p class="flash tone-warning">A reason is required.</p>', false);
        return;
      }
      reason = answer;
    }
    btn.disabled = true;
    run(command, reason, btn.getAttribute('data-expect')).then(function () { btn.disabled = false; });
  });

  // Live updates: re-fetch what the page shows about the release or workflow that changed.
  var refreshing = null;
  var again = false;
  function refreshMain() {
    if (!main || !main.getAttribute('data-live')) return Promise.resolve();
    if (refreshing) { again = true; return refreshing; }
    refreshing = fetch(location.pathname + location.search, { headers: { 'x-console-fragment': '1' }, credentials: 'same-origin' })
      .then(function (res) { return res.ok ? res.text() : null; })
      .then(function (text) {
        if (text !== null) {
          var open = Array.prototype.map.call(main.querySelectorAll('details[open]'), function (d) { return d.id || d.querySelector('summary').textContent; });
          main.innerHTML = text;
          Array.prototype.forEach.call(main.querySelectorAll('details'), function (d) {
            if (open.indexOf(d.id || d.querySelector('summary').textContent) >= 0) d.open = true;
          });
          main.setAttribute('data-refreshed', String(Date.now()));
        }
      })
      .finally(function () {
        refreshing = null;
        if (again) { again = false; refreshMain(); }
      });
    return refreshing;
  }

  function refreshCards(release) {
    // Only the release's own card (release or rollout) is re-fetched; result cards stay as they were.
    var sel = 'article.card-release[data-release="' + release + '"], article.card-rollout[data-release="' + release + '"]';
    var cards = results ? results.querySelectorAll(sel) : [];
    Array.prototype.forEach.call(cards, function (card) {
      fetch('/console/fragment/release/' + encodeURIComponent(release), { credentials: 'same-origin' })
        .then(function (res) { return res.ok ? res.text() : null; })
        .then(function (text) {
          if (text === null) return;
          var holder = document.createElement('div');
          holder.innerHTML = text;
          var fresh = holder.querySelector('article.card');
          if (fresh && card.parentNode) card.parentNode.replaceChild(fresh, card);
        });
    });
  }

  function matches(scope, change) {
    if (!scope) return false;
    if (scope === 'all') return true;
    if (scope.indexOf('release:') === 0) return change.release === scope.slice(8);
    if (scope.indexOf('workflow:') === 0) return change.workflow === scope.slice(9);
    return false;
  }

  var liveState = document.getElementById('live-state');
  if (window.EventSource && main) {
    var source = new EventSource('/console/events');
    source.addEventListener('open', function () {
      if (liveState) { liveState.textContent = 'live updates: on'; liveState.className = 'live-state on'; }
    });
    source.addEventListener('error', function () {
      if (liveState) { liveState.textContent = 'live updates: reconnecting…'; liveState.className = 'live-state off'; }
    });
    source.addEventListener('change', function (ev) {
      var change;
      try { change = JSON.parse(ev.data); } catch (e) { return; }
      if (change.release) refreshCards(change.release);
      if (matches(main.getAttribute('data-live'), change)) refreshMain();
    });
  }
})();
