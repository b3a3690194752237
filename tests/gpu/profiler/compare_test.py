#!/usr/bin/env python3
"""Tests of compare.py (the verdicts of profiler_check.sh) on hand-written
ncu-format CSVs: tolerances, the absolute floor, unit scaling, the "noise"
count over repeated launches, and the run-to-run count against a second ncu
run. Runs without a GPU (ctest label unit)."""
import csv
import io
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "compare.py")
HEADER = ["ID", "Process ID", "Process Name", "Host Name", "Kernel Name", "Context", "Stream", "Block Size",
          "Grid Size", "Device", "CC", "Section Name", "Metric Name", "Metric Unit", "Metric Value"]


def write_csv(folder, name, kernels):
    """kernels: [(kernel name, grid, [(section, metric, unit, value)])]."""
    out = io.StringIO()
    out.write("==PROF== Connected to process 1\n")  # ncu's own lines come before the header
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(HEADER)
    for kid, (kname, grid, metrics) in enumerate(kernels):
        for section, metric, unit, value in metrics:
            w.writerow([kid, 1, "prog", "host", kname, 1, 7, "(256, 1, 1)", grid, 0, "9.0", section, metric, unit,
                        value])
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        f.write(out.getvalue())
    return path


def run(*args):
    p = subprocess.run([sys.executable, COMPARE, *args], capture_output=True, text=True, check=True)
    return p.stdout


def result_line(text):
    return next(line for line in text.splitlines() if line.startswith("RESULT"))


SOL = "GPU Speed Of Light Throughput"


