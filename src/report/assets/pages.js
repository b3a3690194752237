// gpuscope report: tabs, the details panels under the timeline and the
// summary pages (charts, findings, layers, stats). Every trace string is
// set with textContent (el() below), never parsed as HTML.
'use strict';

(function () {
  const D = GS.data;

  // el('div', {class: 'x'}, 'text', child...) -> element; strings become text nodes.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'onclick') e.addEventListener('click', v);
      else if (k === 'style') e.style.cssText = v;
      else e.setAttribute(k, v);
    }
    for (const k of kids) if (k !== null && k !== undefined) e.appendChild(typeof k === 'string' || typeof k === 'number' ? document.createTextNode(String(k)) : k);
    return e;
  }
  GS.el = el;

  function showPage(name) {
    document.querySelectorAll('#gs-tabs button').forEach((b) => b.classList.toggle('active', b.dataset.page === name));
    document.querySelectorAll('.gs-page').forEach((p) => p.classList.toggle('active', p.id === 'page-' + name));
    if (name === 'timeline' && GS.timeline) GS.timeline.resize();
    if (name === 'summary') drawCharts();
  }
  GS.showPage = showPage;
  document.querySelectorAll('#gs-tabs button').forEach((b) => b.addEventListener('click', () => showPage(b.dataset.page)));

  // Jumps to [start, end] in trace ns (a finding, a longest kernel).
  function showOnTimeline(start, end, select) {
    showPage('timeline');
    const t = GS.timeline;
    t.mark = { t0: start - D.t0, t1: end - D.t0 };
    if (select !== undefined && select >= 0) t.reveal(select);
    else t.show(start - D.t0, end - D.t0);
  }
  GS.showOnTimeline = showOnTimeline;

  // ---- panels under the timeline --------------------------------------------
  function kv(label, value) { return el('div', { class: 'gs-kv' }, el('span', {}, label), el('b', {}, value)); }

  function gpuBusyShare() {
    return (D.temporal || []).map((t) => ({ device: t.device, busy: t.span > 0 ? 1 - t.idle / t.span : 0, idle: t.idle, span: t.span }));
  }

  function overviewPanel() {
    const p = document.getElementById('gs-selection');
    const kids = [el('h3', {}, 'Trace overview')];
    kids.push(kv('GPU span', GS.fmtDur(D.gpu_span[1] - D.gpu_span[0])));
    for (const g of gpuBusyShare()) kids.push(kv('GPU ' + g.device + ' busy', GS.fmtPct(g.busy) + ' (idle ' + GS.fmtDur(g.idle) + ')'));
    kids.push(kv('events', D.events.toLocaleString()));
    const list = el('ol', { class: 'gs-longest' });
    (D.longest || []).slice(0, 5).forEach((L) => {
      const i = L.event;
      list.appendChild(el('li', {}, el('a', { href: '#', onclick: (e) => { e.preventDefault(); GS.timeline.reveal(i); } },
        GS.fmtDur(L.dur)), ' ', D.strings[GS.ev.name[i]], GS.ev.layer[i] ? el('span', { class: 'gs-layer' }, ' · ' + D.strings[GS.ev.layer[i]]) : null));
    });
    if (list.children.length) kids.push(el('div', { class: 'gs-sub' }, 'Longest kernels (#1-#5 marked on the timeline)'), list);
    p.replaceChildren(...kids);
  }

  // Colour key: the utilisation row and the layers by kernel time, with
  // the swatch colour their bands have on the timeline.
  function legendPanel() {
    const p = document.getElementById('gs-legend');
    const kids = [el('h3', {}, 'Key')];
    const row = (color, name, value) => el('div', { class: 'gs-legend-row' }, el('span', { class: 'gs-swatch', style: 'background:' + color }), el('span', { class: 'gs-lname' }, name), value ? el('span', { class: 'gs-lval' }, value) : null);
    kids.push(row('#3f9a55', 'GPU busy (bar height: share of each pixel)'), row('#e0483e', 'GPU idle gap of ' + GS.fmtDur(D.gap_min_ns) + ' or more'));
    if (D.layers && D.layers.rows.some((r) => r.source !== 'none')) {
      kids.push(el('div', { class: 'gs-sub' }, 'Layers ("layers" rows above each stream), by kernel time'));
      for (const r of D.layers.rows.slice(0, 8)) kids.push(row(GS.layerColor(r.layer), r.layer, r.pct.toFixed(1) + ' %'));
      if (D.layers.rows.length > 8) kids.push(el('div', { class: 'gs-sub' }, (D.layers.rows.length - 8) + ' more on the Layers page'));
    }
    p.replaceChildren(...kids);
  }

  function selectionPanel(i) {
    if (i < 0) { overviewPanel(); return; }
    const ev = GS.ev, S = D.strings, p = document.getElementById('gs-selection');
    const kids = [el('h3', {}, GS.KIND[ev.kind[i]]), el('div', { class: 'gs-name' }, S[ev.name[i]] || '(unnamed)')];
    kids.push(kv('start', GS.fmtDur(ev.start[i])), kv('duration', GS.fmtDur(ev.dur[i])));
    if (ev.info[i]) kids.push(kv('details', S[ev.info[i]]));
    if (ev.layer[i]) kids.push(kv('layer', S[ev.layer[i]]));
    const tr = D.tracks[ev.trackOf[i]];
    kids.push(kv('row', tr.group + ' · ' + tr.name));
    const l = ev.link[i];
    if (l >= 0) {
      const what = ev.kind[i] === 3 ? 'launched' : 'launched by';
      kids.push(el('div', { class: 'gs-kv' }, el('span', {}, what),
        el('a', { href: '#', id: 'gs-link', onclick: (e) => { e.preventDefault(); GS.timeline.reveal(l); } }, S[ev.name[l]])));
    }
    // Hardware metrics of the profiled kernels of this name (gpuscope kernels
    // or ncu, given with --kernel-metrics), when the report has them.
    const km = D.kernel_metrics, rows = km ? km.by_name[S[ev.name[i]]] : null;
    for (const row of rows || []) {
      kids.push(el('h4', { class: 'gs-metrics' }, 'Hardware metrics, profiled kernel ' + row[0]));
      row.forEach((v, k) => { if (v !== '' && k > 0 && km.header[k] !== 'Name') kids.push(kv(km.header[k], v)); });
    }
    // ncu's rules for those kernels: type, rule and estimate, then the text.
    const kr = D.kernel_rules, rules = kr ? kr.by_name[S[ev.name[i]]] : null;
    if (rules && rules.length) kids.push(el('h4', { class: 'gs-metrics' }, 'Guidance (ncu rules)'));
    for (const r of rules || []) {
      kids.push(el('div', { class: 'gs-rule' },
        el('b', {}, r[1] + ' ' + r[2] + (r[3] ? ' · ' + r[3] : '') + ' (kernel ' + r[0] + ')'),
        el('div', { class: 'gs-sub' }, r[4])));
    }
    p.replaceChildren(...kids);
  }

  function rangePanel(r) {
    const p = document.getElementById('gs-range');
    if (!r) {
      p.replaceChildren(el('h3', {}, 'Time range'), el('div', { class: 'gs-sub' }, 'Shift+drag on the timeline (or drag on the time ruler) to summarise a range.'));
      return;
    }
    const s = GS.rangeSummary(r.t0, r.t1);
    const kids = [el('h3', {}, 'Range ' + GS.fmtDur(r.t1 - r.t0)), el('div', { class: 'gs-sub' }, GS.fmtDur(r.t0) + ' to ' + GS.fmtDur(r.t1))];
    for (const b of s.busy) kids.push(kv(b.name + ' busy', GS.fmtPct(b.share)));
    s.byKind.forEach((v, k) => { if (s.countKind[k]) kids.push(kv(GS.KIND[k], s.countKind[k] + ' · ' + GS.fmtDur(v))); });
    if (s.top.length) {
      const t = el('table', { class: 'gs-table gs-compact' }, el('tr', {}, el('th', {}, 'GPU op'), el('th', { class: 'num' }, 'time in range')));
      for (const x of s.top) t.appendChild(el('tr', {}, el('td', { class: 'gs-clip' }, x.name), el('td', { class: 'num' }, GS.fmtDur(x.time))));
      kids.push(t);
    }
    p.replaceChildren(...kids);
  }

  // ---- summary page ---------------------------------------------------------------
  function card(title, value, sub) { return el('div', { class: 'gs-card' }, el('div', { class: 'gs-card-t' }, title), el('div', { class: 'gs-card-v' }, value), sub ? el('div', { class: 'gs-sub' }, sub) : null); }

  function buildSummary() {
    const page = document.getElementById('page-summary');
    const cards = el('div', { class: 'gs-cards' });
    cards.appendChild(card('GPU span', GS.fmtDur(D.gpu_span[1] - D.gpu_span[0]), D.source));
    for (const g of gpuBusyShare()) cards.appendChild(card('GPU ' + g.device + ' utilisation', GS.fmtPct(g.busy), 'idle ' + GS.fmtDur(g.idle)));
    cards.appendChild(card('kernels', D.counts.kernels.toLocaleString(), D.counts.memcpys + ' copies, ' + D.counts.memsets + ' memsets'));
    cards.appendChild(card('findings', String(D.findings.length), D.findings.length ? D.findings[0].title : 'none'));
    page.replaceChildren(cards,
      el('h2', {}, 'GPU utilisation over time'), el('div', { class: 'gs-sub' }, 'Share of each bin in which the GPU ran a kernel, copy or memset. Click to open that time on the timeline.'),
      el('canvas', { id: 'gs-util-chart', class: 'gs-chart', height: '180' }),
      el('div', { class: 'gs-two' },
        el('div', {}, el('h2', {}, 'Kernel time by category'), el('canvas', { id: 'gs-cat-chart', class: 'gs-chart', height: '220' })),
        el('div', {}, el('h2', {}, 'Top kernels by total time'), el('canvas', { id: 'gs-top-chart', class: 'gs-chart', height: '320' }))),
      el('h2', {}, 'Longest kernel executions'), longestTable());
    document.getElementById('gs-util-chart').addEventListener('click', (e) => {
      const r = e.target.getBoundingClientRect(), f = (e.clientX - r.left - 40) / (r.width - 50);
      if (f < 0 || f > 1) return;
      const w = (D.t1 - D.t0) / D.utilisation.bins, t = D.t0 + f * (D.t1 - D.t0);
      showOnTimeline(t - 2 * w, t + 2 * w);
    });
  }

  function longestTable() {
    const t = el('table', { class: 'gs-table' }, el('tr', {}, el('th', {}, '#'), el('th', { class: 'num' }, 'duration'), el('th', { class: 'num' }, 'start'), el('th', {}, 'kernel'), el('th', {}, 'layer'), el('th', {}, '')));
    (D.longest || []).forEach((L, k) => {
      const i = L.event;
      t.appendChild(el('tr', {}, el('td', {}, String(k + 1)), el('td', { class: 'num' }, GS.fmtDur(L.dur)), el('td', { class: 'num' }, GS.fmtDur(GS.ev.start[i])),
        el('td', { class: 'gs-clip' }, D.strings[GS.ev.name[i]]), el('td', { class: 'gs-clip' }, GS.ev.layer[i] ? D.strings[GS.ev.layer[i]] : ''),
        el('td', {}, el('a', { href: '#', onclick: (e) => { e.preventDefault(); showOnTimeline(D.t0 + GS.ev.start[i], D.t0 + GS.ev.start[i] + L.dur, i); } }, 'show'))));
    });
    return t;
  }

  function setupCanvas(id) {
    const cv = document.getElementById(id);
    if (!cv || !cv.offsetWidth) return null;
    const dpr = window.devicePixelRatio || 1, w = cv.offsetWidth, h = Number(cv.getAttribute('height'));
    cv.width = w * dpr; cv.height = h * dpr; cv.style.height = h + 'px';
    const c = cv.getContext('2d');
    c.setTransform(dpr, 0, 0, dpr, 0, 0);
    c.font = '11px system-ui, sans-serif';
    c.textBaseline = 'middle';
    return { c, w, h };
  }

  function drawUtil() {
    const s = setupCanvas('gs-util-chart');
    if (!s) return;
    const { c, w, h } = s, L = 40, R = 10, T = 8, B = 22;
    c.clearRect(0, 0, w, h);
    c.strokeStyle = '#d5dae0'; c.fillStyle = '#5b6672';
    for (const v of [0, 0.5, 1]) {
      const y = T + (1 - v) * (h - T - B);
      c.beginPath(); c.moveTo(L, y); c.lineTo(w - R, y); c.stroke();
      c.fillText(Math.round(v * 100) + '%', 4, y);
    }
    const series = D.utilisation.series, bins = D.utilisation.bins;
    series.forEach((sr, k) => {
      c.fillStyle = k === 0 ? 'rgba(90,164,105,0.55)' : GS.nameColor(sr.name, 50, 55);
      c.strokeStyle = k === 0 ? '#3d7d4b' : c.fillStyle;
      c.beginPath(); c.moveTo(L, h - B);
      sr.busy.forEach((v, i) => { const x = L + (i + 0.5) * (w - L - R) / bins; c.lineTo(x, T + (1 - v) * (h - T - B)); });
      c.lineTo(w - R, h - B); c.closePath();
      if (series.length === 1) c.fill();
      c.stroke();
    });
    c.fillStyle = '#5b6672';
    for (let k = 0; k <= 4; k++) c.fillText(GS.fmtDur(k / 4 * (D.t1 - D.t0)), L + k / 4 * (w - L - R) - (k === 4 ? 50 : 0), h - 9);
  }

  // Horizontal bars: rows [{label, value, color, note}].
  function drawBars(id, rows, fmt) {
    const s = setupCanvas(id);
    if (!s) return;
    const { c, w, h } = s;
    c.clearRect(0, 0, w, h);
    if (!rows.length) { c.fillStyle = '#5b6672'; c.fillText('no kernels in this trace', 8, 14); return; }
    const labelW = Math.min(260, w * 0.42), barH = Math.min(22, (h - 4) / rows.length), max = Math.max(...rows.map((r) => r.value), 1);
    rows.forEach((r, k) => {
      const y = 2 + k * barH, bw = (w - labelW - 150) * r.value / max;
      c.fillStyle = '#2a3542';
      const room = Math.floor((labelW - 8) / 6.2), lab = r.label.length > room ? r.label.slice(0, room - 1) + '…' : r.label;
      c.fillText(lab, 4, y + barH / 2);
      c.fillStyle = r.color;
      c.fillRect(labelW, y + 3, Math.max(1, bw), barH - 6);
      c.fillStyle = '#2a3542';
      c.fillText(fmt(r), labelW + bw + 6, y + barH / 2);
    });
  }

  function drawCharts() {
    drawUtil();
    const total = D.categories.reduce((a, r) => a + r.total, 0) || 1;
    drawBars('gs-cat-chart', D.categories.map((r) => ({ label: r.name + ' (' + r.count + ')', value: r.total, color: GS.nameColor(r.name, 55, 55) })),
      (r) => GS.fmtDur(r.value) + ' · ' + GS.fmtPct(r.value / total));
    drawBars('gs-top-chart', D.top_kernels.map((r) => ({ label: r.name, value: r.total, color: GS.nameColor(r.name, 62, 52), count: r.count })),
      (r) => GS.fmtDur(r.value) + ' · ' + r.count + '×');
  }

  // ---- findings page -------------------------------------------------------------------
  function buildFindings() {
    const page = document.getElementById('page-findings');
    if (!D.findings.length) { page.replaceChildren(el('h2', {}, 'Findings'), el('p', {}, 'No findings: nothing the rules look for was found.')); return; }
    const kids = [el('h2', {}, 'Findings (' + D.findings.length + '), by estimated gain')];
    D.findings.forEach((f, k) => {
      const ev = el('ul', { class: 'gs-evidence' });
      for (const e of f.evidence) ev.appendChild(el('li', {}, e.name + ': ' + (e.unit === 'ns' ? GS.fmtDur(e.value) : e.value.toLocaleString() + (e.unit === '%' ? ' %' : e.unit && e.unit !== 'count' ? ' ' + e.unit : ''))));
      const inst = el('ol', { class: 'gs-instances' });
      for (const x of f.instances.slice(0, 10)) {
        inst.appendChild(el('li', {}, el('a', { href: '#', onclick: (e) => { e.preventDefault(); showOnTimeline(x.start, x.end); } }, GS.fmtDur(x.end - x.start) + ' at ' + GS.fmtDur(x.start - D.t0)), ' ', x.what));
      }
      kids.push(el('div', { class: 'gs-finding sev-' + f.severity, id: 'finding-' + k },
        el('div', { class: 'gs-finding-h' }, el('span', { class: 'gs-sev' }, f.severity), ' ', el('b', {}, f.title), ' ',
          el('a', { href: '#', class: 'gs-show', onclick: (e) => { e.preventDefault(); showOnTimeline(f.start, f.end); } }, 'show on timeline')),
        el('div', { class: 'gs-sub' }, f.rule + ' · estimated gain ' + GS.fmtDur(f.gain_ns) + ' (' + f.gain_pct.toFixed(2) + ' % of the GPU span) · ' + f.instance_count + ' instance(s)'),
        el('p', {}, f.suggestion), ev, f.kernels.length ? el('div', { class: 'gs-sub gs-clip' }, 'kernels: ' + f.kernels.slice(0, 3).map((k) => k.length > 90 ? k.slice(0, 89) + '…' : k).join(' · ') + (f.kernels.length > 3 ? ' (+' + (f.kernels.length - 3) + ' more)' : '')) : null, inst));
    });
    page.replaceChildren(...kids);
  }

  // ---- layers page -----------------------------------------------------------------------
  function buildLayers() {
    const page = document.getElementById('page-layers');
    const L = D.layers;
    if (!L) { page.replaceChildren(el('h2', {}, 'Layers'), el('p', {}, 'No layer information: the trace has no NVTX layer ranges, CUDA-graph node names or framework ops linked to kernels.')); return; }
    const t = el('table', { class: 'gs-table' }, el('tr', {}, ...['layer', 'source', 'kernels', 'calls', 'total', '%', 'median', 'top kernel'].map((h, k) => el('th', { class: k >= 2 && k <= 6 ? 'num' : '' }, h))));
    const max = Math.max(...L.rows.map((r) => r.total), 1);
    for (const r of L.rows) {
      t.appendChild(el('tr', {}, el('td', { class: 'gs-clip' }, el('span', { class: 'gs-swatch', style: 'background:' + GS.layerColor(r.layer) }), r.layer), el('td', {}, r.source),
        el('td', { class: 'num' }, String(r.kernels)), el('td', { class: 'num' }, String(r.calls)), el('td', { class: 'num' }, GS.fmtDur(r.total)),
        el('td', { class: 'num' }, el('span', { class: 'gs-bar', style: 'width:' + Math.round(60 * r.total / max) + 'px' }), ' ' + r.pct.toFixed(1)),
        el('td', { class: 'num' }, GS.fmtDur(r.median)), el('td', { class: 'gs-clip' }, r.top_kernel)));
    }
    page.replaceChildren(el('h2', {}, 'Kernel time by layer'),
      el('div', { class: 'gs-sub' }, L.rows.length + ' layers · ' + L.iterations + ' iteration(s)' + (L.iteration_name ? ' of ' + L.iteration_name : '') + ' · kernel time ' + GS.fmtDur(L.total) + '. On the timeline, each stream\'s "layers" row shows which layer its kernels belong to.'), t);
  }

  // ---- stats page -------------------------------------------------------------------------
  function buildStats() {
    const page = document.getElementById('page-stats');
    const kids = [el('h2', {}, 'Stats reports (as gpuscope stats / nsys stats; times in us)')];
    for (const r of D.stats) {
      kids.push(el('h3', {}, r.title + ' (' + r.name + ')'));
      if (r.skipped) { kids.push(el('div', { class: 'gs-sub' }, r.skipped)); continue; }
      const t = el('table', { class: 'gs-table' }, el('tr', {}, ...r.header.map((h, k) => el('th', { class: r.numeric[k] ? 'num' : '' }, h))));
      for (const row of r.rows) t.appendChild(el('tr', {}, ...row.map((v, k) => el('td', { class: r.numeric[k] ? 'num' : 'gs-clip' }, v))));
      kids.push(el('div', { class: 'gs-scroll' }, t));
      if (r.row_count > r.rows.length) kids.push(el('div', { class: 'gs-sub' }, (r.row_count - r.rows.length) + ' more rows not shown; run gpuscope stats for all.'));
    }
    page.replaceChildren(...kids);
  }

  function fail(err) {
    const box = document.getElementById('gs-error');
    box.hidden = false;
    box.textContent = 'This report could not be displayed: ' + (err && err.message ? err.message : err) +
      (typeof DecompressionStream === 'undefined' ? ' (this browser lacks DecompressionStream; use a current Chrome, Edge, Firefox or Safari)' : '');
    throw err;
  }

  async function main() {
    document.getElementById('gs-title').textContent = D.title + (D.source_format ? ' · ' + D.source_format : '');
    try { await GS.decode(); } catch (e) { fail(e); }
    const t = new GS.Timeline(document.getElementById('gs-canvas'));
    GS.timeline = t;
    t.onSelect = selectionPanel;
    t.onRange = rangePanel;
    document.getElementById('gs-empty').hidden = D.events > 0;
    overviewPanel();
    legendPanel();
    rangePanel(null);
    const search = document.getElementById('gs-search'), info = document.getElementById('gs-search-info');
    let timer = 0;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => { const n = t.setSearch(search.value); info.textContent = search.value.trim() ? n.toLocaleString() + ' matching events' : ''; }, 150);
    });
    search.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      clearTimeout(timer);
      t.setSearch(search.value);
      const i = t.nextMatch();
      if (i >= 0) t.reveal(i);
    });
    document.getElementById('gs-reset').addEventListener('click', () => { t.mark = null; t.reset(); });
    buildSummary();
    buildFindings();
    buildLayers();
    buildStats();
    t.draw();
    GS.firstPaintMs = performance.now();
    document.body.dataset.ready = '1';
  }
  main();
})();
