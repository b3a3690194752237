#!/usr/bin/env python3
"""summary.md and summary.json of an engine_check.sh run.

    python3 scripts/models/summarize.py --runs runs.jsonl [--compare compare.jsonl]
        [--torch torch_baseline.json] [--layers layers.jsonl] --md summary.md --json summary.json

runs.jsonl: one line per command engine_check.sh ran ({"step", "model", "precision",
"batch", "variant", "rc", "seconds", "log"}); the gpuscope bench logs are parsed for trtexec's
`=== Performance summary ===` lines (GPU Compute Time / Enqueue Time / Latency / H2D / D2H
medians, Throughput qps). Throughput in items/s = qps x batch (one query = one batch).
The main table's gpuscope numbers come from the run with --useCudaGraph --noDataTransfers
(pure compute, like the torch numbers, which are CUDA-event times around the model call),
falling back to the other variants in the order nodt, graph, base, build.
"""
import argparse
import json
import os
import re
import sys

METRICS = ("Latency", "Enqueue Time", "H2D Latency", "GPU Compute Time", "D2H Latency")
PREFIX = re.compile(r"^(\[[^\]]*\]\s*)*")
STAT = re.compile(r"^(?P<metric>[A-Za-z0-9 ]+): min = (?P<min>\S+) ms, max = (?P<max>\S+) ms, "
                  r"mean = (?P<mean>\S+) ms, median = (?P<median>\S+) ms")
VARIANT_ORDER = ("graph_nodt", "nodt", "graph", "base", "build")


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def parse_bench_log(path):
    res = {}
    try:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return res
    for line in lines:
        body = PREFIX.sub("", line).strip()
        m = STAT.match(body)
        if m and m.group("metric") in METRICS:
            res[m.group("metric")] = {k: num(m.group(k)) for k in ("min", "max", "mean", "median")}
            continue
        m = re.match(r"^Throughput: (\S+) qps", body)
        if m:
            res["qps"] = num(m.group(1))
            continue
        m = re.search(r"Engine built in (\S+) sec", body)
        if m:
            res["build_s"] = num(m.group(1))
        m = re.search(r"Total Host Walltime: (\S+) s", body)
        if m:
            res["walltime_s"] = num(m.group(1))
        if body.startswith("&&&& PASSED"):
            res["passed"] = True
        elif body.startswith("&&&& FAILED"):
            res["passed"] = False
        if "CUDA graph" in body and ("fail" in body.lower() or "fall" in body.lower()):
            res["graph_note"] = body[:200]
    return res


def last_error(path, n=3):
    try:
        with open(path, errors="replace") as f:
            lines = [l.rstrip() for l in f if l.strip()]
    except OSError:
        return "(no log)"
    errs = [l for l in lines if re.search(r"error|fail|\[E\]|Traceback|what\(\)", l, re.I)]
    pick = errs[-n:] if errs else lines[-n:]
    return " | ".join(p[:240] for p in pick)


def read_jsonl(path):
    out = []
    if path and os.path.exists(path):
        with open(path, errors="replace") as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except json.JSONDecodeError:
                        pass
    return out


