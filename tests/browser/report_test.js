// Browser test of `gpuscope report`: opens reports in headless Chromium and
// checks that they load without console errors, draw a non-blank timeline
// (pixels of a real screenshot), respond to wheel/keyboard zoom and to a
// click (kernel <-> launching API call), and that hostile trace strings are
// shown as text and never run.
//   node report_test.js --gpuscope BIN --work DIR [--trace FILE]... [--optional-trace FILE]...
//                       [--kernel-metrics TRACE=METRICS]...  (report TRACE --kernel-metrics METRICS)
//                       [--shots DIR]
//   node report_test.js --html FILE... (reports made elsewhere)
// Exit 0: pass, 1: fail, 77: skipped (no Chromium).
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { launch, findChromium } = require('./cdp');
const { decodePng } = require('./png');
const { hostileTrace, HOSTILE } = require('./hostile_trace');

function parseArgs(argv) {
  const a = { traces: [], html: [], work: null, gpuscope: null, shots: null, metrics: [] };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i], v = argv[i + 1];
    if (k === '--trace') { a.traces.push(v); i++; }
    else if (k === '--optional-trace') { if (fs.existsSync(v)) a.traces.push(v); i++; }
    else if (k === '--html') { a.html.push(v); i++; }
    else if (k === '--kernel-metrics') { a.metrics.push(v.split('=')); i++; }
    else if (k === '--work') { a.work = v; i++; }
    else if (k === '--gpuscope') { a.gpuscope = v; i++; }
    else if (k === '--shots') { a.shots = v; i++; }
    else throw new Error('unknown argument ' + k);
  }
  return a;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let failures = 0;
function check(cond, what) {
  console.log((cond ? 'ok   ' : 'FAIL ') + what);
  if (!cond) failures++;
}

async function waitFor(page, expr, timeoutMs) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await page.evaluate(expr)) return true;
    await sleep(50);
  }
  return false;
}

// Share of non-background pixels in the timeline's plot area of a screenshot.
function inkShare(png, x0, y0, x1, y1) {
  let ink = 0, n = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const p = (y * png.width + x) * 4;
      const r = png.rgba[p], g = png.rgba[p + 1], b = png.rgba[p + 2];
      n++;
      if (!(r > 235 && g > 235 && b > 235)) ink++;
    }
  }
  return n ? ink / n : 0;
}

