#!/usr/bin/env python3
"""Writes the fixture of tests/unit/profiler/rules_test.cc from ncu --csv
files recorded on the GPU machine: per kernel, the values gpuscope's rules
read (by metric name) and the rule rows ncu printed for it.

usage: rule_fixture.py LABEL=ncu.csv [LABEL=ncu.csv ...] > fixture.tsv
       LABEL=values.csv:rules.csv takes the values from one CSV (e.g.
       gpuscope's) and the rule rows from another (ncu's, same kernels in the
       same order).

Lines (tab-separated):
  kernel <label> <ncu ID> <section ids, comma-separated>
  value <metric> <value>
  rule <section id> <rule> <type> <speedup type or -> <speedup or -> <finding or ->
The finding is the name ncu's rule script gives the message it chose
("Small Grid", "Tail Effect", ...), told apart by the description's words.
"""
import csv
import sys

SECTIONS = {"GPU Speed Of Light Throughput": "SpeedOfLight", "Launch Statistics": "LaunchStats",
            "Occupancy": "Occupancy", "Compute Workload Analysis": "ComputeWorkloadAnalysis",
            "Scheduler Statistics": "SchedulerStats", "Warp State Statistics": "WarpStateStats",
            "Memory Workload Analysis": "MemoryWorkloadAnalysis"}
FINDINGS = [("grid is too small to fill", "Small Grid"), ("configured to execute only", "Small Grid"),
            ("blocks per multiprocessor", "Small Grid"), ("low compute throughput and memory", "Latency Issue"),
            ("Compute is more heavily utilized", "High Compute Throughput"),
            ("Memory is more heavily utilized", "High Memory Throughput"), ("well-balanced", "Balanced Throughput"),
            ("of the available compute or memory performance", "High Throughput"),
            ("partial wave", "Tail Effect"), ("multiple of 32 threads", "Block Size")]


# CPIStall's message names ("Long Scoreboard Stalls") by the stall its text describes.
STALLS = [("CTA barrier", "Barrier"), ("branch target", "Branch Resolving"), ("dispatch stall", "Dispatch Stall"),
          ("after EXIT", "Drain"), ("local and global (LG)", "Lg Throttle"),
          ("L1TEX (local, global, surface, texture)", "Long Scoreboard"), ("execution pipe", "Math Pipe Throttle"),
          ("memory barrier", "Membar"), ("MIO (memory input/output) instruction queue", "Mio Throttle"),
          ("miscellaneous", "Misc"), ("fetch an instruction", "No Instruction"), ("micro scheduler", "Not Selected"),
          ("MIO (memory input/output) operation", "Short Scoreboard"), ("sleep state", "Sleeping"),
          ("texture operations", "Tex Throttle"), ("fixed latency", "Wait")]


def finding(rule, description):
    if rule == "CPIStall":
        return next((name + " Stalls" for words, name in STALLS if words in description), "-")
    if rule not in ("SOLBottleneck", "LaunchConfiguration"):
        return "-"
    return next((name for words, name in FINDINGS if words in description), "?")


METRICS = {
    "Compute (SM) Throughput": "sm__throughput.avg.pct_of_peak_sustained_elapsed",
    "Memory Throughput": "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed",
    "DRAM Throughput": "gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed",
    "L1/TEX Cache Throughput": "l1tex__throughput.avg.pct_of_peak_sustained_active",
    "L2 Cache Throughput": "lts__throughput.avg.pct_of_peak_sustained_elapsed",
    "Block Size": "launch__block_size", "Grid Size": "launch__grid_size", "# SMs": "launch__sm_count",
    "Waves Per SM": "launch__waves_per_multiprocessor",
    "Theoretical Occupancy": "sm__maximum_warps_per_active_cycle_pct",
    "Achieved Occupancy": "sm__warps_active.avg.pct_of_peak_sustained_active",
    "Theoretical Active Warps per SM": "sm__maximum_warps_avg_per_active_cycle",
    "Block Limit SM": "launch__occupancy_limit_blocks", "Block Limit Registers": "launch__occupancy_limit_registers",
    "Block Limit Shared Mem": "launch__occupancy_limit_shared_mem", "Block Limit Warps": "launch__occupancy_limit_warps",
    "Issued Warp Per Scheduler": "smsp__issue_active.avg.per_cycle_active",
    "Active Warps Per Scheduler": "smsp__warps_active.avg.per_cycle_active",
    "Eligible Warps Per Scheduler": "smsp__warps_eligible.avg.per_cycle_active",
    "Warp Cycles Per Issued Instruction": "smsp__average_warp_latency_per_inst_issued.ratio",
    "Avg. Active Threads Per Warp": "smsp__thread_inst_executed_per_inst_executed.ratio",
    "Avg. Not Predicated Off Threads Per Warp": "smsp__thread_inst_executed_pred_on_per_inst_executed.ratio",
}


def read(path):
    rows = [l for l in open(path, errors="replace") if l.startswith('"')]
    kernels = {}
    for r in csv.DictReader(rows):
        k = kernels.setdefault(r["ID"], {"sections": [], "values": {}, "rules": []})
        if r.get("Rule Name"):
            k["rules"].append((r["Section Name"], r["Rule Name"], r["Rule Type"],
                               r["Estimated Speedup Type"] or "-", r["Estimated Speedup"] or "-",
                               finding(r["Rule Name"], r["Rule Description"])))
            continue
        sid = SECTIONS.get(r["Section Name"])
        if sid and sid not in k["sections"]:
            k["sections"].append(sid)
        metric = METRICS.get(r["Metric Name"])
        if r["Metric Name"].startswith("Stall ") and sid == "WarpStateStats":
            metric = ("smsp__average_warps_issue_stalled_" + r["Metric Name"][6:].lower().replace(" ", "_") +
                      "_per_issue_active.ratio")
        if metric and sid:
            try:
                k["values"][metric] = float(r["Metric Value"].replace(",", ""))
            except ValueError:
                pass
    return kernels


def main():
    for arg in sys.argv[1:]:
        label, paths = arg.split("=", 1)
        values_path, _, rules_path = paths.partition(":")
        kernels = read(values_path)
        if rules_path:
            rules = list(read(rules_path).values())
            for k, r in zip(kernels.values(), rules):
                k["rules"] = r["rules"]
        for kid, k in kernels.items():
            print(f"kernel\t{label}\t{kid}\t{','.join(k['sections'])}")
            for m, v in k["values"].items():
                print(f"value\t{m}\t{v:g}")
            for rule in k["rules"]:
                print("rule\t" + "\t".join(rule))


if __name__ == "__main__":
    main()
