#!/usr/bin/env python3
"""Tests of scripts/gpu/replay_timing.py (sums of GPUSCOPE_PROFILER_TIMING=1
lines per profiler_ab.sh variant) on a hand-written log. Runs without a GPU
(ctest label unit)."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "..", "scripts", "gpu", "replay_timing.py")

LOG = """== variant grouped
gpuscope: profiling "saxpy" - 0: 2 passes
gpuscope: timing ms: save 1.00 restore 2.00 flush 0.50 start 40.00 kernel 1.00 stop 10.00 evaluate 0.50 (2 passes)
gpuscope: timing ms: save 1.00 restore 4.00 flush 0.50 start 20.00 kernel 1.00 stop 5.00 evaluate 0.50 (2 passes)
== variant plain
gpuscope: timing ms: save 2.00 restore 0.00 flush 1.00 start 10.00 kernel 1.00 stop 2.00 evaluate 1.00 (1 passes)
"""


def run(text):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
    try:
        return subprocess.run([sys.executable, SCRIPT, f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)


class ReplayTimingTest(unittest.TestCase):
    def test_sums_phases_per_variant(self):
        p = run(LOG)
        self.assertEqual(p.returncode, 0)
        lines = p.stdout.splitlines()
        # grouped: 2 + 6 + 1 + 60 + 2 + 15 + 1 = 87 ms over 4 passes.
        self.assertEqual(lines[0], "grouped: 2 launches, 4 passes, 87 ms (21.75 ms/pass): save 2 restore 6 flush 1 "
                                   "start 60 kernel 2 stop 15 evaluate 1")
        self.assertEqual(lines[1], "plain: 1 launches, 1 passes, 17 ms (17.00 ms/pass): save 2 restore 0 flush 1 "
                                   "start 10 kernel 1 stop 2 evaluate 1")

    def test_a_log_without_timing_lines_fails(self):
        p = run("== variant plain\ngpuscope: profiled 10 kernels\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no GPUSCOPE_PROFILER_TIMING lines", p.stdout)


if __name__ == "__main__":
    unittest.main()