async function testReport(browser, file, opts) {
  const label = path.basename(file);
  console.log('# ' + label);
  const page = await browser.newPage();
  const errors = [], dialogs = [];
  page.on((msg) => {
    if (msg.method === 'Runtime.exceptionThrown') errors.push('exception: ' + JSON.stringify(msg.params.exceptionDetails.exception?.description || msg.params.exceptionDetails.text));
    if (msg.method === 'Runtime.consoleAPICalled' && (msg.params.type === 'error' || msg.params.type === 'assert')) errors.push('console.' + msg.params.type + ': ' + JSON.stringify(msg.params.args.map((x) => x.value ?? x.description)));
    if (msg.method === 'Log.entryAdded' && msg.params.entry.level === 'error') errors.push('log: ' + msg.params.entry.text + ' ' + (msg.params.entry.url || ''));
    if (msg.method === 'Page.javascriptDialogOpening') {
      dialogs.push(msg.params.message);
      page.send('Page.handleJavaScriptDialog', { accept: true }).catch(() => {});
    }
  });
  await page.send('Runtime.enable');
  await page.send('Log.enable');
  await page.send('Page.enable');
  await page.send('Emulation.setDeviceMetricsOverride', { width: 1600, height: 1000, deviceScaleFactor: 1, mobile: false });
  const t0 = Date.now();
  await page.send('Page.navigate', { url: 'file://' + path.resolve(file) });
  const ready = await waitFor(page, "document.body && document.body.dataset.ready === '1'", 20000);
  const loadMs = Date.now() - t0;
  check(ready, `${label}: page ready (${loadMs} ms)`);
  if (!ready) { console.log(errors.join('\n')); await page.send('Page.close').catch(() => {}); return; }
  const firstPaint = await page.evaluate('GS.firstPaintMs');
  console.log(`     first paint ${Math.round(firstPaint)} ms after navigation start`);
  await sleep(150);

  const events = await page.evaluate('GS.data.events');
  if (events === 0) {
    // Nothing to draw: the page says so instead of showing an empty canvas.
    const empty = await page.evaluate("!document.getElementById('gs-empty').hidden && document.getElementById('gs-empty').offsetHeight > 0");
    check(empty, `${label}: no events, and the timeline says so`);
    for (const name of ['summary', 'findings', 'layers', 'stats']) await page.evaluate(`GS.showPage('${name}')`);
    check(errors.length === 0, `${label}: no console errors` + (errors.length ? '\n  ' + errors.join('\n  ') : ''));
    await page.send('Page.close').catch(() => {});
    return;
  }

  // Non-blank timeline: pixels of the plot area in a real screenshot.
  const shot = await page.send('Page.captureScreenshot', { format: 'png' });
  const buf = Buffer.from(shot.data, 'base64');
  if (opts.shots) fs.writeFileSync(path.join(opts.shots, label.replace(/\.html$/, '') + '-timeline.png'), buf);
  const png = decodePng(buf);
  const box = await page.evaluate("(() => { const r = document.getElementById('gs-canvas').getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()");
  const share = inkShare(png, Math.round(box[0] + 260), Math.round(box[1] + 30), Math.round(box[2]) - 2, Math.round(box[3]) - 2);
  check(share > 0.02, `${label}: timeline drawn (${(share * 100).toFixed(1)} % of plot pixels not background)`);

  // Wheel zoom changes the view; W/S/A/D too.
  const v0 = await page.evaluate('GS.timeline.view.t1 - GS.timeline.view.t0');
  const cx = Math.round((box[0] + 260 + box[2]) / 2), cy = Math.round(box[1] + 60);
  for (let k = 0; k < 3; k++) {
    await page.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: cx, y: cy, deltaX: 0, deltaY: -300 });
  }
  await sleep(100);
  const v1 = await page.evaluate('GS.timeline.view.t1 - GS.timeline.view.t0');
  check(v1 < v0 * 0.7, `${label}: wheel zooms in (view ${Math.round(v0)} -> ${Math.round(v1)} ns)`);
  await page.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: cx, y: cy, button: 'left', clickCount: 1 });
  await page.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: cx, y: cy, button: 'left', clickCount: 1 });
  const tStart = await page.evaluate('GS.timeline.view.t0');
  const key = async (k) => {
    await page.send('Input.dispatchKeyEvent', { type: 'keyDown', key: k, code: 'Key' + k.toUpperCase(), text: k });
    await page.send('Input.dispatchKeyEvent', { type: 'keyUp', key: k, code: 'Key' + k.toUpperCase() });
    await sleep(50);
    return page.evaluate('[GS.timeline.view.t0, GS.timeline.view.t1 - GS.timeline.view.t0]');
  };
  const afterD = await key('d');
  check(afterD[0] > tStart && Math.abs(afterD[1] - v1) < 1e-6 * v1, `${label}: D pans right`);
  const afterS = await key('s');
  check(afterS[1] > afterD[1] * 1.2, `${label}: S zooms out`);
  const afterW = await key('w');
  check(afterW[1] < afterS[1] * 0.9, `${label}: W zooms in`);
  const afterA = await key('a');
  check(afterA[0] < afterW[0], `${label}: A pans left`);

  // Click a kernel launched by a known API call: it is selected and its
  // launch call is linked; following the link selects the call.
  const target = await page.evaluate(`(() => {
    const ev = GS.ev;
    const longest = GS.data.longest.map((l) => l.event).filter((i) => ev.link[i] >= 0);
    let i = longest.length ? longest[0] : -1;
    if (i < 0) for (let k = 0; k < ev.kind.length; k++) if (ev.kind[k] === 0 && ev.link[k] >= 0) { i = k; break; }
    if (i < 0) return null;
    const t = GS.timeline;
    t.reveal(i); t.select(-1); t.draw();
    const row = GS.data.tracks[ev.trackOf[i]].row;
    const r = t.canvas.getBoundingClientRect();
    const x = Math.max(t.xOf(ev.start[i]), 251) + Math.min(t.xOf(ev.start[i] + ev.dur[i]) - Math.max(t.xOf(ev.start[i]), 251), 10) / 2;
    return { i, link: ev.link[i], x: r.left + x, y: r.top + 24 - t.scrollY + row.y + 2 + ev.depth[i] * row.laneH + row.laneH / 2,
             api: GS.data.strings[ev.name[ev.link[i]]] };
  })()`);
  if (target) {
    await page.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: target.x, y: target.y });
    await page.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: target.x, y: target.y, button: 'left', clickCount: 1 });
    await page.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x: target.x, y: target.y, button: 'left', clickCount: 1 });
    await sleep(100);
    const sel = await page.evaluate("[GS.timeline.selected, (document.getElementById('gs-link') || {}).textContent]");
    check(sel[0] === target.i && sel[1] === target.api, `${label}: click selects kernel ${target.i}, linked to ${target.api} (got ${sel[0]}, ${sel[1]})`);
    if (opts.shots) fs.writeFileSync(path.join(opts.shots, label.replace(/\.html$/, '') + '-selected.png'),
      Buffer.from((await page.send('Page.captureScreenshot', { format: 'png' })).data, 'base64'));
    await page.evaluate("document.getElementById('gs-link').click()");
    await sleep(50);
    const back = await page.evaluate('[GS.timeline.selected, GS.ev.link[GS.timeline.selected]]');
    check(back[0] === target.link && back[1] >= 0, `${label}: the link selects the launch call ${target.link}, which links back to a GPU op (${back})`);
  } else {
    console.log(`     (no kernel with a launch call in ${label}; click test skipped)`);
  }

  // Search counts events by name.
  const q = await page.evaluate("(() => { const s = GS.data.strings; for (let i = 0; i < GS.ev.name.length; i++) if (s[GS.ev.name[i]].length > 3) return s[GS.ev.name[i]].slice(0, 12); return ''; })()");
  if (q) {
    const n = await page.evaluate(`GS.timeline.setSearch(${JSON.stringify(q)})`);
    const expect = await page.evaluate(`(() => { let c = 0; const s = GS.data.strings, q = ${JSON.stringify(q.toLowerCase())}; for (let i = 0; i < GS.ev.name.length; i++) if (s[GS.ev.name[i]].toLowerCase().includes(q)) c++; return c; })()`);
    check(n === expect && n > 0, `${label}: search finds ${n} events`);
    await page.evaluate("GS.timeline.setSearch('')");
  }
  // Range summary.
  await page.evaluate('GS.timeline.reset(); GS.timeline.setRange({t0: 0, t1: GS.span})');
  await sleep(50);
  const rangeText = await page.evaluate("document.getElementById('gs-range').textContent");
  const hasGpu = await page.evaluate('GS.data.tracks.some((t) => t.kind === 8)');
  check(/Range/.test(rangeText) && (!hasGpu || /busy/.test(rangeText)), `${label}: range selection shows a summary`);

  // Every page renders; a finding's link opens the timeline at its range.
  for (const name of ['summary', 'findings', 'layers', 'stats']) {
    await page.evaluate(`GS.showPage('${name}')`);
    await sleep(80);
    if (opts.shots && name !== 'stats') fs.writeFileSync(path.join(opts.shots, label.replace(/\.html$/, '') + `-${name}.png`),
      Buffer.from((await page.send('Page.captureScreenshot', { format: 'png' })).data, 'base64'));
  }
  if (opts.metrics) {
    const stats = await page.evaluate("document.getElementById('page-stats').textContent");
    check(/kernel_metrics_sum/.test(stats) && /saxpy\(int, float/.test(stats),
      `${label}: the stats page shows the kernels of --kernel-metrics`);
    // A kernel whose name has metrics (joined across demangler spellings)
    // shows them in the selection panel.
    const panel = await page.evaluate(`(() => {
      const ev = GS.ev, S = GS.data.strings, by = GS.data.kernel_metrics.by_name;
      for (let i = 0; i < ev.kind.length; i++) if (by[S[ev.name[i]]]) {
        GS.showPage('timeline'); GS.timeline.select(i);
        return S[ev.name[i]] + ' | ' + document.getElementById('gs-selection').textContent;
      }
      return 'no kernel of the trace has metrics';
    })()`);
    check(/^add_one/.test(panel) && /Hardware metrics/.test(panel) && /Duration/.test(panel),
      `${label}: selecting a profiled kernel shows its hardware metrics (${panel.slice(0, 120)})`);
    check(/Guidance \(ncu rules\)OPT LaunchConfiguration · Est\. Global Speedup: 96\.97%/.test(panel),
      `${label}: ... and the guidance of its rule rows (${panel.slice(panel.indexOf('Guidance'), panel.indexOf('Guidance') + 90)})`);
  }
  const findings = await page.evaluate('GS.data.findings.length');
  if (findings > 0) {
    await page.evaluate("GS.showPage('findings'); document.querySelector('.gs-show').click()");
    await sleep(80);
    const m = await page.evaluate('[GS.timeline.mark && GS.timeline.mark.t0, GS.timeline.view.t0, GS.timeline.view.t1, document.getElementById("page-timeline").classList.contains("active")]');
    check(m[3] && m[0] !== null && m[1] <= m[0] && m[0] <= m[2], `${label}: a finding's link zooms the timeline to it`);
  }

  if (opts.hostile) {
    const pwned = await page.evaluate('window.__pwned === undefined');
    check(pwned && dialogs.length === 0, `${label}: hostile names did not run (dialogs: ${dialogs.length})`);
    const text = await page.evaluate('document.body.innerText');
    check(text.includes(HOSTILE[0]), `${label}: '${HOSTILE[0]}' is shown as text`);
    const scripts = await page.evaluate('document.scripts.length');
    check(scripts === 4, `${label}: exactly the report's 4 script elements (${scripts})`);
    const imgs = await page.evaluate('document.images.length');
    check(imgs === 0, `${label}: no <img> injected (${imgs})`);
  }
  check(errors.length === 0, `${label}: no console errors` + (errors.length ? '\n  ' + errors.join('\n  ') : ''));
  await page.send('Page.close').catch(() => {});
}

