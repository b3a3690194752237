#!/usr/bin/env python3
"""Per-layer time from a trace of our engine (`gpuscope analyze --layers --format json`)
against the engine's own per-layer profile (`gpuscope bench --exportProfile`).

    python3 scripts/models/layers_vs_profile.py --analyze a.json --profile p.json [--label x] [--jsonl out]

Trace side: each row's kernel time per inference. analyze divides by the iterations it
detected; when it found none (iterations = 1), the inference count is estimated as the
median over layers of calls / distinct kernels (each kernel of a layer runs once per
inference). Profile side: averageMs (total / times the layer was reported).
A layer agrees when |trace - profile| <= 10% of profile; the verdict counts the layers
holding >= 1% of the profile's time (tiny layers are dominated by event resolution).
The profile times each layer between two event nodes of a captured graph, which costs a
near-constant 2-3 us per layer (the next kernel's launch is no longer overlapped with the
previous one), so layers of 4-12 us differ by 20-40% raw. The script therefore also
reports that offset (the median of profile - trace over the counted layers) and the
agreement after subtracting it; the verdict uses the corrected agreement, provided the
offset is at most MAX_OFFSET_US. Both are printed, so the raw numbers stay visible.
Also reported: the share of kernel time the trace could not map to a layer ("(no layer)").
Exit 0 when every counted layer agrees and every kernel is mapped, 1 otherwise, 2 on bad input.
"""
import argparse
import json
import statistics
import sys

TOL = 0.10
MIN_SHARE = 1.0  # percent
MAX_OFFSET_US = 5.0  # largest per-layer profiling cost accepted as "event-node overhead"


