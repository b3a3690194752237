// gpuscope report: data decoding and the canvas timeline. Plain JS, no
// libraries. Trace strings only ever reach the page through textContent or
// canvas fillText, never as HTML.
'use strict';

const GS = (window.GS = {});
GS.KIND = ['kernel', 'memcpy', 'memset', 'CUDA API', 'NVTX', 'OS runtime', 'framework op', 'layer',
  'GPU busy', 'GPU idle', 'annotation'];
GS.data = JSON.parse(document.getElementById('gs-data').textContent);

// ---- formatting -----------------------------------------------------------
GS.fmtDur = function (ns) {
  const a = Math.abs(ns);
  if (a >= 1e9) return (ns / 1e9).toFixed(3) + ' s';
  if (a >= 1e6) return (ns / 1e6).toFixed(3) + ' ms';
  if (a >= 1e3) return (ns / 1e3).toFixed(3) + ' us';
  return Math.round(ns) + ' ns';
};
GS.fmtPct = (x) => (100 * x).toFixed(1) + ' %';

// Stable colour per name: FNV-1a hash of the text -> hue.
GS.hash = function (s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
};
GS.layerColor = (s) => GS.nameColor(s, 60, 74);
GS.nameColor = function (s, sat, light) {
  const h = GS.hash(s);
  return 'hsl(' + (h % 360) + ',' + (sat - (h >>> 9) % 12) + '%,' + (light - (h >>> 17) % 10) + '%)';
};

// ---- decoding ---------------------------------------------------------------
// The blob: base64 of gzip of varint columns (src/report/columnar.h).
GS.decode = async function () {
  const d = GS.data;
  const b64 = document.getElementById('gs-blob').textContent.trim();
  const bin = atob(b64);
  const packed = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) packed[i] = bin.charCodeAt(i);
  let raw;
  if (packed.length === 0) raw = new Uint8Array(0);
  else {
    const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
    raw = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  const n = d.events;
  const ev = {
    start: new Float64Array(n), dur: new Float64Array(n), name: new Uint32Array(n), info: new Uint32Array(n),
    layer: new Uint32Array(n), kind: new Uint8Array(n), depth: new Uint16Array(n), link: new Int32Array(n),
  };
  let pos = 0;
  for (const col of d.columns) {
    const out = ev[col.name];
    if (!out || col.length !== n) throw new Error('report data: column ' + col.name + ' has ' + col.length + ' values, expected ' + n);
    for (let i = 0; i < n; i++) {
      let v = 0, mul = 1, b;
      do {
        if (pos >= raw.length) throw new Error('report data: truncated in column ' + col.name);
        b = raw[pos++];
        v += (b & 127) * mul;
        mul *= 128;
      } while (b & 128);
      out[i] = v;
    }
  }
  for (let i = 0; i < n; i++) ev.link[i] -= 1;
  // Starts are deltas within each track; make them offsets from t0.
  for (const tr of d.tracks) {
    let t = 0, maxDur = 0;
    for (let i = tr.first; i < tr.first + tr.count; i++) {
      t += ev.start[i];
      ev.start[i] = t;
      if (ev.dur[i] > maxDur) maxDur = ev.dur[i];
    }
    tr.maxDur = maxDur;
  }
  ev.trackOf = new Uint32Array(n);
  d.tracks.forEach((tr, k) => ev.trackOf.fill(k, tr.first, tr.first + tr.count));
  GS.ev = ev;
  GS.span = Math.max(1, d.t1 - d.t0);
  return ev;
};

// ---- timeline -----------------------------------------------------------------
const LABEL_W = 250, RULER_H = 24, GROUP_H = 20, LANE_H = 18;

