// Opens one report in headless Chromium and prints JSON timings:
// firstPaintMs (navigation start to the first timeline frame, decoding
// included), loadMs (as seen from outside), fullRedrawMs (one frame of the
// whole trace, median of 5) and zoomedRedrawMs (after 10 wheel steps in).
//   node first_paint.js REPORT.html      exit 77 when no Chromium
'use strict';
const path = require('path');
const { launch, findChromium } = require('./cdp');

async function main() {
  if (!findChromium()) { console.log('SKIP: no Chromium'); process.exit(77); }
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.send('Runtime.enable');
    await page.send('Emulation.setDeviceMetricsOverride', { width: 1600, height: 1000, deviceScaleFactor: 1, mobile: false });
    const t0 = Date.now();
    await page.send('Page.navigate', { url: 'file://' + path.resolve(process.argv[2]) });
    for (;;) {
      if (await page.evaluate("document.body && document.body.dataset.ready === '1'")) break;
      if (Date.now() - t0 > 60000) throw new Error('report did not become ready in 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const loadMs = Date.now() - t0;
    const r = await page.evaluate(`(() => {
      const t = GS.timeline, times = [];
      for (let k = 0; k < 5; k++) { const a = performance.now(); t.draw(); times.push(performance.now() - a); }
      times.sort((a, b) => a - b);
      const full = times[2];
      for (let k = 0; k < 10; k++) t.zoom(0.7);
      const zs = [];
      for (let k = 0; k < 5; k++) { const a = performance.now(); t.draw(); zs.push(performance.now() - a); }
      zs.sort((a, b) => a - b);
      return { firstPaintMs: GS.firstPaintMs, fullRedrawMs: full, zoomedRedrawMs: zs[2], events: GS.data.events };
    })()`);
    console.log(JSON.stringify({ ...r, loadMs }));
  } finally {
    await browser.close();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