def fmt(v, spec="%.4f"):
    return spec % v if isinstance(v, (int, float)) and v is not None else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", required=True)
    ap.add_argument("--compare")
    ap.add_argument("--torch")
    ap.add_argument("--layers")
    ap.add_argument("--title", default="gpuscope engine check")
    ap.add_argument("--env", help="text file with the environment lines to quote")
    ap.add_argument("--md", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()

    runs = read_jsonl(a.runs)
    for r in runs:
        if r.get("step") in ("build", "bench", "profile", "traced_bench") and r.get("log"):
            r["perf"] = parse_bench_log(r["log"])
    checks = read_jsonl(a.compare)
    layers = read_jsonl(a.layers)
    torch_res = {}
    if a.torch and os.path.exists(a.torch):
        try:
            with open(a.torch) as f:
                torch_res = json.load(f)
        except Exception as e:
            torch_res = {"errors": ["cannot read %s: %s" % (a.torch, e)]}

    keys = []
    for r in runs:
        if r.get("step") in ("build", "bench") and r.get("model"):
            k = (r["model"], r.get("precision"), int(r.get("batch") or 0))
            if k not in keys:
                keys.append(k)

    order = {m: i for i, m in enumerate(dict.fromkeys(k[0] for k in keys))}
    keys.sort(key=lambda k: (order[k[0]], k[1] != "fp16", k[2]))

    def torch_ms(model, batch, modes):
        best = None
        for t in torch_res.get("results", []):
            if t["model"] == model and int(t["batch"]) == batch and t["mode"] in modes:
                if best is None or t["median_ms"] < best["median_ms"]:
                    best = t
        return best

    rows = []
    for model, prec, batch in keys:
        row = {"model": model, "precision": prec, "batch": batch}
        for v in VARIANT_ORDER:
            cand = [r for r in runs if r.get("model") == model and r.get("precision") == prec and
                    int(r.get("batch") or 0) == batch and
                    (r.get("variant") == v or (v == "build" and r.get("step") == "build"))]
            cand = [r for r in cand if r.get("perf", {}).get("GPU Compute Time")]
            if cand:
                p = cand[-1]["perf"]
                row["gpuscope_variant"] = v
                row["gpuscope_ms"] = p["GPU Compute Time"]["median"]
                if p.get("qps") is not None:
                    row["gpuscope_items_s"] = p["qps"] * batch
                break
        ch = [c for c in checks if c.get("model") == model and c.get("precision") == prec and
              int(c.get("batch") or 0) == batch]
        if ch:
            c = ch[-1]
            row["correctness"] = c.get("verdict")
            row["rel_max"] = c.get("rel_max")
            row["reference"] = c.get("reference")
        if torch_res.get("dtype") == prec:
            e = torch_ms(model, batch, ("eager",))
            c = torch_ms(model, batch, ("compile", "compile-ro"))
            if e:
                row["torch_eager_ms"] = e["median_ms"]
            if c:
                row["torch_compile_ms"] = c["median_ms"]
                row["torch_compile_mode"] = c["mode"]
                row["torch_compile_items_s"] = c["throughput_items_s"]
                if isinstance(row.get("gpuscope_ms"), float) and c["median_ms"] > 0:
                    row["ratio_vs_compile"] = row["gpuscope_ms"] / c["median_ms"]
        rows.append(row)

    failures = [{"step": r.get("step"), "what": r.get("what", ""), "rc": r.get("rc"), "log": os.path.basename(
        r.get("log") or ""), "last_error": last_error(r["log"]) if r.get("log") else ""}
                for r in runs if r.get("rc") not in (0, None) and r.get("step") != "skip"]
    skipped = [r for r in runs if r.get("step") == "skip"]

    md = ["# %s" % a.title, ""]
    if a.env and os.path.exists(a.env):
        with open(a.env, errors="replace") as f:
            md += ["```", f.read().strip()[:3000], "```", ""]
    md += ["Correctness metric: rel = max|gpuscope - ref| / max|ref| over each output (reference: onnxruntime "
           "CPU on the same ONNX file, inputs from compare.py), PASS at fp32 <= 1e-4, fp16 <= 1e-2 for every "
           "output. gpuscope ms: median GPU Compute Time of `gpuscope bench` (variant noted; graph_nodt = "
           "--useCudaGraph --noDataTransfers). Torch: median of per-iteration CUDA-event times around the model "
           "call, fp16; torch.compile = best of default and reduce-overhead modes. Ratio = gpuscope ms / "
           "torch.compile ms (issue bar: <= 1.5).", ""]
    md += ["| model | precision | batch | correctness (rel) | gpuscope GPU compute median ms | gpuscope items/s | "
           "torch eager ms | torch.compile ms | ratio |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        corr = "-"
        if r.get("correctness"):
            corr = "%s %s" % (fmt(r.get("rel_max"), "%.2e") if isinstance(r.get("rel_max"), float) else
                              str(r.get("rel_max", "")), r["correctness"])
        md.append("| %s | %s | %d | %s | %s%s | %s | %s | %s%s | %s |" % (
            r["model"], r["precision"], r["batch"], corr, fmt(r.get("gpuscope_ms")),
            " (%s)" % r["gpuscope_variant"] if r.get("gpuscope_variant") else "", fmt(r.get("gpuscope_items_s"),
                                                                                      "%.1f"),
            fmt(r.get("torch_eager_ms")), fmt(r.get("torch_compile_ms")),
            " (%s)" % r["torch_compile_mode"] if r.get("torch_compile_mode") else "",
            fmt(r.get("ratio_vs_compile"), "%.2f")))
    md.append("")
    bench_runs = [r for r in runs if r.get("step") == "bench" and r.get("perf")]
    if bench_runs:
        md += ["## Bench variants (median ms; enqueue shows the effect of --useCudaGraph)", "",
               "| model | precision | batch | variant | GPU compute | enqueue | latency | H2D | D2H | qps | rc |",
               "|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in bench_runs:
            p = r["perf"]
            g = lambda m: fmt((p.get(m) or {}).get("median"))  # noqa: E731
            md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                r.get("model"), r.get("precision"), r.get("batch"), r.get("variant"), g("GPU Compute Time"),
                g("Enqueue Time"), g("Latency"), g("H2D Latency"), g("D2H Latency"), fmt(p.get("qps"), "%.1f"),
                r.get("rc")))
        md.append("")
    if checks:
        md += ["## Correctness details", "", "| model | batch | precision | output | rel | max abs err | max abs ref "
               "| mean abs err | cosine | vs torch rel | verdict |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for c in checks:
            vt = {o.get("name"): o for o in c.get("vs_torch", [])}
            for o in c.get("outputs", []) or [{"name": "-", "error": c.get("error", "")}]:
                t = vt.get(o.get("name"), {})
                md.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    c.get("model"), c.get("batch"), c.get("precision"), o.get("name"),
                    fmt(o.get("rel"), "%.2e") if isinstance(o.get("rel"), float) else o.get("rel", o.get("error", "")),
                    fmt(o.get("max_abs_err"), "%.2e"), fmt(o.get("max_abs_ref"), "%.2e"),
                    fmt(o.get("mean_abs_err"), "%.2e"), fmt(o.get("cosine"), "%.6f"),
                    fmt(t.get("rel"), "%.2e") if isinstance(t.get("rel"), float) else "-",
                    "PASS" if o.get("pass") else "FAIL"))
            tv = c.get("torch_vs_ort")
            if tv:
                md.append("| %s | %s | (export check) | torch fp32 vs onnxruntime | %s | | | | | | %s |" % (
                    c.get("model"), c.get("batch"),
                    ", ".join("%s %s" % (o.get("name"), fmt(o.get("rel"), "%.2e") if isinstance(o.get("rel"), float)
                                         else o.get("error", "")) for o in tv),
                    "PASS" if all(o.get("pass") for o in tv) else "FAIL"))
        md.append("")
    if layers:
        md += ["## Trace of the engine vs its per-layer profile", "",
               "Layers holding >= 1% of the profile's time. The profile times each layer between event nodes, "
               "which adds a near-constant per-layer cost (the offset: median of profile - trace); the verdict "
               "uses the agreement after subtracting it (at most 5 us) and needs every kernel mapped to a layer.", "",
               "| engine | within 10% raw | per-layer offset us | within 10% after offset | profile total ms | "
               "trace total ms | kernel time without a layer | verdict |", "|---|---|---|---|---|---|---|---|"]
        for l in layers:
            md.append("| %s | %d / %d | %.2f | %d / %d | %s | %s | %.2f%% | %s |" % (
                l.get("label"), l.get("agreeing_layers", 0), l.get("counted_layers", 0),
                l.get("per_layer_offset_us", 0.0), l.get("agreeing_layers_corrected", 0), l.get("counted_layers", 0),
                fmt(l.get("profile_total_ms")), fmt(l.get("trace_total_ms")),
                l.get("unmapped_kernel_time_percent", 0.0), "PASS" if l.get("pass") else "FAIL"))
        md.append("")
    if torch_res.get("skipped") or torch_res.get("errors"):
        md += ["## PyTorch baseline: skipped / failed", ""]
        for s in torch_res.get("skipped", []):
            md.append("- skipped %s %s b%s: %s" % (s.get("mode"), s.get("model"), s.get("batch"), s.get("reason")))
        for s in torch_res.get("errors", []):
            md.append("- error %s" % (s if isinstance(s, str) else "%s %s b%s: %s" % (
                s.get("mode"), s.get("model"), s.get("batch"), s.get("error"))))
        md.append("")
    if failures or skipped:
        md += ["## Failed or skipped steps", ""]
        for f in failures:
            md.append("- FAILED (rc %s) %s %s [%s]: %s" % (f["rc"], f["step"], f["what"], f["log"], f["last_error"]))
        for s in skipped:
            md.append("- SKIPPED %s: %s" % (s.get("what"), s.get("reason", "")))
        md.append("")
    steps = [r for r in runs if r.get("step") != "skip"]
    md.append("Steps run: %d, failed: %d, skipped: %d; total seconds in steps: %.0f." % (
        len(steps), len(failures), len(skipped), sum(float(r.get("seconds") or 0) for r in steps)))
    with open(a.md, "w") as f:
        f.write("\n".join(md) + "\n")
    with open(a.json, "w") as f:
        json.dump({"title": a.title, "rows": rows, "checks": checks, "layers": [
            {k: v for k, v in l.items() if k != "rows"} for l in layers],
            "torch": torch_res, "runs": runs, "failures": failures, "skipped": skipped}, f, indent=1, default=str)
    print("\n".join(md[:60]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
