// Screenshot of a report for the docs: the timeline zoomed on the first
// third of the first iteration (ProfilerStep#N, else of the whole trace) with the
// longest kernel in it selected, so its launch call and layer show.
//   node screenshot.js REPORT.html OUT.png [--page summary|findings|layers|stats]
'use strict';
const fs = require('fs');
const path = require('path');
const { launch, findChromium } = require('./cdp');

async function main() {
  const [file, out] = process.argv.slice(2, 4);
  const pageArg = process.argv.indexOf('--page');
  if (!findChromium()) { console.log('SKIP: no Chromium'); process.exit(77); }
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.send('Emulation.setDeviceMetricsOverride', { width: 1600, height: 1000, deviceScaleFactor: 1, mobile: false });
    await page.send('Page.navigate', { url: 'file://' + path.resolve(file) });
    const t0 = Date.now();
    while (!(await page.evaluate("document.body && document.body.dataset.ready === '1'"))) {
      if (Date.now() - t0 > 60000) throw new Error('report not ready');
      await new Promise((r) => setTimeout(r, 50));
    }
    await page.evaluate(`(() => {
      const ev = GS.ev, S = GS.data.strings, t = GS.timeline;
      let a = 0, b = GS.span;
      for (let i = 0; i < ev.kind.length; i++) {
        if (ev.kind[i] === 4 && /^ProfilerStep#/.test(S[ev.name[i]])) { a = ev.start[i]; b = a + ev.dur[i]; break; }
      }
      let best = -1;
      for (let i = 0; i < ev.kind.length; i++)
        if (ev.kind[i] === 0 && ev.start[i] >= a && ev.start[i] <= a + (b - a) / 3 && (best < 0 || ev.dur[i] > ev.dur[best])) best = i;
      t.show(a, a + (b - a) / 3);
      if (best >= 0) t.select(best);
      t.draw();
    })()`);
    if (pageArg > 0) await page.evaluate(`GS.showPage(${JSON.stringify(process.argv[pageArg + 1])})`);
    await new Promise((r) => setTimeout(r, 300));
    const shot = await page.send('Page.captureScreenshot', { format: 'png' });
    fs.writeFileSync(out, Buffer.from(shot.data, 'base64'));
  } finally {
    await browser.close();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
