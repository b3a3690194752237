#!/usr/bin/env python3
"""Export the engine issue's models (or their --tiny variants) to ONNX with random weights.

    python3 scripts/models/make_models.py --outdir /tmp/gpuscope-models [--tiny] [--models a,b]

For each model: <outdir>/<model>.onnx (weights inline; external data only above 2 GB, which
none of these reach) and <model>.json, the sidecar: inputs/outputs as they are in the ONNX
graph (names, dtypes, shapes with symbolic dims), the exporter that produced the file,
the opset, the seconds taken, library versions and every failed attempt with its error.

Exporter attempts, in order, the first that succeeds wins:
  1. torch.onnx.export(dynamo=True, opset 18), dynamic batch (+ sequence for text models)
  2. text models: the same with attn_implementation="eager" (the wrapper already returns
     only last_hidden_state and passes use_cache=False, the GPT-2 failure the issue names)
  3. TorchScript exporter (dynamo=False), opset 18 then 17, dynamic_axes.
Exit status: 0 when every requested model was written and passed onnx.checker, else 1.
"""
import argparse
import inspect
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_zoo  # noqa: E402

OPSET = 18


def log(msg):
    print("[make_models %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def example_args(name, torch):
    """Export-time example inputs: batch 2 (a batch of 1 would be specialised by
    torch.export) and a sequence length different from every other dim."""
    arrays = model_zoo.make_inputs(name, 2)
    return tuple(torch.from_numpy(a) for _, a in arrays)


def _accepted(fn, kwargs):
    """Drop keyword arguments this torch version's export() does not know."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return kwargs
    if any(p.kind == p.VAR_KEYWORD for p in params.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params}


def export_dynamo(torch, model, args, path, name, batch_only=False):
    axes = model_zoo.dynamic_axes(name)
    # String dims: torch.onnx turns them into export dims and names the ONNX dim_params.
    dyn = {n: {k: v for k, v in axes[n].items() if not batch_only or v == "batch"}
           for n in model_zoo.input_names(name)}
    kw = dict(dynamo=True, opset_version=OPSET, input_names=model_zoo.input_names(name),
              output_names=model_zoo.output_names(name), dynamic_shapes=dyn, external_data=False,
              optimize=True)
    if "dynamo" not in inspect.signature(torch.onnx.export).parameters:
        raise RuntimeError("this torch.onnx.export has no dynamo= argument (torch %s)" % torch.__version__)
    torch.onnx.export(model, args, path, **_accepted(torch.onnx.export, kw))


def export_torchscript(torch, model, args, path, name, opset):
    kw = dict(opset_version=opset, input_names=model_zoo.input_names(name),
              output_names=model_zoo.output_names(name), dynamic_axes=model_zoo.dynamic_axes(name),
              do_constant_folding=True)
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw["dynamo"] = False
    torch.onnx.export(model, args, path, **_accepted(torch.onnx.export, kw))


def onnx_dtype_name(onnx, elem_type):
    try:
        return str(onnx.helper.tensor_dtype_to_np_dtype(elem_type))
    except Exception:
        try:
            return str(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[elem_type])
        except Exception:
            return "onnx_type_%d" % elem_type


def describe_onnx(path):
    """Inputs, outputs and opset as the file has them (weights not loaded)."""
    import onnx

    m = onnx.load(path, load_external_data=False)

    def vi(v):
        t = v.type.tensor_type
        dims = []
        for d in t.shape.dim:
            if d.HasField("dim_value"):
                dims.append(int(d.dim_value))
            else:
                dims.append(d.dim_param or "?")
        return {"name": v.name, "dtype": onnx_dtype_name(onnx, t.elem_type), "shape": dims}

    inits = {i.name for i in m.graph.initializer}
    opsets = {o.domain or "ai.onnx": int(o.version) for o in m.opset_import}
    ops = {}
    for n in m.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    external = any(t.data_location == onnx.TensorProto.EXTERNAL for t in m.graph.initializer)
    return {
        "inputs": [vi(v) for v in m.graph.input if v.name not in inits],
        "outputs": [vi(v) for v in m.graph.output],
        "opset": opsets.get("ai.onnx"),
        "opset_imports": opsets,
        "ir_version": int(m.ir_version),
        "nodes": len(m.graph.node),
        "op_types": dict(sorted(ops.items())),
        "initializers": len(m.graph.initializer),
        "external_data": bool(external),
    }


def check_onnx(path):
    import onnx

    # A path (not a loaded proto) works for any size; full_check (shape inference) off:
    # it is slow on the big models and the engine does its own inference.
    onnx.checker.check_model(path, full_check=False)


def make_one(name, outdir, opset_fallbacks, only_exporter):
    import torch

    path = os.path.join(outdir, name + ".onnx")
    for stale in (path, path + ".data"):
        if os.path.exists(stale):
            os.remove(stale)
    kind = model_zoo.MODELS[name]["kind"]
    attempts = []
    # (exporter, attention implementation, opset, batch-only dynamic dims)
    plan = [("dynamo", None, OPSET, False)]
    if kind in ("bert", "gpt2"):
        plan.append(("dynamo", "eager", OPSET, False))
        # A fixed sequence length (the example's, which is the one every case uses) when a
        # dynamic one is what the exporter cannot do.
        plan.append(("dynamo", "eager", OPSET, True))
    for op in opset_fallbacks:
        plan.append(("torchscript", "eager" if kind in ("bert", "gpt2") else None, op, False))
    if only_exporter:
        plan = [p for p in plan if p[0] == only_exporter]
    t_all = time.time()
    for exporter, attn, opset, batch_only in plan:
        t0 = time.time()
        label = "%s opset %d%s%s" % (exporter, opset, ", attn=" + attn if attn else "",
                                     ", dynamic batch only" if batch_only else "")
        log("%s: exporting with %s" % (name, label))
        try:
            model = model_zoo.build_model(name, attn=attn)
            args = example_args(name, torch)
            with torch.no_grad():
                if exporter == "dynamo":
                    export_dynamo(torch, model, args, path, name, batch_only)
                else:
                    export_torchscript(torch, model, args, path, name, opset)
            if not os.path.exists(path):
                raise RuntimeError("exporter returned but wrote no file")
            check_onnx(path)
            info = describe_onnx(path)
        except Exception as e:
            err = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0][:400] if str(e).strip() else "")
            tb = traceback.format_exc().strip().splitlines()
            log("%s: %s failed after %.1f s: %s" % (name, label, time.time() - t0, err))
            attempts.append({"exporter": exporter, "attn_implementation": attn, "opset": opset,
                             "batch_only_dynamic": batch_only, "error": err,
                             "traceback_tail": tb[-6:], "seconds": round(time.time() - t0, 2)})
            for stale in (path, path + ".data"):
                if os.path.exists(stale):
                    os.remove(stale)
            continue
        size = os.path.getsize(path) + (os.path.getsize(path + ".data") if os.path.exists(path + ".data") else 0)
        side = {
            "model": name,
            "onnx": os.path.basename(path),
            "exporter": exporter,
            "exporter_call": "torch.onnx.export(dynamo=%s, opset_version=%d)%s" % (
                exporter == "dynamo", opset, " with dynamic batch only" if batch_only else ""),
            "attn_implementation": model_zoo.attn_implementation(model),
            "opset_requested": opset,
            "seconds": round(time.time() - t0, 2),
            "seconds_all_attempts": round(time.time() - t_all, 2),
            "example_inputs": [{"name": n, "dtype": str(a.dtype), "shape": list(a.shape)}
                               for n, a in model_zoo.make_inputs(name, 2)],
            "vocab_size": model_zoo.vocab_size(name),
            "params": model_zoo.count_params(model),
            "bytes": size,
            "checker": "ok",
            "seed": model_zoo.SEED,
            "versions": model_zoo.library_versions(),
            "failed_attempts": attempts,
        }
        side.update(info)
        with open(os.path.join(outdir, name + ".json"), "w") as f:
            json.dump(side, f, indent=1)
        log("%s: OK with %s in %.1f s: %d nodes, opset %s, %.1f MB, inputs %s, outputs %s"
            % (name, label, side["seconds"], info["nodes"], info["opset"], size / 1e6,
               [(i["name"], i["shape"]) for i in info["inputs"]], [o["name"] for o in info["outputs"]]))
        return True
    with open(os.path.join(outdir, name + ".json"), "w") as f:
        json.dump({"model": name, "exporter": None, "error": "every exporter attempt failed",
                   "failed_attempts": attempts, "versions": model_zoo.library_versions()}, f, indent=1)
    log("%s: FAILED, every exporter attempt failed" % name)
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--tiny", action="store_true", help="the tiny variants (2 layers, hidden 64)")
    ap.add_argument("--models", default="", help="comma-separated subset (default: all full or all tiny)")
    ap.add_argument("--exporter", choices=["dynamo", "torchscript"], default=None,
                    help="only this exporter (default: dynamo, then the TorchScript fallback)")
    ap.add_argument("--skip-existing", action="store_true",
                    help="keep a model whose .onnx and successful .json sidecar already exist")
    a = ap.parse_args()
    names = [n for n in a.models.split(",") if n] or (model_zoo.TINY if a.tiny else model_zoo.FULL)
    bad = [n for n in names if n not in model_zoo.MODELS]
    if bad:
        print("unknown model(s) %s; known: %s" % (bad, ", ".join(model_zoo.MODELS)), file=sys.stderr)
        return 2
    os.makedirs(a.outdir, exist_ok=True)
    import torch

    try:
        threads = int(os.environ.get("OMP_NUM_THREADS", "0"))
    except ValueError:
        threads = 0
    torch.set_num_threads(threads if threads > 0 else max(1, min(8, os.cpu_count() or 1)))
    log("torch %s; models %s -> %s" % (torch.__version__, names, a.outdir))
    ok = True
    for n in names:
        side = os.path.join(a.outdir, n + ".json")
        if a.skip_existing and os.path.exists(os.path.join(a.outdir, n + ".onnx")) and os.path.exists(side):
            try:
                with open(side) as f:
                    if json.load(f).get("exporter"):
                        log("%s: kept the existing file" % n)
                        continue
            except Exception:
                pass
        ok = make_one(n, a.outdir, [OPSET, 17], a.exporter) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
