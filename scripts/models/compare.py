#!/usr/bin/env python3
"""Correctness of gpuscope's engine against onnxruntime (CPU) and PyTorch eager fp32.

A *case* is one model at one batch (and sequence) size, kept in its own directory:
  inputs   compare.py inputs --model bert_base --batch 1 --onnxdir D --casedir C
           writes C/inputs/<input>.bin (raw little-endian bytes of the ONNX input dtype, what
           `gpuscope bench --loadInputs=name:file` reads), C/case.json, and the argument
           strings C/shapes.txt (name:1x128,...) and C/loadinputs.txt (name:path,...).
  ref      compare.py ref --casedir C [--casedir C2 ...] [--ort] [--torch]
           onnxruntime CPU on the ONNX file -> C/ref_ort.npz; PyTorch eager fp32 (GPU when
           there is one; TF32 off) on the same model definition -> C/ref_torch.npz.
  check    compare.py check --casedir C --gpuscope out.json --precision fp16 [--summary S.jsonl]
           reads `gpuscope bench --exportOutput=out.json` (trtexec's format: a JSON array of
           {"name", "dimensions": "1x1000" (or a list), "values": [...]}) and reports per output:
           max abs error, max |ref|, rel = max|a - b| / max|ref|, mean abs error, cosine
           similarity. PASS when rel <= 1e-4 (fp32) or 1e-2 (fp16, bf16) against onnxruntime
           for every output, and no NaN/Inf where the reference is finite. Appends one JSON
           line per check to --summary. Exit 0 PASS, 1 FAIL, 2 could not compare.
  all      inputs + ref (+ check when --gpuscope is given) in one go.
"""
import argparse
import json
import math
import os
import re
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_zoo  # noqa: E402

TOLERANCE = {"fp32": 1e-4, "fp16": 1e-2, "bf16": 1e-2, "best": 1e-2}
METRIC = "max|a-b| / max|ref| over all elements of the output"