async function main() {
  const a = parseArgs(process.argv);
  if (!findChromium()) { console.log('SKIP: no Chromium found (set GPUSCOPE_CHROMIUM)'); process.exit(77); }
  const reports = a.html.map((f) => ({ file: f, hostile: /hostile/.test(f) }));
  if (a.gpuscope) {
    fs.mkdirSync(a.work, { recursive: true });
    const hostile = path.join(a.work, 'hostile.json');
    fs.writeFileSync(hostile, JSON.stringify(hostileTrace()));
    for (const t of [...a.traces, hostile]) {
      const out = path.join(a.work, path.basename(t).replace(/(\.pt)?\.trace\.json(\.gz)?$|\.json$|\.sqlite$/, '') + '.html');
      execFileSync(a.gpuscope, ['report', t, '-o', out, '--force', '--quiet'], { stdio: 'inherit' });
      reports.push({ file: out, hostile: t === hostile });
    }
    for (const [t, m] of a.metrics) {
      const out = path.join(a.work, path.basename(t).replace(/\.[a-z.]+$/, '') + '_metrics.html');
      execFileSync(a.gpuscope, ['report', t, '--kernel-metrics', m, '-o', out, '--force', '--quiet'], { stdio: 'inherit' });
      reports.push({ file: out, hostile: false, metrics: true });
    }
  }
  if (a.shots) fs.mkdirSync(a.shots, { recursive: true });
  const browser = await launch();
  try {
    for (const r of reports) await testReport(browser, r.file, { hostile: r.hostile, shots: a.shots, metrics: r.metrics });
  } finally {
    await browser.close();
  }
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