def kernel(name, grid, duration, dram_pct, regs, time_unit="us"):
    return (name, grid, [(SOL, "Duration", time_unit, duration), (SOL, "DRAM Throughput", "%", dram_pct),
                         ("Launch Statistics", "Registers Per Thread", "register/thread", regs)])


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        d = self.dir.name
        # ncu: saxpy twice (a repeat group whose durations spread 10 %), reduce once.
        self.ncu = write_csv(d, "ncu.csv", [kernel("saxpy(int, float*)", "(65536, 1, 1)", "10.00", "80.00", "16"),
                                            kernel("reduce(float*)", "(1, 1, 1)", "3.00", "0.05", "32"),
                                            kernel("saxpy(int, float*)", "(65536, 1, 1)", "11.00", "80.00", "16")])
        # gpuscope, durations in ns: saxpy +4 % (within 5 %), reduce +10 % (out), the 2nd saxpy
        # -9.1 % (out, but within ncu's 9.5 % repeat spread); DRAM 0.05 vs 0.12 within the
        # 0.1-point floor; registers 30 vs 32 out (6.25 %).
        self.ours = write_csv(d, "ours.csv", [kernel("saxpy", "(65536, 1, 1)", "10,400", "80.00", "16", "ns"),
                                              kernel("reduce", "(1, 1, 1)", "3,300", "0.12", "30", "ns"),
                                              kernel("saxpy", "(65536, 1, 1)", "10,000", "80.00", "16", "ns")])

    def tearDown(self):
        self.dir.cleanup()

    def test_counts_misses_and_repeat_noise(self):
        out = run("pair", self.ours, self.ncu)
        # 9 values: durations 1 of 3 pass, DRAM 3 of 3 (floor), registers 2 of 3.
        self.assertEqual(result_line(out), "RESULT pair: 6/9 within tolerance; of the 3 misses, 1 within ncu's own "
                                           "spread over repeated identical launches")
        self.assertIn("kernels matched by order: 3, base-name mismatches: 0", out)
        # reduce (3 us by ncu) is the one short kernel: 1 of its 3 values within tolerance.
        self.assertIn("SHORT pair: 1 of 3 kernels under 5 us (ncu's duration): their values 1/3 within tolerance, "
                      "the others' 5/6", out)

    def test_second_ncu_run_gives_the_ceiling_and_the_run_to_run_count(self):
        # ncu's second run: reduce 3.40 us (+13 % against its first: it misses too, and
        # gpuscope's +10 % gap is inside it), registers equal, saxpy equal.
        ncu2 = write_csv(self.dir.name, "ncu2.csv", [
            kernel("saxpy(int, float*)", "(65536, 1, 1)", "10.00", "80.00", "16"),
            kernel("reduce(float*)", "(1, 1, 1)", "3.40", "0.05", "32"),
            kernel("saxpy(int, float*)", "(65536, 1, 1)", "11.00", "80.00", "16")])
        out = run("pair", self.ours, self.ncu, ncu2)
        self.assertEqual(result_line(out),
                         "RESULT pair: 6/9 within tolerance; of the 3 misses, 1 within ncu's own spread over repeated "
                         "identical launches; ncu's second run: 8/9 within tolerance of its first; of gpuscope's "
                         "misses, 1 within ncu's own gap between its runs")
        self.assertIn("ncu 2nd run   2/3   gpuscope   1/3   xrun 1", out)

    def test_short_line_says_n_a_without_a_duration(self):
        # Sections without Duration (e.g. SchedulerStats): no kernel can be called short.
        regs = [("k(int)", "(1, 1, 1)", [("Launch Statistics", "Registers Per Thread", "register/thread", "16")])]
        ours = write_csv(self.dir.name, "o.csv", regs)
        ncu = write_csv(self.dir.name, "n.csv", regs)
        self.assertIn("SHORT pair: n/a (ncu's CSV has no duration to tell short kernels by)", run("pair", ours, ncu))

    def test_rules_counts_ncus_rows_of_the_rules_gpuscope_has(self):
        d = self.dir.name
        rule_header = HEADER + ["Rule Name", "Rule Type", "Rule Description", "Estimated Speedup Type",
                                "Estimated Speedup"]

        def rules_csv(name, per_kernel):
            out = io.StringIO()
            w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
            w.writerow(rule_header)
            for kid, rows in enumerate(per_kernel):
                w.writerow([kid, 1, "p", "h", "k", 1, 7, "(256, 1, 1)", "(1, 1, 1)", 0, "9.0", SOL, "Duration", "ns",
                            "10", "", "", "", "", ""])
                for rule, kind, stype, speedup in rows:
                    w.writerow([kid, 1, "p", "h", "k", 1, 7, "(256, 1, 1)", "(1, 1, 1)", 0, "9.0", "SpeedOfLight",
                                "", "", "", rule, kind, "text", stype, speedup])
            path = os.path.join(d, name)
            with open(path, "w") as f:
                f.write(out.getvalue())
            return path

        # ncu: kernel 0 two rules gpuscope has (one also printed by gpuscope), and CPIStall's WRN
        # and INF pointer rows and a rule gpuscope lacks (none counted); kernel 1 one rule, printed by gpuscope with
        # another speedup type (a miss), plus one gpuscope prints beyond ncu.
        ncu = rules_csv("ncu_rules.csv", [
            [("SOLBottleneck", "OPT", "", ""), ("AchievedOccupancy", "OPT", "local", "25.61"),
             ("CPIStall", "WRN", "", ""), ("CPIStall", "INF", "", ""), ("HighPipeUtilization", "OPT", "local", "93")],
            [("LaunchConfiguration", "OPT", "global", "50")]])
        ours = rules_csv("our_rules.csv", [
            [("SOLBottleneck", "OPT", "", "")],
            [("LaunchConfiguration", "OPT", "local", "50"), ("TheoreticalOccupancy", "OPT", "local", "62.5")]])
        out = run("rules", "pair", ours, ncu)
        self.assertIn("RULES pair: 1 of ncu's 3 rule rows of the rules gpuscope has printed by gpuscope too "
                      "(rule, type, speedup type); 2 more by gpuscope", out)

    def test_without_a_second_run_the_result_line_is_unchanged(self):
        self.assertNotIn("second run", result_line(run("pair", self.ours, self.ncu)))


if __name__ == "__main__":
    unittest.main()
