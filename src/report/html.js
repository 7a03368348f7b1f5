// keyaudit HTML report: draws the key table from the inline JSON blob. Sorting, filtering and
// paging run here; the state lives in the URL fragment (#q=…&sort=…&dir=…&provider=…&page=…),
// so a view can be bookmarked and tests can drive it. Text is only ever set as textContent.
(function () {
  'use strict';
  var started = Date.now();
  var data = JSON.parse(document.getElementById('keyaudit-data').textContent);
  var keys = data.keys;
  var tierRank = {};
  data.tiers.forEach(function (t, i) { tierRank[t] = i; });
  var state = { q: '', provider: '', privilege: '', environment: '', flag: '', sort: '', dir: 'asc', page: 1, per: '200' };
  var body = document.querySelector('#keytable tbody');
  // A scan declares nothing: no "declared as" or "owner" column.
  if (!data.audited) {
    ['d', 'ow'].forEach(function (col) {
      var th = document.querySelector('#keytable th[data-col="' + col + '"]');
      th.parentNode.removeChild(th);
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function uniq(values) {
    var seen = {};
    values.forEach(function (v) { seen[v] = true; });
    return Object.keys(seen).sort();
  }

  function fill(id, values) {
    var select = document.getElementById(id);
    values.forEach(function (v) { var o = el('option', null, v); o.value = v; select.appendChild(o); });
  }

  fill('provider', uniq(keys.map(function (k) { return k.p; })));
  fill('privilege', data.tiers.filter(function (t) { return keys.some(function (k) { return k.v === t; }); }));
  fill('environment', uniq(keys.map(function (k) { return k.e; })));
  var flags = uniq([].concat.apply([], keys.map(function (k) { return k.f; })));
  if (data.audited) flags.push('ok');
  flags.push('history-only');
  fill('flag', flags);

  // The searchable text of each key, built once.
  var haystack = keys.map(function (k) {
    return [k.p, k.r, k.k, k.h, k.v, k.e, k.d || '', k.ow || '', k.id || '', k.fp, k.f.join(' '), k.rs.join(' '),
      k.w.join(' '), k.c ? '' : 'history only'].concat(k.l.map(function (l) {
      return (l.rp ? l.rp + ':' : '') + l.p + ' ' + (l.v || '') + ' ' + (l.cm || '');
    })).join('\n').toLowerCase();
  });

  var sorters = {
    p: function (k) { return k.p.toLowerCase(); },
    r: function (k) { return k.r; },
    h: function (k) { return k.h; },
    v: function (k) { return tierRank[k.v]; },
    e: function (k) { return k.e; },
    a: function (k) { return k.a === null || k.a === undefined ? -1 : k.a; },
    f: function (k) { return k.f.length * 100 + (k.c ? 0 : 1); },
    l: function (k) { return k.l.length; },
    d: function (k) { return k.d || ''; },
    ow: function (k) { return k.ow || ''; }
  };

  function matches(k, i) {
    if (state.provider && k.p !== state.provider) return false;
    if (state.privilege && k.v !== state.privilege) return false;
    if (state.environment && k.e !== state.environment) return false;
    if (state.flag === 'ok' && k.f.length) return false;
    if (state.flag === 'history-only' && k.c) return false;
    if (state.flag && state.flag !== 'ok' && state.flag !== 'history-only' && k.f.indexOf(state.flag) < 0) return false;
    if (state.q) {
      var words = state.q.toLowerCase().split(/\s+/).filter(Boolean);
      for (var w = 0; w < words.length; w++) if (haystack[i].indexOf(words[w]) < 0) return false;
    }
    return true;
  }

  function view() {
    var index = [];
    for (var i = 0; i < keys.length; i++) if (matches(keys[i], i)) index.push(i);
    var by = sorters[state.sort];
    if (by) {
      var sign = state.dir === 'desc' ? -1 : 1;
      index.sort(function (a, b) {
        var x = by(keys[a]), y = by(keys[b]);
        if (x < y) return -sign;
        if (x > y) return sign;
        return a - b;
      });
    }
    return index;
  }

  function place(l) {
    var text = (l.rp ? l.rp + ': ' : '') + l.p + ':' + l.n + ':' + l.col;
    if (l.cm) text += ' @ ' + l.cm.slice(0, 12);
    if (l.s !== 'file') text += ' [' + l.s + ']';
    if (l.v) text += ' (' + l.v + ')';
    if (l.dc) text += ' decoded ' + l.dc;
    return text;
  }

  function row(k) {
    var tr = el('tr');
    tr.dataset.fingerprint = k.fp;
    tr.appendChild(el('td', 'provider', k.p));
    var rule = el('td', 'rule', k.r);
    rule.title = k.k;
    tr.appendChild(rule);
    var key = el('td', 'key');
    key.appendChild(el('code', 'hint', k.h));
    if (k.id) { key.appendChild(el('br')); key.appendChild(el('span', 'muted mono', 'id ' + k.id)); }
    if (k.x) { key.appendChild(el('br')); key.appendChild(el('span', 'muted', 'expires ' + k.x)); }
    if (k.o) {
      key.appendChild(el('br'));
      var a = el('a', null, 'rotate');
      a.href = k.o;
      a.rel = 'noreferrer noopener';
      a.target = '_blank';
      key.appendChild(a);
    }
    tr.appendChild(key);
    var tier = el('td', 'privilege');
    var badge = el('span', 'badge tier-' + k.v, k.v);
    badge.title = k.ve;
    tier.appendChild(badge);
    tr.appendChild(tier);
    tr.appendChild(el('td', 'environment', k.e));
    tr.appendChild(el('td', 'age', k.a === null || k.a === undefined ? '–' : k.a + ' d'));
    var flagCell = el('td', 'flags');
    k.f.forEach(function (f) { flagCell.appendChild(el('span', 'badge flag flag-' + f, f)); });
    if (data.audited && !k.f.length) flagCell.appendChild(el('span', 'badge flag flag-ok', 'ok'));
    if (!k.c) {
      flagCell.appendChild(el('span', 'badge history', 'history only'));
      flagCell.appendChild(el('div', 'history-note', data.history_only));
    }
    if (k.rs.length || k.w.length) {
      var ul = el('ul', 'reasons');
      k.rs.forEach(function (r) { ul.appendChild(el('li', 'reason', r)); });
      k.w.forEach(function (w) { ul.appendChild(el('li', 'warning', 'warning: ' + w)); });
      flagCell.appendChild(ul);
    }
    tr.appendChild(flagCell);
    var locs = el('td', 'locations');
    var details = el('details');
    details.appendChild(el('summary', null, k.l.length + ' × ' + (k.l.length ? place(k.l[0]) : '')));
    var list = el('ul', 'locs');
    k.l.forEach(function (l) { list.appendChild(el("li", null, place(l))); });
    details.appendChild(list);
    locs.appendChild(details);
    tr.appendChild(locs);
    if (data.audited) {
      tr.appendChild(el('td', 'declared', k.d || '—'));
      tr.appendChild(el('td', 'owner', k.ow || '—'));
    }
    return tr;
  }

  function writeFragment() {
    var parts = [];
    ['q', 'provider', 'privilege', 'environment', 'flag', 'sort'].forEach(function (name) {
      if (state[name]) parts.push(name + '=' + encodeURIComponent(state[name]));
    });
    if (state.sort && state.dir === 'desc') parts.push('dir=desc');
    if (state.page > 1) parts.push('page=' + state.page);
    if (state.per !== '200') parts.push('per=' + state.per);
    var hash = parts.length ? '#' + parts.join('&') : '';
    if (hash !== window.location.hash && history.replaceState) history.replaceState(null, '', hash || window.location.pathname + window.location.search);
  }

  function readFragment() {
    var text = window.location.hash.replace(/^#/, '');
    text.split('&').forEach(function (pair) {
      if (!pair) return;
      var at = pair.indexOf('=');
      var name = at < 0 ? pair : pair.slice(0, at);
      var value = at < 0 ? '' : decodeURIComponent(pair.slice(at + 1).replace(/\+/g, ' '));
      if (name === 'page') state.page = Math.max(1, parseInt(value, 10) || 1);
      else if (Object.prototype.hasOwnProperty.call(state, name)) state[name] = value;
    });
    ['q', 'provider', 'privilege', 'environment', 'flag', 'per'].forEach(function (id) {
      var input = document.getElementById(id);
      if (input) input.value = state[id];
    });
  }

  function render(all) {
    var index = view();
    var per = state.per === 'all' || all ? index.length || 1 : parseInt(state.per, 10) || 200;
    var pages = Math.max(1, Math.ceil(index.length / per));
    if (state.page > pages) state.page = pages;
    var start = all ? 0 : (state.page - 1) * per;
    var slice = index.slice(start, start + per);
    var fragment = document.createDocumentFragment();
    slice.forEach(function (i) { fragment.appendChild(row(keys[i])); });
    body.textContent = '';
    body.appendChild(fragment);
    document.querySelectorAll('#keytable th').forEach(function (th) {
      if (th.dataset.col === state.sort) th.setAttribute('aria-sort', state.dir === 'desc' ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
    var count = document.getElementById('count');
    count.textContent = index.length
      ? 'keys ' + (start + 1) + '–' + (start + slice.length) + ' of ' + index.length +
        (index.length < keys.length ? ' (filtered from ' + keys.length + ')' : '')
      : 'no key matches';
    var pager = document.getElementById('pager');
    pager.textContent = '';
    if (pages > 1 && !all) {
      [['« first', 1], ['‹ previous', state.page - 1], ['next ›', state.page + 1], ['last »', pages]].forEach(function (b) {
        var button = el('button', null, b[0]);
        button.type = 'button';
        button.disabled = b[1] < 1 || b[1] > pages || b[1] === state.page;
        button.addEventListener('click', function () { state.page = b[1]; update(); });
        pager.appendChild(button);
      });
      pager.appendChild(el('span', 'muted', 'page ' + state.page + ' of ' + pages));
    }
    document.body.dataset.shown = String(slice.length);
    document.body.dataset.matching = String(index.length);
  }

  function update() { render(false); writeFragment(); }

  document.querySelectorAll('#keytable th').forEach(function (th) {
    th.addEventListener('click', function () {
      if (state.sort === th.dataset.col) state.dir = state.dir === 'asc' ? 'desc' : 'asc';
      else { state.sort = th.dataset.col; state.dir = 'asc'; }
      update();
    });
  });
  ['provider', 'privilege', 'environment', 'flag', 'per'].forEach(function (id) {
    document.getElementById(id).addEventListener('change', function (e) { state[id] = e.target.value; state.page = 1; update(); });
  });
  var typing;
  document.getElementById('q').addEventListener('input', function (e) {
    clearTimeout(typing);
    typing = setTimeout(function () { state.q = e.target.value; state.page = 1; update(); }, 150);
  });
  window.addEventListener('hashchange', function () { readFragment(); render(false); });
  // Print every matching key, with every location, not just the page on screen.
  window.addEventListener('beforeprint', function () {
    render(true);
    document.querySelectorAll('details').forEach(function (d) { d.dataset.wasOpen = d.open ? '1' : ''; d.open = true; });
  });
  window.addEventListener('afterprint', function () { render(false); });

  readFragment();
  render(false);
  document.body.dataset.renderMs = String(Date.now() - started);
  document.body.dataset.ready = 'true';
})();
