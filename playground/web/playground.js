// The optimisation chapter's live playground: wires the controls and draws. Every number it
// shows comes from the WebAssembly module (the book's own Rust optimisers and landscapes,
// `playground/src/`); this script does no maths of its own beyond placing pixels.
(function () {
  'use strict';
  var root = document.querySelector('[data-playground]');
  var blob = document.getElementById('descent-playground-wasm');
  if (!root || !blob) return;
  var need = root.querySelector('.pg-fallback');
  var say = function (text) { need.textContent = text; };
  // Menus in the order of `Function::ALL` and `Optimiser::ALL` (playground/src/setting.rs).
  var FUNCTIONS = [
    { key: 'peaks', name: 'peaks', lim: 3, start: [0.25, 1.3] },
    { key: 'rastrigin', name: 'Rastrigin', lim: 3, start: [-2.45, -2.45] },
    { key: 'rosenbrock', name: 'Rosenbrock', lim: 3, start: [2, -2], log: true },
    { key: 'fancy', name: 'fancy', lim: 5, start: [-4, 4] },
    { key: 'angry', name: 'angry', lim: 3, start: [-2, 2] }
  ];
  var OPTIMISERS = [
    { key: 'sgd', name: 'SGD', uses: [] },
    { key: 'sgd-momentum', name: 'SGD with momentum', uses: ['momentum'] },
    { key: 'sgd-nesterov', name: 'SGD, Nesterov momentum', uses: ['momentum'] },
    { key: 'rmsprop', name: 'RMSprop', uses: ['momentum'] },
    { key: 'adagrad', name: 'Adagrad', uses: [] },
    { key: 'adam', name: 'Adam', uses: ['beta1', 'beta2'] },
    { key: 'adamw', name: 'AdamW', uses: ['beta1', 'beta2'] },
    { key: 'adamax', name: 'Adamax', uses: ['beta1', 'beta2'] }
  ];
  var SCHEDULES = [{ key: 'none', name: 'none' }, { key: 'exponential', name: 'ExponentialLR' },
    { key: 'cosine', name: 'CosineAnnealingLR (T_max = steps)' }];
  var wasm = null;
  // Decoding: the module travels gzipped and base64-encoded inside the page (no fetch, so the
  // book works from file:// too).
  function load() {
    if (typeof WebAssembly !== 'object' || typeof DecompressionStream !== 'function') {
      return Promise.reject(new Error('this browser lacks WebAssembly or DecompressionStream'));
    }
    var text = atob(blob.textContent.trim());
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer()
      .then(function (buf) { return WebAssembly.instantiate(buf, {}); })
      .then(function (r) { wasm = r.instance.exports; });
  }
  function out(n) { return new Float64Array(wasm.memory.buffer, wasm.descent_out(), n); }
  function error() {
    var b = new Uint8Array(wasm.memory.buffer, wasm.descent_error(), wasm.descent_error_len());
    return new TextDecoder().decode(b);
  }
  // One setting's path, straight from `descent_path` (see playground/src/bridge.rs).
  function path(s) {
    var n = wasm.descent_path(s.function, s.optimiser, s.lr, s.momentum, s.beta1, s.beta2,
      s.weightDecay, s.schedule, s.gamma, s.steps, s.x, s.y);
    if (n < 0) return { error: error() };
    var o = out(4 + 3 * n), points = [], values = [];
    for (var k = 0; k < n; k++) {
      points.push([o[4 + 3 * k], o[5 + 3 * k]]);
      values.push(o[6 + 3 * k]);
    }
    var d = o[1] < 0 ? null : { step: o[1], x: o[2], y: o[3], value: wasm.descent_divergence_value() };
    return { points: points, values: values, diverged: d };
  }
  function grid(f, n) {
    var lim = FUNCTIONS[f].lim;
    var m = wasm.descent_grid(f, n, -lim, lim, -lim, lim);
    if (m < 0) throw new Error(error());
    return Array.prototype.slice.call(out(m));
  }
  // --- controls -----------------------------------------------------------------------------
  var uid = 0;
  function el(tag, attrs, parent) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function field(form, label, input, show) {
    var id = 'pg-' + (++uid);
    var wrap = el('div', { 'class': 'pg-field' }, form);
    var l = el('label', { 'for': id }, wrap);
    l.textContent = label;
    input.id = id;
    wrap.appendChild(input);
    if (show) {
      var o = el('output', { 'for': id }, wrap);
      wrap.update = function () { o.textContent = show(); };
    }
    return wrap;
  }
  function select(options) {
    var s = document.createElement('select');
    options.forEach(function (t, i) { var o = el('option', { value: i }, s); o.textContent = t; });
    return s;
  }
  function range(min, max, step, value) {
    return el('input', { type: 'range', min: min, max: max, step: step, value: value });
  }
  function number(value, step) {
    return el('input', { type: 'number', step: step, value: value, inputmode: 'decimal' });
  }
  function fmt(v) {
    if (!isFinite(v)) return String(v);
    var a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(+v.toPrecision(5));
  }
  // The settings the chapter's marker line gives (`data-pg-*`, checked when the book was built):
  // set on the controls, and returned as a reader of each control's value that keeps a given
  // number exact (a slider snaps 9.982 to its step) until the reader moves that control.
  function preset(c) {
    var d = root.dataset, given = {};
    var index = function (list, key) {
      return String(list.map(function (o) { return o.key; }).indexOf(key));
    };
    if (d.pgFunction) c.function.value = index(FUNCTIONS, d.pgFunction);
    var start = FUNCTIONS[+c.function.value].start;
    c.x.value = d.pgX || start[0];
    c.y.value = d.pgY || start[1];
    if (d.pgOptimiser) c.optimiser.value = index(OPTIMISERS, d.pgOptimiser);
    if (d.pgSchedule) c.schedule.value = index(SCHEDULES, d.pgSchedule);
    if (d.pgSteps) c.steps.value = d.pgSteps;
    var numbers = { lr: d.pgLr, momentum: d.pgMomentum, beta1: d.pgBeta1, beta2: d.pgBeta2,
      weightDecay: d.pgWeightDecay, gamma: d.pgGamma };
    Object.keys(numbers).forEach(function (k) {
      if (numbers[k] === undefined) return;
      c[k].value = k === 'lr' ? Math.log10(+numbers[k]) : numbers[k];
      given[k] = { shown: c[k].value, value: +numbers[k] };
    });
    return function (k) {
      var g = given[k];
      if (g && c[k].value === g.shown) return g.value;
      return k === 'lr' ? Math.pow(10, +c[k].value) : +c[k].value;
    };
  }
  function build() {
    need.hidden = true;
    var form = el('form', { 'class': 'pg-controls', 'aria-label': 'Playground settings' }, root);
    form.addEventListener('submit', function (e) { e.preventDefault(); });
    var c = {};
    c.function = select(FUNCTIONS.map(function (f) { return f.name; }));
    c.optimiser = select(OPTIMISERS.map(function (o) { return o.name; }));
    c.optimiser.value = '5';
    c.lr = range(-4, 1, 0.01, -1);
    c.momentum = range(0, 0.99, 0.01, 0.9);
    c.beta1 = range(0, 0.99, 0.01, 0.9);
    c.beta2 = range(0.9, 0.9999, 0.0001, 0.999);
    c.weightDecay = range(0, 10, 0.01, 0);
    c.schedule = select(SCHEDULES.map(function (s) { return s.name; }));
    c.gamma = range(0.5, 1, 0.001, 0.99);
    c.steps = range(1, 500, 1, 200);
    c.x = number(FUNCTIONS[0].start[0], 0.01);
    c.y = number(FUNCTIONS[0].start[1], 0.01);
    var exact = preset(c);
    var f = {};
    f.function = field(form, 'Function', c.function);
    f.optimiser = field(form, 'Optimiser', c.optimiser);
    f.lr = field(form, 'Learning rate', c.lr, function () { return fmt(exact('lr')); });
    f.momentum = field(form, 'Momentum', c.momentum, function () { return fmt(exact('momentum')); });
    f.beta1 = field(form, 'β₁', c.beta1, function () { return fmt(exact('beta1')); });
    f.beta2 = field(form, 'β₂', c.beta2, function () { return fmt(exact('beta2')); });
    f.weightDecay = field(form, 'Weight decay', c.weightDecay, function () { return fmt(exact('weightDecay')); });
    f.schedule = field(form, 'Schedule', c.schedule);
    f.gamma = field(form, 'γ per step', c.gamma, function () { return fmt(exact('gamma')); });
    f.steps = field(form, 'Steps', c.steps, function () { return c.steps.value; });
    f.x = field(form, 'Start x', c.x);
    f.y = field(form, 'Start y', c.y);
    var canvas = el('canvas', {
      'class': 'pg-map', tabindex: '0', role: 'img',
      'aria-label': 'Contour map with the path; click or drag to set the start, arrow keys move it'
    }, root);
    var result = el('p', { 'class': 'pg-result', 'aria-live': 'polite' }, root);
    var state = { map: null, mapFor: -1, drag: false, last: null };
    function setting() {
      return {
        function: +c.function.value, optimiser: +c.optimiser.value,
        lr: exact('lr'), momentum: exact('momentum'),
        beta1: exact('beta1'), beta2: exact('beta2'), weightDecay: exact('weightDecay'),
        schedule: +c.schedule.value, gamma: exact('gamma'), steps: +c.steps.value,
        x: +c.x.value, y: +c.y.value
      };
    }
    function update() {
      var o = OPTIMISERS[+c.optimiser.value];
      ['momentum', 'beta1', 'beta2'].forEach(function (k) { f[k].hidden = o.uses.indexOf(k) < 0; });
      f.gamma.hidden = c.schedule.value !== '1';
      for (var k in f) if (f[k].update) f[k].update();
      c.lr.setAttribute('aria-valuetext', fmt(exact('lr')));
      var s = setting(), p = path(s);
      state.last = p;
      draw(s, p);
      if (p.error) {
        result.textContent = 'No path: ' + p.error;
        root.dataset.points = '0';
        return;
      }
      var n = p.points.length, end = p.points[n - 1];
      root.dataset.points = String(n);
      root.dataset.last = end[0] + ',' + end[1];
      root.dataset.diverged = p.diverged ? String(p.diverged.step) : '';
      result.textContent = p.diverged
        ? 'Diverged at step ' + p.diverged.step + ': the point became (' + fmt(p.diverged.x) + ', ' +
          fmt(p.diverged.y) + '); the path ends at its last finite point (' + fmt(end[0]) + ', ' + fmt(end[1]) + ').'
        : 'After ' + (n - 1) + ' steps: (' + fmt(end[0]) + ', ' + fmt(end[1]) + '), f = ' + fmt(p.values[n - 1]) + '.';
    }
    // --- drawing -------------------------------------------------------------------------------
    var VIRIDIS = [[68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
      [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37]];
    var N = 161, BANDS = 18;
    function colour(t) {
      t = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
      var i = Math.min(VIRIDIS.length - 2, Math.floor(t)), u = t - i, a = VIRIDIS[i], b = VIRIDIS[i + 1];
      return [0, 1, 2].map(function (k) { return Math.round(a[k] + (b[k] - a[k]) * u); });
    }
    function heatmap(fi) {
      var v = grid(fi, N), log = FUNCTIONS[fi].log;
      var lo = Infinity, hi = -Infinity;
      v.forEach(function (z) { if (isFinite(z)) { lo = Math.min(lo, z); hi = Math.max(hi, z); } });
      var img = document.createElement('canvas');
      img.width = N; img.height = N;
      var g = img.getContext('2d'), data = g.createImageData(N, N);
      for (var j = 0; j < N; j++) {
        for (var i = 0; i < N; i++) {
          var z = v[j * N + i];
          var t = log ? Math.log(1 + z - lo) / Math.log(1 + hi - lo) : (z - lo) / (hi - lo);
          var rgb = colour(Math.floor(t * BANDS) / (BANDS - 1));
          var at = ((N - 1 - j) * N + i) * 4; // row j is y; y grows upwards on the map
          data.data[at] = rgb[0]; data.data[at + 1] = rgb[1]; data.data[at + 2] = rgb[2]; data.data[at + 3] = 255;
        }
      }
      g.putImageData(data, 0, 0);
      return img;
    }
    var PAD = 36;
    function geometry() {
      var w = canvas.clientWidth || 480, size = w - PAD - 8, lim = FUNCTIONS[+c.function.value].lim;
      return {
        w: w, h: size + PAD, size: size, lim: lim,
        px: function (x) { return PAD + (x + lim) / (2 * lim) * size; },
        py: function (y) { return 8 + (lim - y) / (2 * lim) * size; }
      };
    }
    function draw(s, p) {
      var G = geometry(), dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(G.w * dpr)) canvas.width = Math.round(G.w * dpr);
      canvas.height = Math.round(G.h * dpr);
      canvas.style.height = G.h + 'px';
      var g = canvas.getContext('2d');
      g.setTransform(dpr, 0, 0, dpr, 0, 0);
      g.clearRect(0, 0, G.w, G.h);
      if (state.mapFor !== s.function) { state.map = heatmap(s.function); state.mapFor = s.function; }
      g.imageSmoothingEnabled = true;
      g.drawImage(state.map, G.px(-G.lim), G.py(G.lim), G.size, G.size);
      var fg = getComputedStyle(root).color;
      g.fillStyle = fg; g.strokeStyle = fg; g.font = '12px sans-serif';
      g.textAlign = 'center';
      [-1, -0.5, 0, 0.5, 1].forEach(function (t) {
        var v = t * G.lim;
        var label = fmt(v).replace('-', '\u2212');
        g.fillText(label, G.px(v), G.h - 12);
        g.save(); g.textAlign = 'right'; g.fillText(label, PAD - 4, G.py(v) + 4); g.restore();
      });
      g.strokeRect(G.px(-G.lim), G.py(G.lim), G.size, G.size);
      if (p.error) return;
      var clip = function (v) { return Math.max(-1e6, Math.min(1e6, v)); };
      g.save();
      g.beginPath(); g.rect(G.px(-G.lim), G.py(G.lim), G.size, G.size); g.clip();
      g.lineJoin = 'round';
      [['#000', 4], ['#fff', 2]].forEach(function (st) {
        g.strokeStyle = st[0]; g.lineWidth = st[1];
        g.beginPath();
        p.points.forEach(function (q, k) {
          var X = clip(G.px(q[0])), Y = clip(G.py(q[1]));
          if (k) g.lineTo(X, Y); else g.moveTo(X, Y);
        });
        g.stroke();
      });
      var dot = function (q, r, fill) {
        g.beginPath(); g.arc(G.px(q[0]), G.py(q[1]), r, 0, 2 * Math.PI);
        g.fillStyle = fill; g.fill(); g.lineWidth = 1.5; g.strokeStyle = '#000'; g.stroke();
      };
      dot(p.points[0], 6, '#fff');
      var end = p.points[p.points.length - 1];
      if (p.diverged) {
        var X = Math.max(G.px(-G.lim), Math.min(G.px(G.lim), G.px(end[0]))); // on the map's edge when off it
        var Y = Math.max(G.py(G.lim), Math.min(G.py(-G.lim), G.py(end[1])));
        g.strokeStyle = '#e8112d'; g.lineWidth = 3;
        g.beginPath(); g.moveTo(X - 7, Y - 7); g.lineTo(X + 7, Y + 7); g.moveTo(X + 7, Y - 7); g.lineTo(X - 7, Y + 7); g.stroke();
      } else {
        dot(end, 4, '#e8112d');
      }
      g.restore();
    }
    // --- wiring --------------------------------------------------------------------------------
    function startAt(x, y) {
      c.x.value = String(+x.toFixed(3)); c.y.value = String(+y.toFixed(3));
      update();
    }
    function fromEvent(e) {
      var G = geometry(), r = canvas.getBoundingClientRect();
      var x = ((e.clientX - r.left) - PAD) / G.size * 2 * G.lim - G.lim;
      var y = G.lim - ((e.clientY - r.top) - 8) / G.size * 2 * G.lim;
      startAt(Math.max(-G.lim, Math.min(G.lim, x)), Math.max(-G.lim, Math.min(G.lim, y)));
    }
    canvas.addEventListener('pointerdown', function (e) {
      state.drag = true;
      try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* a synthetic pointer */ }
      fromEvent(e);
    });
    canvas.addEventListener('pointermove', function (e) { if (state.drag) fromEvent(e); });
    canvas.addEventListener('pointerup', function () { state.drag = false; });
    canvas.addEventListener('keydown', function (e) {
      var d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
      if (!d) return;
      e.preventDefault();
      e.stopPropagation(); // not mdBook's next/previous chapter
      var step = FUNCTIONS[+c.function.value].lim / 50;
      startAt(+c.x.value + d[0] * step, +c.y.value + d[1] * step);
    });
    c.function.addEventListener('change', function () {
      var fn = FUNCTIONS[+c.function.value];
      c.x.value = fn.start[0]; c.y.value = fn.start[1];
    });
    form.addEventListener('input', update);
    form.addEventListener('change', update);
    window.addEventListener('resize', update);
    new MutationObserver(update).observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    update();
  }
  var ready = load().then(function () { build(); return true; }, function (e) {
    say('The live playground could not start (' + e.message + '); it needs JavaScript and ' +
      'WebAssembly. The figures below were computed when the book was built.');
    return false;
  });
  // For tests and curious readers: the module's own paths, without the controls.
  window.descentPlayground = { ready: ready, path: function (s) { return path(s); } };
})();