class Timeline {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.view = { t0: 0, t1: GS.span };  // ns from data.t0
    this.scrollY = 0;
    this.selected = -1;
    this.range = null;       // {t0, t1} selected time range
    this.mark = null;        // {t0, t1} highlighted range (a finding)
    this.matches = null;     // Uint8Array per string id when searching
    this.hover = -1;
    this.colorCache = new Map();
    this.layout();
    this.bind();
    this.resize();
  }

  // Rows: a group header when the group changes, then each track's lanes.
  layout() {
    const rows = [];
    let y = 0, group = null;
    GS.data.tracks.forEach((tr, k) => {
      if (tr.group !== group) {
        group = tr.group;
        rows.push({ header: group, y, h: GROUP_H });
        y += GROUP_H;
      }
      const laneH = tr.kind === 8 ? 18 : tr.kind === 0 ? 24 : LANE_H;
      const h = Math.max(1, tr.lanes) * laneH + 4;
      rows.push({ track: k, y, h, laneH });
      tr.row = rows[rows.length - 1];
      y += h;
    });
    this.rows = rows;
    this.contentH = y;
  }

  resize() {
    // The rows take the height they need (the panels below get the rest),
    // up to the window.
    this.canvas.parentElement.style.flex = '0 1 ' + (this.contentH + RULER_H + 6) + 'px';
    const r = this.canvas.parentElement.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.w = Math.max(300, Math.floor(r.width));
    this.h = Math.max(150, Math.floor(r.height));
    this.canvas.width = this.w * dpr;
    this.canvas.height = this.h * dpr;
    this.canvas.style.width = this.w + 'px';
    this.canvas.style.height = this.h + 'px';
    this.ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.clampScroll();
    this.draw();
  }

  plotW() { return this.w - LABEL_W; }
  xOf(t) { return LABEL_W + (t - this.view.t0) * this.plotW() / (this.view.t1 - this.view.t0); }
  tOf(x) { return this.view.t0 + (x - LABEL_W) * (this.view.t1 - this.view.t0) / this.plotW(); }
  clampScroll() {
    const max = Math.max(0, this.contentH - (this.h - RULER_H));
    this.scrollY = Math.min(max, Math.max(0, this.scrollY));
  }

  setView(t0, t1) {
    const minW = 50;  // ns
    if (t1 - t0 < minW) { const c = (t0 + t1) / 2; t0 = c - minW / 2; t1 = c + minW / 2; }
    const pad = GS.span * 0.05;
    const w = t1 - t0;
    if (w > GS.span + 2 * pad) { t0 = -pad; t1 = GS.span + pad; }
    if (t0 < -pad) { t1 += -pad - t0; t0 = -pad; }
    if (t1 > GS.span + pad) { t0 -= t1 - GS.span - pad; t1 = GS.span + pad; }
    this.view = { t0, t1 };
    this.requestDraw();
  }
  zoom(factor, atX) {
    const t = this.tOf(atX === undefined ? LABEL_W + this.plotW() / 2 : atX);
    this.setView(t - (t - this.view.t0) * factor, t + (this.view.t1 - t) * factor);
  }
  pan(fraction) {
    const d = (this.view.t1 - this.view.t0) * fraction;
    this.setView(this.view.t0 + d, this.view.t1 + d);
  }
  reset() { this.setView(0, GS.span); }
  // Zooms to [t0, t1] (ns from data.t0) with a margin on each side.
  show(t0, t1) {
    const m = Math.max((t1 - t0) * 0.03, 200);
    this.setView(t0 - m, t1 + m);
  }
  // Brings event i into view (time and rows) and selects it.
  reveal(i) {
    const ev = GS.ev;
    const vw = this.view.t1 - this.view.t0;
    if (ev.start[i] + ev.dur[i] < this.view.t0 || ev.start[i] > this.view.t1 || ev.dur[i] > vw) {
      const w = Math.max(ev.dur[i] * 4, Math.min(vw, Math.max(ev.dur[i] * 40, 20000)));
      const c = ev.start[i] + ev.dur[i] / 2;
      this.setView(c - w / 2, c + w / 2);
    }
    const row = GS.data.tracks[ev.trackOf[i]].row;
    const top = row.y + ev.depth[i] * row.laneH, visH = this.h - RULER_H;
    if (top < this.scrollY || top + row.laneH > this.scrollY + visH) {
      this.scrollY = top - visH / 3;
      this.clampScroll();
    }
    this.select(i);
  }
  select(i) {
    this.selected = i;
    this.requestDraw();
    if (this.onSelect) this.onSelect(i);
  }

  setSearch(q) {
    q = q.trim().toLowerCase();
    if (!q) { this.matches = null; this.requestDraw(); return 0; }
    const s = GS.data.strings, m = new Uint8Array(s.length);
    for (let k = 1; k < s.length; k++) if (s[k].toLowerCase().includes(q)) m[k] = 1;
    this.matches = m;
    this.requestDraw();
    let count = 0;
    const name = GS.ev.name;
    for (let i = 0; i < name.length; i++) count += m[name[i]];
    return count;
  }
  // Next event (by start time, after the selected one) whose name matches.
  nextMatch() {
    if (!this.matches) return -1;
    const ev = GS.ev, m = this.matches, after = this.selected >= 0 ? ev.start[this.selected] : -Infinity;
    let best = -1, first = -1;
    for (let i = 0; i < ev.name.length; i++) {
      if (!m[ev.name[i]]) continue;
      const s = ev.start[i];
      if ((s > after || (s === after && i > this.selected)) && (best < 0 || s < ev.start[best])) best = i;
      if (first < 0 || s < ev.start[first]) first = i;
    }
    return best >= 0 ? best : first;
  }

  color(i) {
    const ev = GS.ev, k = ev.kind[i];
    if (k === 8) return '#3f9a55';
    if (k === 9) return '#ec7d72';
    if (k === 1) return '#e39b2d';
    if (k === 2) return '#9a8f80';
    const key = k * 4294967296 + ev.name[i];
    let c = this.colorCache.get(key);
    if (!c) {
      const s = GS.data.strings[ev.name[i]];
      if (k === 3) c = GS.nameColor(s, 30, 70);
      else if (k === 7) c = GS.layerColor(s);
      else if (k === 4 || k === 6 || k === 10) c = GS.nameColor(s, 40, 72);
      else if (k === 5) c = GS.nameColor(s, 15, 70);
      else c = GS.nameColor(s, 62, 52);
      this.colorCache.set(key, c);
    }
    return c;
  }

  requestDraw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => { this.pending = false; this.draw(); });
  }

  // First event index of a track that can still overlap time t.
  firstVisible(tr, t) {
    const s = GS.ev.start;
    let lo = tr.first, hi = tr.first + tr.count;
    const key = t - tr.maxDur;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (s[mid] < key) lo = mid + 1; else hi = mid; }
    return lo;
  }

  draw() {
    const c = this.ctx, ev = GS.ev, W = this.w, H = this.h;
    this.drawCount = (this.drawCount || 0) + 1;
    c.fillStyle = '#ffffff';
    c.fillRect(0, 0, W, H);
    c.font = '11px system-ui, sans-serif';
    c.textBaseline = 'middle';
    const scale = this.plotW() / (this.view.t1 - this.view.t0);
    const v0 = this.view.t0, v1 = this.view.t1;
    const top = RULER_H - this.scrollY;
    const pos = new Map();  // event -> rect, for selection outlines
    const wanted = new Set([this.selected, this.selected >= 0 ? ev.link[this.selected] : -1, this.hover]);
    for (const row of this.rows) {
      const y = top + row.y;
      if (y + row.h < RULER_H || y > H) continue;
      if (row.header !== undefined) {
        c.fillStyle = '#eef1f5';
        c.fillRect(0, y, W, row.h);
        c.fillStyle = '#1d2b3a';
        c.font = 'bold 12px system-ui, sans-serif';
        c.fillText(row.header, 6, y + row.h / 2);
        c.font = '11px system-ui, sans-serif';
        continue;
      }
      const tr = GS.data.tracks[row.track];
      c.save();
      c.beginPath();
      c.rect(LABEL_W, y, W - LABEL_W, row.h);
      c.clip();
      this.drawTrack(tr, row, y, v0, v1, scale, pos, wanted);
      c.restore();
      c.fillStyle = '#fafbfc';
      c.fillRect(0, y, LABEL_W, row.h);
      c.fillStyle = '#44505c';
      c.fillText(tr.name, 16, y + Math.min(row.h, 20) / 2);
      c.strokeStyle = '#e6e9ed';
      c.beginPath(); c.moveTo(0, y + row.h - 0.5); c.lineTo(W, y + row.h - 0.5); c.stroke();
    }
    this.drawOverlays(pos, top);
    this.drawRuler();
  }

  // The utilisation row: per pixel column, a green bar as tall as the
  // share of that column's time the GPU was busy (exact coverage, so a
  // 94 %-busy second looks 94 % full at any zoom), then idle gaps wide
  // enough to label drawn over it in red.
  drawUtilisation(tr, row, y, v0, v1, scale) {
    const c = this.ctx, ev = GS.ev, W = Math.ceil(this.plotW());
    const cover = new Float64Array(W + 1);
    const end = tr.first + tr.count;
    for (let i = this.firstVisible(tr, v0); i < end; i++) {
      const s = ev.start[i];
      if (s > v1) break;
      if (ev.kind[i] !== 8) continue;
      const e = s + ev.dur[i];
      if (e < v0) continue;
      let x0 = Math.max(0, (s - v0) * scale), x1 = Math.min(W, (e - v0) * scale);
      while (x0 < x1) {
        const px = Math.floor(x0), nx = Math.min(x1, px + 1);
        cover[px] += nx - x0;
        x0 = nx;
      }
    }
    const h = row.laneH - 2, top = y + 2;
    // Pink (idle) only within the device's first and last GPU op.
    const last = tr.first + tr.count - 1;
    const dataX0 = Math.max(0, (ev.start[tr.first] - v0) * scale);
    const dataX1 = Math.min(W, (ev.start[last] + ev.dur[last] - v0) * scale);
    c.fillStyle = '#f7d4cf';
    c.fillRect(LABEL_W + dataX0, top, Math.max(0, dataX1 - dataX0), h);
    c.fillStyle = '#3f9a55';
    for (let px = Math.floor(dataX0); px < dataX1; px++) {
      const f = Math.min(1, cover[px]);
      if (f > 0.004) c.fillRect(LABEL_W + px, top + h * (1 - f), 1, h * f);
    }
    for (let i = this.firstVisible(tr, v0); i < end; i++) {
      const s = ev.start[i];
      if (s > v1) break;
      if (ev.kind[i] !== 9) continue;
      const x0 = LABEL_W + (s - v0) * scale, x1 = LABEL_W + (s + ev.dur[i] - v0) * scale;
      if (x1 < LABEL_W || x1 - x0 < 3) continue;
      c.fillStyle = '#e0483e';
      c.fillRect(x0, top, x1 - x0, h);
      const room = Math.floor((x1 - x0 - 6) / 6.3);
      if (room > 4) {
        const label = 'idle ' + GS.fmtDur(ev.dur[i]);
        c.fillStyle = '#ffffff';
        c.fillText(label.length > room ? label.slice(0, room - 1) + '…' : label, Math.max(x0, LABEL_W) + 3, top + h / 2);
      }
    }
  }

  drawTrack(tr, row, y, v0, v1, scale, pos, wanted) {
    if (tr.kind === 8) { this.drawUtilisation(tr, row, y, v0, v1, scale); return; }
    const c = this.ctx, ev = GS.ev, m = this.matches;
    const lanes = Math.max(1, tr.lanes);
    // Per-lane pixel buckets: events narrower than a pixel merge into one
    // bar whose colour is that of the longest event in it (level of detail).
    const bucketX = new Float64Array(lanes).fill(-1), bucketEnd = new Float64Array(lanes);
    const bucketEv = new Int32Array(lanes).fill(-1);
    const flush = (l) => {
      if (bucketEv[l] < 0) return;
      const i = bucketEv[l];
      c.globalAlpha = m && !m[ev.name[i]] ? 0.18 : 1;
      c.fillStyle = this.color(i);
      c.fillRect(bucketX[l], y + 2 + l * row.laneH, Math.max(1, bucketEnd[l] - bucketX[l]), row.laneH - 2);
      bucketEv[l] = -1;
    };
    const end = tr.first + tr.count;
    const longest = new Float64Array(lanes);
    for (let i = this.firstVisible(tr, v0); i < end; i++) {
      const s = ev.start[i];
      if (s > v1) break;
      const e = s + ev.dur[i];
      if (e < v0) continue;
      const l = ev.depth[i];
      if (l >= lanes) continue;
      const x0 = LABEL_W + (s - v0) * scale, x1 = LABEL_W + (e - v0) * scale;
      const ly = y + 2 + l * row.laneH;
      if (wanted.has(i)) pos.set(i, [x0, ly, Math.max(x1 - x0, 1), row.laneH - 2]);
      if (x1 - x0 < 2) {
        const px = Math.floor(x0);
        if (bucketEv[l] >= 0 && px <= bucketEnd[l]) {
          if (ev.dur[i] > longest[l] || (m && m[ev.name[i]] && !m[ev.name[bucketEv[l]]])) {
            bucketEv[l] = i; longest[l] = ev.dur[i];
          }
          bucketEnd[l] = Math.max(bucketEnd[l], px + 1, x1);
          continue;
        }
        flush(l);
        bucketEv[l] = i; bucketX[l] = px; bucketEnd[l] = Math.max(px + 1, x1); longest[l] = ev.dur[i];
        continue;
      }
      flush(l);
      c.globalAlpha = m && !m[ev.name[i]] ? 0.18 : 1;
      c.fillStyle = this.color(i);
      const cx0 = Math.max(x0, LABEL_W - 2), cx1 = Math.min(x1, this.w + 2);
      c.fillRect(cx0, ly, cx1 - cx0, row.laneH - 2);
      if (cx1 - cx0 > 36) {
        let label = GS.data.strings[ev.name[i]];
        if (ev.kind[i] === 9) label = 'idle ' + GS.fmtDur(ev.dur[i]);
        const room = Math.floor((cx1 - cx0 - 6) / 6.3);
        if (room > 2) {
          c.fillStyle = ev.kind[i] === 9 || ev.kind[i] === 8 ? '#ffffff' : '#15202b';
          c.fillText(label.length > room ? label.slice(0, room - 1) + '…' : label, cx0 + 3, ly + (row.laneH - 2) / 2);
        }
      }
      c.globalAlpha = 1;
    }
    for (let l = 0; l < lanes; l++) flush(l);
    c.globalAlpha = 1;
  }

  drawOverlays(pos, top) {
    const c = this.ctx, H = this.h;
    // Range selection and highlighted finding.
    for (const [r, fill] of [[this.mark, 'rgba(224,72,62,0.12)'], [this.range, 'rgba(40,110,220,0.14)']]) {
      if (!r) continue;
      const x0 = Math.max(LABEL_W, this.xOf(r.t0)), x1 = Math.min(this.w, this.xOf(r.t1));
      if (x1 <= x0) continue;
      c.fillStyle = fill;
      c.fillRect(x0, RULER_H, Math.max(1, x1 - x0), H - RULER_H);
      c.strokeStyle = fill.replace(/0\.1\d\)/, '0.8)');
      c.strokeRect(x0 + 0.5, RULER_H + 0.5, Math.max(1, x1 - x0) - 1, H - RULER_H - 1);
    }
    // Longest kernels: rank badges, so the eye finds them at any zoom.
    const ev = GS.ev;
    (GS.data.longest || []).slice(0, 5).forEach((L, rank) => {
      const i = L.event, row = GS.data.tracks[ev.trackOf[i]].row;
      const x = this.xOf(ev.start[i] + ev.dur[i] / 2), y = top + row.y + ev.depth[i] * row.laneH + 2;
      if (x < LABEL_W || x > this.w || y < RULER_H || y > H) return;
      c.fillStyle = '#15202b';
      c.beginPath(); c.moveTo(x, y + 1); c.lineTo(x - 5, y - 6); c.lineTo(x + 5, y - 6); c.closePath(); c.fill();
      c.font = 'bold 10px system-ui, sans-serif';
      c.fillText('#' + (rank + 1), x + 6, y - 4);
      c.font = '11px system-ui, sans-serif';
    });
    const sel = this.selected, link = sel >= 0 ? ev.link[sel] : -1;
    const outline = (i, color, w) => {
      const p = pos.get(i);
      if (!p) return;
      c.strokeStyle = color; c.lineWidth = w;
      c.strokeRect(p[0] - 1, p[1] - 1, p[2] + 2, p[3] + 2);
      c.lineWidth = 1;
    };
    if (this.hover >= 0 && this.hover !== sel) outline(this.hover, '#555', 1);
    if (link >= 0) outline(link, '#d4342b', 2);
    if (sel >= 0) outline(sel, '#0b5ed7', 2);
    if (sel >= 0 && link >= 0 && pos.has(sel) && pos.has(link)) {
      const a = pos.get(link), b = pos.get(sel);
      const ax = a[0], ay = a[1] + a[3] / 2, bx = b[0], by = b[1] + b[3] / 2;
      c.strokeStyle = '#d4342b'; c.lineWidth = 1.5;
      c.beginPath(); c.moveTo(ax, ay); c.bezierCurveTo(ax + 30, ay, bx - 30, by, bx, by); c.stroke();
      c.lineWidth = 1;
    }
  }

  drawRuler() {
    const c = this.ctx, W = this.w;
    c.fillStyle = '#f4f6f8';
    c.fillRect(0, 0, W, RULER_H);
    c.strokeStyle = '#c9ced4';
    c.beginPath(); c.moveTo(0, RULER_H - 0.5); c.lineTo(W, RULER_H - 0.5); c.stroke();
    const span = this.view.t1 - this.view.t0;
    const raw = span / Math.max(1, this.plotW() / 110);
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw);
    c.fillStyle = '#3b4754';
    c.font = '11px system-ui, sans-serif';
    for (let t = Math.ceil(this.view.t0 / step) * step; t <= this.view.t1; t += step) {
      const x = this.xOf(t);
      c.fillRect(x, RULER_H - 7, 1, 7);
      c.fillText(GS.fmtDur(t), x + 3, RULER_H / 2 - 1);
    }
    c.fillStyle = '#1d2b3a';
    c.font = 'bold 11px system-ui, sans-serif';
    c.fillText('view ' + GS.fmtDur(span), 6, RULER_H / 2);
  }

  // The event under (x, y), or -1.
  hit(x, y) {
    if (x < LABEL_W) return -1;
    const cy = y - RULER_H + this.scrollY;
    const row = this.rows.find((r) => r.track !== undefined && cy >= r.y && cy < r.y + r.h);
    if (!row) return -1;
    const tr = GS.data.tracks[row.track], ev = GS.ev;
    const lane = Math.floor((cy - row.y - 2) / row.laneH);
    const t = this.tOf(x), slop = 3 * (this.view.t1 - this.view.t0) / this.plotW();
    let best = -1, bestD = Infinity;
    const end = tr.first + tr.count;
    for (let i = this.firstVisible(tr, t - slop); i < end && ev.start[i] <= t + slop; i++) {
      if (ev.depth[i] !== lane) continue;
      const e = ev.start[i] + ev.dur[i];
      if (e < t - slop) continue;
      const d = t < ev.start[i] ? ev.start[i] - t : t > e ? t - e : 0;
      if (d < bestD || (d === bestD && best >= 0 && ev.dur[i] < ev.dur[best])) { best = i; bestD = d; }
    }
    return best;
  }

  bind() {
    const cv = this.canvas;
    cv.addEventListener('wheel', (e) => {
      e.preventDefault();
      const r = cv.getBoundingClientRect(), x = e.clientX - r.left;
      if (e.shiftKey || x < LABEL_W) {
        this.scrollY += e.shiftKey && e.deltaY === 0 ? e.deltaX : e.deltaY;
        this.clampScroll();
        this.requestDraw();
      } else if (Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        this.pan(e.deltaX / this.plotW());
      } else {
        this.zoom(Math.pow(1.0015, e.deltaY * (e.deltaMode === 1 ? 30 : 1)), x);
      }
    }, { passive: false });
    let drag = null;
    cv.addEventListener('mousedown', (e) => {
      cv.focus();
      const r = cv.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
      drag = { x, y, view: { ...this.view }, scrollY: this.scrollY, moved: false,
        selecting: e.shiftKey || y < RULER_H };
    });
    window.addEventListener('mousemove', (e) => {
      const r = cv.getBoundingClientRect(), x = e.clientX - r.left, y = e.clientY - r.top;
      if (drag) {
        if (Math.abs(x - drag.x) + Math.abs(y - drag.y) > 3) drag.moved = true;
        if (!drag.moved) return;
        if (drag.selecting) {
          const a = this.tOf(Math.max(LABEL_W, Math.min(drag.x, x))), b = this.tOf(Math.max(drag.x, x));
          this.setRange({ t0: a, t1: b });
        } else {
          const dt = (x - drag.x) * (drag.view.t1 - drag.view.t0) / this.plotW();
          this.setView(drag.view.t0 - dt, drag.view.t1 - dt);
          this.scrollY = drag.scrollY - (y - drag.y);
          this.clampScroll();
        }
        return;
      }
      if (e.target !== cv) { if (this.hover >= 0) { this.hover = -1; this.hideTip(); this.requestDraw(); } return; }
      const i = this.hit(x, y);
      if (i !== this.hover) { this.hover = i; this.requestDraw(); }
      if (i >= 0) this.showTip(i, x, y); else this.hideTip();
    });
    window.addEventListener('mouseup', (e) => {
      if (!drag) return;
      const d = drag;
      drag = null;
      if (d.moved) return;
      const r = cv.getBoundingClientRect();
      const i = this.hit(e.clientX - r.left, e.clientY - r.top);
      this.select(i);
    });
    cv.addEventListener('mouseleave', () => { this.hover = -1; this.hideTip(); this.requestDraw(); });
    cv.addEventListener('keydown', (e) => {
      const k = e.key.toLowerCase();
      if (k === 'w') this.zoom(0.8);
      else if (k === 's') this.zoom(1.25);
      else if (k === 'a') this.pan(-0.1);
      else if (k === 'd') this.pan(0.1);
      else if (k === '0') this.reset();
      else if (k === 'escape') { this.select(-1); this.setRange(null); }
      else return;
      e.preventDefault();
    });
    window.addEventListener('resize', () => this.resize());
  }

  setRange(r) {
    this.range = r && r.t1 > r.t0 ? r : null;
    this.requestDraw();
    if (this.onRange) this.onRange(this.range);
  }

  showTip(i, x, y) {
    const tip = document.getElementById('gs-tooltip'), ev = GS.ev, S = GS.data.strings;
    tip.replaceChildren();
    const add = (label, value, cls) => {
      const div = document.createElement('div');
      if (cls) div.className = cls;
      if (label) { const b = document.createElement('b'); b.textContent = label + ' '; div.appendChild(b); }
      div.appendChild(document.createTextNode(value));
      tip.appendChild(div);
    };
    add('', S[ev.name[i]] || '(unnamed)', 'gs-tip-name');
    add(GS.KIND[ev.kind[i]], GS.fmtDur(ev.dur[i]) + ' at ' + GS.fmtDur(ev.start[i]));
    if (ev.info[i]) add('', S[ev.info[i]]);
    if (ev.layer[i]) add('layer', S[ev.layer[i]]);
    if (ev.link[i] >= 0) add(ev.kind[i] === 3 ? 'launched' : 'launched by', S[ev.name[ev.link[i]]]);
    tip.hidden = false;
    const wrap = tip.parentElement.getBoundingClientRect();
    const tw = tip.offsetWidth, th = tip.offsetHeight;
    tip.style.left = Math.min(x + 14, wrap.width - tw - 4) + 'px';
    tip.style.top = (y + 16 + th > wrap.height ? Math.max(0, y - th - 8) : y + 16) + 'px';
  }
  hideTip() { document.getElementById('gs-tooltip').hidden = true; }
}

