// Writes a small Kineto trace whose every name is hostile HTML/JS, to check
// that the report shows them as text and never runs them.
'use strict';
const fs = require('fs');

const HOSTILE = [
  '</script><script>alert(1)</script>',
  '<img src=x onerror="window.__pwned=2">',
  '</script><script>window.__pwned=3</script>',
  '"quoted\' & <b>bold</b> \u2028 line \\ backslash',
  'void gemm<</script>>(float*, int)',
];

function hostileTrace() {
  const ev = [];
  const pid = 77, tid = 78;
  ev.push({ ph: 'M', name: 'process_name', pid, tid: 0, args: { name: HOSTILE[2] } });
  ev.push({ ph: 'M', name: 'thread_name', pid, tid, args: { name: HOSTILE[1] } });
  let ts = 1000, corr = 1;
  ev.push({ ph: 'X', cat: 'user_annotation', name: HOSTILE[2], pid, tid, ts: 999, dur: 2000 });
  for (let i = 0; i < 120; i++) {
    const name = HOSTILE[i % HOSTILE.length];
    ev.push({ ph: 'X', cat: 'cpu_op', name: HOSTILE[(i + 1) % HOSTILE.length], pid, tid, ts, dur: 6, args: { 'External id': 1000 + i } });
    ev.push({ ph: 'X', cat: 'cuda_runtime', name: 'cudaLaunchKernel', pid, tid, ts: ts + 1, dur: 4, args: { correlation: corr, 'External id': 1000 + i } });
    // A long idle gap every 30 kernels.
    const gs = ts + 10 + (i % 30 === 29 ? 200 : 0);
    ev.push({ ph: 'X', cat: 'kernel', name, pid: 0, tid: 7, ts: gs, dur: 3 + (i % 7),
      args: { correlation: corr, device: 0, stream: 7, 'External id': 1000 + i, grid: [1, 1, 1], block: [128, 1, 1] } });
    ts += 12;
    corr++;
  }
  return { schemaVersion: 1, deviceProperties: [{ id: 0, name: HOSTILE[0], numSms: 1 }], traceEvents: ev };
}

if (require.main === module) fs.writeFileSync(process.argv[2], JSON.stringify(hostileTrace()));
module.exports = { hostileTrace, HOSTILE };