def load(path):
    """JSON from a file that may carry log lines around it (stderr merged into the log)."""
    with open(path, errors="replace") as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("{") or line.startswith("["):
                body = "\n".join(lines[i:])
                end = max(body.rfind("}"), body.rfind("]"))
                return json.loads(body[:end + 1])
        raise


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--analyze", required=True)
    ap.add_argument("--profile", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--jsonl", help="append the result as one JSON line")
    a = ap.parse_args()
    try:
        an = load(a.analyze)
        prof = load(a.profile)
        layers = an["layers"]
        rows = layers["rows"]
    except Exception as e:
        print("layers_vs_profile: cannot read inputs: %s: %s" % (type(e).__name__, e))
        return 2
    prof_rows = [r for r in prof if isinstance(r, dict) and "name" in r]
    prof_total = sum(float(r.get("averageMs", 0)) for r in prof_rows)
    iterations = int(layers.get("iterations", 1) or 1)
    mapped = [r for r in rows if r.get("layer") != "(no layer)"]
    ratios = [r["calls"] / r["kernels"] for r in mapped if r.get("kernels")]
    calls_per_kernel = statistics.median(ratios) if ratios else None
    if iterations > 1:
        n_inf, how = iterations, "iterations detected by analyze"
    else:
        n_inf = calls_per_kernel or 1
        how = "median calls/kernels over layers"
    total_ns = float(layers.get("total_ns", 0)) or 1.0
    nolayer_ns = sum(float(r["total_ns"]) for r in rows if r.get("layer") == "(no layer)")
    trace_ms = {}
    for r in mapped:
        v = float(r["per_iteration_ns"]) if iterations > 1 else float(r["total_ns"]) / n_inf
        trace_ms[r["layer"].strip()] = trace_ms.get(r["layer"].strip(), 0.0) + v / 1e6
    counted_diffs = []
    for p in prof_rows:
        pm = float(p.get("averageMs", 0))
        tm = trace_ms.get(p["name"].strip())
        if tm is not None and prof_total > 0 and 100.0 * pm / prof_total >= MIN_SHARE:
            counted_diffs.append(pm - tm)
    offset_ms = max(0.0, statistics.median(counted_diffs)) if counted_diffs else 0.0
    out_rows, counted, agree, agree_corr = [], 0, 0, 0
    for p in prof_rows:
        name = p["name"].strip()
        pm = float(p.get("averageMs", 0))
        share = 100.0 * pm / prof_total if prof_total > 0 else 0.0
        tm = trace_ms.pop(name, None)
        rel = abs(tm - pm) / pm if (tm is not None and pm > 0) else None
        ok = rel is not None and rel <= TOL
        pc = pm - offset_ms
        rel_corr = abs(tm - pc) / pc if (tm is not None and pc > 0) else None
        ok_corr = rel_corr is not None and rel_corr <= TOL
        if share >= MIN_SHARE:
            counted += 1
            agree += 1 if ok else 0
            agree_corr += 1 if ok_corr else 0
        out_rows.append({"layer": name, "profile_ms": pm, "trace_ms": tm, "rel_diff": rel, "share": share,
                         "counted": share >= MIN_SHARE, "agree": ok, "rel_diff_corrected": rel_corr,
                         "agree_corrected": ok_corr})
    only_trace = sorted(trace_ms.items(), key=lambda kv: -kv[1])
    res = {"label": a.label, "inferences": n_inf, "inferences_from": how, "calls_per_kernel_median": calls_per_kernel,
           "profile_layers": len(prof_rows),
           "trace_layers": len(mapped), "counted_layers": counted, "agreeing_layers": agree,
           "per_layer_offset_us": 1000.0 * offset_ms, "agreeing_layers_corrected": agree_corr,
           "tolerance": TOL, "min_share_percent": MIN_SHARE,
           "profile_total_ms": prof_total, "trace_total_ms": sum(v for v in
                                                                 [r["trace_ms"] for r in out_rows] if v) +
           sum(v for _, v in only_trace),
           "unmapped_kernel_time_percent": 100.0 * nolayer_ns / total_ns,
           "layers_only_in_trace": [n for n, _ in only_trace][:20],
           "rows": out_rows}
    res["pass"] = (counted > 0 and agree_corr == counted and 1000.0 * offset_ms <= MAX_OFFSET_US
                   and nolayer_ns == 0)
    print("== %s: trace (analyze --layers, %s = %.1f inferences; median calls per distinct kernel %s) vs "
          "--exportProfile" % (a.label, how, n_inf, calls_per_kernel))
    pct = lambda v: "%.1f%%" % (100 * v) if v is not None else "-"
    print("  per-layer profiling offset (median profile - trace over counted layers): %.2f us" % (1000.0 * offset_ms))
    print("  %-60s %10s %10s %8s %9s %6s" % ("layer", "profile ms", "trace ms", "diff", "diff-off", "share"))
    for r in sorted(out_rows, key=lambda r: -r["profile_ms"])[:40]:
        print("  %-60s %10.4f %10s %8s %9s %5.1f%%%s" % (
            r["layer"][:60], r["profile_ms"], "%.4f" % r["trace_ms"] if r["trace_ms"] is not None else "-",
            pct(r["rel_diff"]), pct(r["rel_diff_corrected"]), r["share"],
            "" if r["agree_corrected"] or not r["counted"] else "  <-- off"))
    if only_trace:
        print("  layers in the trace but not in the profile: %s" % ", ".join(n for n, _ in only_trace[:10]))
    print("  RESULT %s: %d of %d layers (>= %.0f%% of time) within %.0f%% raw, %d after the %.2f us per-layer "
          "offset; totals profile %.4f ms, trace %.4f ms; kernel time without a layer %.2f%% -> %s" % (
              a.label, agree, counted, MIN_SHARE, 100 * TOL, agree_corr, 1000.0 * offset_ms, prof_total,
              res["trace_total_ms"],
              res["unmapped_kernel_time_percent"], "PASS" if res["pass"] else "FAIL"))
    if a.jsonl:
        with open(a.jsonl, "a") as f:
            f.write(json.dumps(res) + "\n")
    return 0 if res["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