def log(msg):
    print("[compare %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def load_json(path):
    with open(path) as f:
        return json.load(f)


# ---------------------------------------------------------------- inputs
def cmd_inputs(a):
    name = a.model
    if name not in model_zoo.MODELS:
        log("unknown model %r" % name)
        return 2
    side_path = os.path.join(a.onnxdir, name + ".json")
    side = load_json(side_path) if os.path.exists(side_path) else {}
    onnx_path = os.path.abspath(os.path.join(a.onnxdir, name + ".onnx"))
    arrays = model_zoo.make_inputs(name, a.batch, a.seq)
    # The ONNX graph's own input names and dtypes win (the sidecar has them); a missing
    # sidecar falls back to the names model_zoo asked the exporter for.
    graph_inputs = {i["name"]: i for i in side.get("inputs", [])}
    os.makedirs(os.path.join(a.casedir, "inputs"), exist_ok=True)
    entries, shapes, loads = [], [], []
    for n, arr in arrays:
        gi = graph_inputs.get(n)
        if graph_inputs and gi is None:
            log("warning: %s has no input %r (inputs: %s)" % (onnx_path, n, list(graph_inputs)))
        if gi is not None:
            want = np.dtype(gi["dtype"])
            if want != arr.dtype:
                log("note: input %s cast %s -> %s as the ONNX graph declares" % (n, arr.dtype, want))
                arr = arr.astype(want)
            static = [d for d in gi["shape"]]
            for axis, (d, got) in enumerate(zip(static, arr.shape)):
                if isinstance(d, int) and d != got:
                    log("warning: input %s axis %d is static %d in the ONNX file but the case uses %d"
                        % (n, axis, d, got))
        path = os.path.abspath(os.path.join(a.casedir, "inputs", n + ".bin"))
        arr.astype(arr.dtype.newbyteorder("<"), copy=False).tofile(path)
        entries.append({"name": n, "dtype": str(arr.dtype), "shape": list(arr.shape), "file": path,
                        "bytes": int(arr.nbytes)})
        shapes.append("%s:%s" % (n, "x".join(str(d) for d in arr.shape)))
        loads.append("%s:%s" % (n, path))
    case = {"model": name, "batch": a.batch, "seq": a.seq or model_zoo.MODELS[name].get("seq"),
            "onnx": onnx_path, "inputs": entries, "input_seed": model_zoo.INPUT_SEED,
            "outputs": [o["name"] for o in side.get("outputs", [])] or model_zoo.output_names(name),
            "attn_implementation": side.get("attn_implementation"), "exporter": side.get("exporter")}
    with open(os.path.join(a.casedir, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
    with open(os.path.join(a.casedir, "shapes.txt"), "w") as f:
        f.write(",".join(shapes) + "\n")
    with open(os.path.join(a.casedir, "loadinputs.txt"), "w") as f:
        f.write(",".join(loads) + "\n")
    log("%s batch %d: %s" % (name, a.batch, ", ".join("%s %s %s" % (e["name"], e["dtype"], e["shape"])
                                                       for e in entries)))
    return 0


def read_case_inputs(casedir):
    case = load_json(os.path.join(casedir, "case.json"))
    feeds = []
    for e in case["inputs"]:
        arr = np.fromfile(e["file"], dtype=np.dtype(e["dtype"]).newbyteorder("<")).reshape(e["shape"])
        feeds.append((e["name"], arr.astype(np.dtype(e["dtype"]))))
    return case, feeds


# ---------------------------------------------------------------- references
def ref_ort(casedir, threads):
    import onnxruntime as ort

    case, feeds = read_case_inputs(casedir)
    so = ort.SessionOptions()
    # Basic graph optimisations only (constant folding, identities): exact rewrites,
    # so the reference is the ONNX graph as exported.
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    if threads:
        so.intra_op_num_threads = threads
    t0 = time.time()
    sess = ort.InferenceSession(case["onnx"], so, providers=["CPUExecutionProvider"])
    t1 = time.time()
    names = [o.name for o in sess.get_outputs()]
    want = {i.name for i in sess.get_inputs()}
    feed = {n: v for n, v in feeds if n in want}
    missing = want - set(feed)
    if missing:
        raise RuntimeError("%s needs inputs %s that the case does not have" % (case["onnx"], sorted(missing)))
    outs = sess.run(names, feed)
    res = {n: np.asarray(o) for n, o in zip(names, outs)}
    np.savez(os.path.join(casedir, "ref_ort.npz"), **res)
    log("ort %s batch %d: session %.1f s, run %.1f s, outputs %s" % (
        case["model"], case["batch"], t1 - t0, time.time() - t1, {n: list(v.shape) for n, v in res.items()}))


def ref_torch(casedirs, device):
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        torch.set_float32_matmul_precision("highest")
    except Exception:
        pass
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    models = {}
    ok = True
    for c in casedirs:
        try:
            case, feeds = read_case_inputs(c)
            key = (case["model"], case.get("attn_implementation"))
            if key not in models:
                models.clear()  # one model on the device at a time
                t0 = time.time()
                # Same definition and seed as the exported file; the attention implementation
                # the export used, so the math is the same graph.
                m = model_zoo.build_model(case["model"], attn=case.get("attn_implementation"))
                models[key] = m.to(device)
                log("torch %s built in %.1f s on %s" % (case["model"], time.time() - t0, device))
            m = models[key]
            args = [torch.from_numpy(np.ascontiguousarray(v)).to(device) for _, v in feeds]
            with torch.inference_mode():
                out = m(*args)
            if not isinstance(out, (tuple, list)):
                out = (out,)
            names = case["outputs"]
            if len(names) != len(out):
                names = ["output_%d" % i for i in range(len(out))]
            res = {n: o.float().cpu().numpy() for n, o in zip(names, out)}
            np.savez(os.path.join(c, "ref_torch.npz"), **res)
            with open(os.path.join(c, "ref_torch.json"), "w") as f:
                json.dump({"device": str(device), "torch": torch.__version__,
                           "gpu": torch.cuda.get_device_name(0) if str(device).startswith("cuda") else None}, f)
            log("torch %s batch %d: outputs %s" % (case["model"], case["batch"],
                                                    {n: list(v.shape) for n, v in res.items()}))
        except Exception as e:
            ok = False
            log("torch reference for %s FAILED: %s: %s" % (c, type(e).__name__, e))
    return ok


def cmd_ref(a):
    ok = True
    if a.ort:
        for c in a.casedir:
            try:
                ref_ort(c, a.threads)
            except Exception as e:
                ok = False
                log("onnxruntime reference for %s FAILED: %s: %s" % (c, type(e).__name__, e))
    if a.torch:
        ok = ref_torch(a.casedir, a.device) and ok
    return 0 if ok else 1


# ---------------------------------------------------------------- check
def parse_dims(d):
    if isinstance(d, list):
        return [int(x) for x in d]
    if isinstance(d, (int, float)):
        return [int(d)]
    s = str(d).strip()
    if s in ("", "scalar"):
        return []
    return [int(x) for x in re.split(r"[x,\s]+", s) if x]


def load_gpuscope_outputs(path):
    """trtexec's --exportOutput JSON. Bare nan/inf tokens (what a C++ stream writes) are
    made parseable first."""
    with open(path) as f:
        text = f.read()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        fixed = re.sub(r"(?<![\w\"])(-?)(nan|inf|infinity)(?![\w\"])",
                       lambda m: {"nan": "NaN"}.get(m.group(2).lower(), m.group(1) + "Infinity"),
                       text, flags=re.IGNORECASE)
        data = json.loads(fixed)
    if isinstance(data, dict):  # tolerate {"outputs": [...]} or a single object
        data = data.get("outputs", [data])
    out = {}
    for i, rec in enumerate(data):
        name = rec.get("name", "output_%d" % i)
        vals = np.asarray(rec.get("values", []), dtype=np.float64)
        dims = parse_dims(rec.get("dimensions", [vals.size]))
        if dims and int(np.prod(dims)) == vals.size:
            vals = vals.reshape(dims)
        out[name] = vals
    return out


def metrics(got, ref):
    g = np.asarray(got, dtype=np.float64).ravel()
    r = np.asarray(ref, dtype=np.float64).ravel()
    res = {"elements": int(r.size)}
    if g.size != r.size:
        res["error"] = "size %d vs reference %d" % (g.size, r.size)
        return res
    bad = ~np.isfinite(g) & np.isfinite(r)
    res["nonfinite"] = int(bad.sum())
    diff = np.abs(np.where(np.isfinite(g), g, 0.0) - r)
    max_ref = float(np.max(np.abs(r))) if r.size else 0.0
    max_err = float(np.max(diff)) if r.size else 0.0
    res["max_abs_err"] = max_err
    res["max_abs_ref"] = max_ref
    res["rel"] = max_err / max_ref if max_ref > 0 else (0.0 if max_err == 0 else math.inf)
    res["mean_abs_err"] = float(np.mean(diff)) if r.size else 0.0
    ng, nr = float(np.linalg.norm(np.where(np.isfinite(g), g, 0.0))), float(np.linalg.norm(r))
    res["cosine"] = float(np.dot(np.where(np.isfinite(g), g, 0.0), r) / (ng * nr)) if ng > 0 and nr > 0 else (
        1.0 if ng == nr else 0.0)
    if bad.any():
        res["rel"] = math.inf
    return res


def compare_sets(got, ref, tol):
    """Per reference output: metrics and pass. Outputs are matched by name; when no name
    matches but the counts do, by position (noted)."""
    rows = []
    names = list(ref.keys())
    by_pos = not any(n in got for n in names) and len(got) == len(names)
    gnames = list(got.keys())
    for i, n in enumerate(names):
        src = gnames[i] if by_pos else n
        if src not in got:
            rows.append({"name": n, "error": "missing in the candidate (has %s)" % gnames, "pass": False})
            continue
        m = metrics(got[src], ref[n])
        m["name"] = n
        if by_pos:
            m["matched_by_position"] = src
        m["pass"] = "error" not in m and m["rel"] <= tol
        rows.append(m)
    return rows


def jsonable(x):
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if isinstance(x, dict):
        return {k: jsonable(v) for k, v in x.items()}
    if isinstance(x, list):
        return [jsonable(v) for v in x]
    return x


def fmt_rows(title, rows):
    lines = ["  %s" % title]
    for r in rows:
        if "error" in r:
            lines.append("    %-20s ERROR %s" % (r["name"], r["error"]))
            continue
        lines.append("    %-20s rel %.3e  max_abs_err %.3e  max|ref| %.3e  mean_abs_err %.3e  cos %.8f%s  %s" % (
            r["name"], r["rel"], r["max_abs_err"], r["max_abs_ref"], r["mean_abs_err"], r["cosine"],
            "  nonfinite %d" % r["nonfinite"] if r.get("nonfinite") else "", "PASS" if r["pass"] else "FAIL"))
    return "\n".join(lines)


def load_npz(path):
    if not os.path.exists(path):
        return None
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def cmd_check(a):
    tol = a.tolerance if a.tolerance is not None else TOLERANCE[a.precision]
    case = load_json(os.path.join(a.casedir, "case.json"))
    ort_ref = load_npz(os.path.join(a.casedir, "ref_ort.npz"))
    torch_ref = load_npz(os.path.join(a.casedir, "ref_torch.npz"))
    rec = {"model": case["model"], "batch": case["batch"], "seq": case.get("seq"), "precision": a.precision,
           "label": a.label, "tolerance": tol, "metric": METRIC, "gpuscope_output": a.gpuscope}
    got = None
    if a.gpuscope:
        try:
            got = load_gpuscope_outputs(a.gpuscope)
        except Exception as e:
            rec["error"] = "cannot read %s: %s: %s" % (a.gpuscope, type(e).__name__, e)
    primary = "onnxruntime-cpu" if ort_ref is not None else ("torch-eager-fp32" if torch_ref is not None else None)
    rec["reference"] = primary
    text = ["== %s batch %s %s (%s <= %g; reference %s)" % (case["model"], case["batch"], a.precision, "rel", tol,
                                                           primary)]
    if torch_ref is not None and ort_ref is not None:
        rows = compare_sets(torch_ref, ort_ref, 1e-4)
        rec["torch_vs_ort"] = rows
        text.append(fmt_rows("PyTorch eager fp32 vs onnxruntime (export check, 1e-4)", rows))
    if got is not None and primary:
        rows = compare_sets(got, ort_ref if ort_ref is not None else torch_ref, tol)
        rec["outputs"] = rows
        rec["rel_max"] = max((r.get("rel", math.inf) for r in rows), default=math.inf)
        rec["pass"] = bool(rows) and all(r["pass"] for r in rows)
        text.append(fmt_rows("gpuscope vs %s" % primary, rows))
        if torch_ref is not None and ort_ref is not None:
            rows_t = compare_sets(got, torch_ref, tol)
            rec["vs_torch"] = rows_t
            text.append(fmt_rows("gpuscope vs torch-eager-fp32", rows_t))
    elif "error" not in rec:
        rec["error"] = "no gpuscope output given" if got is None else "no reference (run compare.py ref first)"
    verdict = "PASS" if rec.get("pass") else ("ERROR" if "error" in rec else "FAIL")
    rec["verdict"] = verdict
    text.append("  RESULT %s %s b%s %s: %s%s" % (case["model"], a.label or "", case["batch"], a.precision, verdict,
                                               (" (" + rec["error"] + ")") if "error" in rec else
                                               " rel_max %.3e" % rec.get("rel_max", math.nan)))
    print("\n".join(text), flush=True)
    if a.summary:
        with open(a.summary, "a") as f:
            f.write(json.dumps(jsonable(rec)) + "\n")
    return 0 if verdict == "PASS" else (2 if verdict == "ERROR" else 1)


def cmd_all(a):
    rc = cmd_inputs(a)
    if rc:
        return rc
    a.casedir = [a.casedir]
    rc = cmd_ref(a)
    a.casedir = a.casedir[0]
    if a.gpuscope:
        return cmd_check(a)
    return rc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def add_inputs(p):
        p.add_argument("--model", required=True, choices=sorted(model_zoo.MODELS))
        p.add_argument("--batch", type=int, required=True)
        p.add_argument("--seq", type=int, default=None, help="sequence length (text models; default per model)")
        p.add_argument("--onnxdir", required=True)

    def add_ref(p):
        p.add_argument("--ort", action="store_true", help="onnxruntime CPU reference")
        p.add_argument("--torch", action="store_true", help="PyTorch eager fp32 reference")
        p.add_argument("--device", default="auto", help="torch device (auto: cuda if available)")
        p.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0: its default)")

    def add_check(p):
        p.add_argument("--gpuscope", help="JSON written by gpuscope bench --exportOutput")
        p.add_argument("--precision", default="fp32", choices=sorted(TOLERANCE))
        p.add_argument("--tolerance", type=float, default=None, help="override the precision's tolerance")
        p.add_argument("--label", default="", help="free text stored with the result (e.g. engine name)")
        p.add_argument("--summary", help="append one JSON line per check to this file")

    p = sub.add_parser("inputs")
    add_inputs(p)
    p.add_argument("--casedir", required=True)
    p = sub.add_parser("ref")
    p.add_argument("--casedir", required=True, action="append")
    add_ref(p)
    p = sub.add_parser("check")
    p.add_argument("--casedir", required=True)
    add_check(p)
    p = sub.add_parser("all")
    add_inputs(p)
    p.add_argument("--casedir", required=True)
    add_ref(p)
    add_check(p)
    a = ap.parse_args()
    try:
        return {"inputs": cmd_inputs, "ref": cmd_ref, "check": cmd_check, "all": cmd_all}[a.cmd](a)
    except Exception as e:
        log("error: %s: %s" % (type(e).__name__, e))
        return 2


if __name__ == "__main__":
    sys.exit(main())
