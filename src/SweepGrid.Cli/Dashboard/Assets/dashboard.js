// SweepGrid dashboard: sorting and filtering the trial table, the curves of the ticked trials, the
// report's by-batch figures, and live updates from the sweep's event stream (no page reloads).
// Only uPlot (vendored) is used; every number comes from the server's JSON, which reads the store.
(function () {
  'use strict';
  const live = document.getElementById('live');
  const banner = document.getElementById('banner');
  if (!live) return;
  const sweep = live.dataset.sweep;
  const trial = live.dataset.trial;
  const api = '/api/sweeps/' + encodeURIComponent(sweep);

  function showBanner(text) { banner.textContent = text; banner.hidden = false; }
  function hideBanner() { banner.hidden = true; }

  async function getJson(url) {
    const response = await fetch(url, { cache: 'no-store' });
    if (!response.ok) throw new Error(url + ': ' + response.status);
    return response.json();
  }

  // One chart: series [{label, xs, ys}] joined on their x values; x and y labels carry units.
  function draw(container, title, xLabel, yLabel, series, logX) {
    container.innerHTML = '';
    const drawn = series.filter(s => s.xs.length > 0);
    if (drawn.length === 0) return;
    const data = uPlot.join(drawn.map(s => [s.xs, s.ys]));
    const opts = {
      title: title, width: 440, height: 280,
      scales: { x: { time: false, distr: logX ? 3 : 1, log: logX ? 10 : undefined } },
      axes: [{ label: xLabel }, { label: yLabel }],
      series: [{ label: xLabel }].concat(drawn.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], spanGaps: true, points: { show: true, size: 4 } }))),
    };
    new uPlot(opts, data, container);
  }
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  // Sorting by any column (numbers as numbers) and filtering on any cell's text.
  function makeSortable(table) {
    table.querySelectorAll('thead th').forEach((th, index) => {
      th.addEventListener('click', () => {
        const ascending = th.getAttribute('aria-sort') !== 'ascending';
        table.querySelectorAll('thead th').forEach(h => h.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        const key = r => { const t = r.cells[index].textContent.trim(); const n = Number(t); return t !== '' && t !== '-' && !isNaN(n) ? n : t; };
        rows.sort((a, b) => { const x = key(a), y = key(b); const c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === 'number' ? -1 : 1); return ascending ? c : -c; });
        rows.forEach(r => body.appendChild(r));
      });
    });
  }

  function applyFilter() {
    const filter = document.getElementById('filter');
    const text = filter ? filter.value.trim().toLowerCase() : '';
    document.querySelectorAll('#trials tbody tr').forEach(r => { r.hidden = text !== '' && !r.textContent.toLowerCase().includes(text); });
  }

  function ticked() { return Array.from(document.querySelectorAll('#trials tbody tr')).filter(r => r.querySelector('input:checked')).map(r => r.dataset.trial); }

  async function sweepCharts() {
    const trials = ticked();
    const ids = ['chart-test-acc', 'chart-train-acc', 'chart-test-loss', 'chart-train-loss', 'chart-distance'];
    const boxes = ids.map(id => document.getElementById(id));
    if (trials.length === 0) { boxes.forEach(b => { b.innerHTML = ''; }); boxes[0].innerHTML = '<p>Tick trials to draw their learning curves.</p>'; return; }
    const epochs = await getJson(api + '/epochs?' + trials.map(t => 'trial=' + encodeURIComponent(t)).join('&'));
    const of = (field) => trials.map(t => ({ label: t, xs: (epochs[t] || []).map(e => e.epoch), ys: (epochs[t] || []).map(e => e[field]) }));
    draw(boxes[0], 'Test accuracy per epoch', 'epoch', 'test accuracy (fraction)', of('testAccuracy'));
    draw(boxes[1], 'Training accuracy per epoch', 'epoch', 'train accuracy (fraction)', of('trainAccuracy'));
    draw(boxes[2], 'Test loss per epoch', 'epoch', 'test loss (cross-entropy)', of('testLoss'));
    draw(boxes[3], 'Training loss per epoch', 'epoch', 'train loss (cross-entropy)', of('trainLoss'));
    const points = await Promise.all(trials.map(t => getJson(api + '/trials/' + encodeURIComponent(t) + '/points')));
    draw(boxes[4], '‖w_t − w₀‖ vs updates', 'weight updates t (log axis)', '‖w_t − w₀‖ (L2, all weights)',
      trials.map((t, i) => { const p = points[i].filter(q => q.step >= 1); return { label: t, xs: p.map(q => q.step), ys: p.map(q => q.weightDistance) }; }), true);
  }

  async function figures() {
    const box = document.getElementById('figures');
    const f = await getJson(api + '/figures');
    box.innerHTML = '';
    const add = (title, yLabel, series) => {
      const div = document.createElement('div'); box.appendChild(div);
      draw(div, title, 'batch size B (samples, log axis)', yLabel, series.map(s => ({ label: s.label, xs: s.points.map(p => p.x), ys: s.points.map(p => p.mean) })), true);
    };
    add('Test accuracy vs batch size', 'test accuracy (fraction), mean over seeds', f.testAccuracy);
    add('Generalization gap vs batch size', 'train − test accuracy, mean over seeds', f.gap);
    Object.keys(f.flatness).forEach(m => add(m + ' vs batch size', m + ', mean over seeds', f.flatness[m]));
  }

  async function refreshRows() { applyRows(await getJson(api + '/trials')); }

  // Swaps in the given table lines [{trial, html}] that differ from those shown, keeping their ticks.
  function applyRows(rows) {
    const body = document.querySelector('#trials tbody');
    rows.forEach(r => {
      const old = body.querySelector('tr[data-trial="' + r.trial + '"]');
      const holder = document.createElement('tbody'); holder.innerHTML = r.html;
      const fresh = holder.firstElementChild;
      if (!old) { body.appendChild(fresh); return; }
      if (old.outerHTML.replace(/ class="updated"| checked=""/g, '') === fresh.outerHTML) return;
      fresh.querySelector('input').checked = old.querySelector('input').checked;
      fresh.className = 'updated';
      body.replaceChild(fresh, old);
    });
    applyFilter();
  }

  async function trialCharts() {
    const epochs = (await getJson(api + '/epochs?trial=' + encodeURIComponent(trial)))[trial] || [];
    const points = await getJson(api + '/trials/' + encodeURIComponent(trial) + '/points');
    const xs = epochs.map(e => e.epoch);
    draw(document.getElementById('chart-epochs-acc'), 'Accuracy per epoch', 'epoch', 'accuracy (fraction)',
      [{ label: 'train', xs: xs, ys: epochs.map(e => e.trainAccuracy) }, { label: 'test', xs: xs, ys: epochs.map(e => e.testAccuracy) }]);
    draw(document.getElementById('chart-epochs-loss'), 'Loss per epoch', 'epoch', 'cross-entropy loss',
      [{ label: 'train', xs: xs, ys: epochs.map(e => e.trainLoss) }, { label: 'test', xs: xs, ys: epochs.map(e => e.testLoss) }]);
    const measured = points.filter(p => p.step >= 1);
    draw(document.getElementById('chart-distance'), '‖w_t − w₀‖ vs updates', 'weight updates t (log axis)', '‖w_t − w₀‖ (L2, all weights)',
      [{ label: '‖w_t − w₀‖', xs: measured.map(p => p.step), ys: measured.map(p => p.weightDistance) }], true);
    const at = (field) => measured.filter(p => p[field] !== null);
    draw(document.getElementById('chart-steps'), 'Gradient norm and step length', 'weight updates t (log axis)', 'L2 norm',
      [{ label: 'gradient norm ‖g_t‖', xs: at('gradientNorm').map(p => p.step), ys: at('gradientNorm').map(p => p.gradientNorm) },
       { label: 'step length ‖w_t+1 − w_t‖', xs: at('stepLength').map(p => p.step), ys: at('stepLength').map(p => p.stepLength) }], true);
    const layers = await getJson(api + '/trials/' + encodeURIComponent(trial) + '/layers');
    draw(document.getElementById('chart-layers'), 'Distance from initialization per layer', 'weight updates t (log axis)', '‖w_t − w₀‖ of the tensor (L2)',
      Object.keys(layers).map(name => ({ label: name, xs: layers[name].filter(p => p.step >= 1).map(p => p.step), ys: layers[name].filter(p => p.step >= 1).map(p => p.weightDistance) })), true);
  }

  // The trial page's tables are the server's: fetch the page and swap them in.
  async function refreshTrialTables() {
    const response = await fetch(location.href, { cache: 'no-store' });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    ['parameters', 'epochs', 'flatness', 'attempts', 'log'].forEach(id => {
      const fresh = page.getElementById(id), old = document.getElementById(id);
      if (fresh && old) old.replaceWith(fresh);
    });
  }

  // pushed: the stream has just sent the lines that changed ("rows"), so the table is not fetched.
  async function refresh(pushed) {
    try {
      if (trial) { await refreshTrialTables(); await trialCharts(); }
      else { if (!pushed) await refreshRows(); await sweepCharts(); await figures(); }
      hideBanner();
    } catch (e) {
      showBanner('Could not read the dashboard\'s data: ' + e.message + '. Retrying when the store changes.');
    }
  }

  if (!trial) {
    // ?trials=ID,ID ticks those trials: a link that opens with their curves drawn.
    const wanted = (new URLSearchParams(location.search).get('trials') || '').split(',');
    document.querySelectorAll('#trials tbody tr').forEach(r => { if (wanted.includes(r.dataset.trial)) r.querySelector('input').checked = true; });
    makeSortable(document.getElementById('trials'));
    document.getElementById('filter').addEventListener('input', applyFilter);
    document.querySelector('#trials tbody').addEventListener('change', () => sweepCharts().catch(e => showBanner(e.message)));
  }

  // The sweep page asks for the changed lines with each update (after the first, which fetches them all).
  const events = new EventSource(api + '/events' + (trial ? '' : '?rows=1'));
  let pushed = false;
  // Each update, and each push of lines, is counted on the body (data-updates, data-pushes), so a test or
  // a curious user can see them arrive.
  events.addEventListener('rows', e => {
    applyRows(JSON.parse(e.data)); pushed = true;
    document.body.dataset.pushes = String(Number(document.body.dataset.pushes || 0) + 1);
  });
  events.addEventListener('update', () => {
    document.body.dataset.updates = String(Number(document.body.dataset.updates || 0) + 1);
    const rowsCame = pushed; pushed = false;
    refresh(rowsCame);
  });
  events.addEventListener('outage', e => showBanner('The store is not answering: ' + JSON.parse(e.data) + '. Retrying…'));
  events.onerror = () => showBanner('Lost the connection to sweepgrid serve; reconnecting…');
  events.onopen = () => { if (banner.textContent.startsWith('Lost the connection')) hideBanner(); };
})();