// Summary of a time range: time per kind and the names with most time
// inside it (events clipped to the range), GPU busy share per device.
GS.rangeSummary = function (t0, t1) {
  const ev = GS.ev, d = GS.data;
  const byName = new Map(), byKind = new Float64Array(GS.KIND.length), countKind = new Uint32Array(GS.KIND.length);
  const busy = [];
  d.tracks.forEach((tr) => {
    let b = 0;
    for (let i = tr.first; i < tr.first + tr.count; i++) {
      const s = ev.start[i];
      if (s > t1) break;
      const e = s + ev.dur[i];
      if (e < t0) continue;
      const clip = Math.min(e, t1) - Math.max(s, t0);
      const k = ev.kind[i];
      if (k === 8) { b += Math.max(0, clip); continue; }
      if (k === 9 || k === 7) continue;
      byKind[k] += Math.max(0, clip);
      countKind[k]++;
      if (k <= 2) {
        const key = ev.name[i];
        byName.set(key, (byName.get(key) || 0) + Math.max(0, clip));
      }
    }
    if (tr.kind === 8) busy.push({ name: tr.group, share: b / Math.max(1, t1 - t0) });
  });
  const top = [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10)
    .map(([k, v]) => ({ name: d.strings[k], time: v }));
  return { t0, t1, byKind, countKind, top, busy };
};

GS.Timeline = Timeline;
