#!/usr/bin/env python3
"""PyTorch latency baseline for the engine issue's speed table (fp16, same GPU, same run).

    python3 scripts/models/torch_baseline.py --out torch_baseline.json [--time-limit 240]
           [--configs resnet50:1,resnet50:256,...] [--modes eager,compile,compile-ro]

Models come from model_zoo (same definitions and seed as the ONNX files), in fp16 via
.half() on CUDA, inputs from model_zoo.make_inputs (BERT's mask has padding zeros, like the
files gpuscope bench loads). Modes: eager; compile = torch.compile(dynamic=False), default
mode; compile-ro = torch.compile(mode="reduce-overhead", dynamic=False) (CUDA graphs).
Timing: warm-up, then per iteration a pair of CUDA events around the model call, back to
back without synchronising (so launch gaps count, as in a serving loop); the median of the
per-iteration times is reported with throughput = batch * 1000 / median_ms, plus the
wall-clock rate over the whole timed span. >= 100 iterations at small batch, >= 20 at
large batch.

Work is ordered so that a short time limit still yields the important numbers: eager for
every config, then compile for the batch-1 configs, then compile for the large batches,
then compile-ro. When the global --time-limit is spent, the rest is skipped and listed under
"skipped" with the reason. The JSON file is rewritten after every config, so a killed run
still leaves what it measured.
"""
import argparse
import json
import os
import signal
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_zoo  # noqa: E402

DEFAULT_CONFIGS = "resnet50:1,resnet50:256,bert_base:1,bert_base:64,gpt2:1,vit_b16:1,vit_b16:256"
# Seconds a compile is expected to need at least; a config is not started with less left.
MIN_LEFT = {"eager": 15, "compile": 45, "compile-ro": 45}


def log(msg):
    print("[torch_baseline %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Deadline(Exception):
    pass


def _alarm(signum, frame):
    raise Deadline()


def parse_configs(text):
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(":")
        name = parts[0]
        if name not in model_zoo.MODELS:
            raise SystemExit("unknown model %r in --configs (known: %s)" % (name, ", ".join(model_zoo.MODELS)))
        batch = int(parts[1]) if len(parts) > 1 else model_zoo.MODELS[name]["batches"][0]
        seq = int(parts[2]) if len(parts) > 2 else model_zoo.MODELS[name].get("seq")
        out.append((name, batch, seq))
    return out


def time_fn(torch, fn, iters, warmup):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(iters)]
    t0 = time.perf_counter()
    for i in range(iters):
        starts[i].record()
        fn()
        ends[i].record()
    torch.cuda.synchronize()
    wall = time.perf_counter() - t0
    ms = [s.elapsed_time(e) for s, e in zip(starts, ends)]
    span = starts[0].elapsed_time(ends[-1])
    return ms, span, wall


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--time-limit", type=float, default=240.0, help="seconds for the whole run (default 240)")
    ap.add_argument("--configs", default=DEFAULT_CONFIGS, help="model:batch[:seq],... (default: the issue's)")
    ap.add_argument("--modes", default="eager,compile,compile-ro")
    ap.add_argument("--dtype", default="fp16", choices=["fp16", "fp32", "bf16"])
    ap.add_argument("--iters", type=int, default=100, help="timed iterations at batch <= 8 (20 above)")
    a = ap.parse_args()
    t_start = time.time()
    deadline = t_start + a.time_limit
    configs = parse_configs(a.configs)
    modes = [m for m in a.modes.split(",") if m]
    for m in modes:
        if m not in MIN_LEFT:
            raise SystemExit("unknown mode %r (eager, compile, compile-ro)" % m)
    result = {"time_limit_s": a.time_limit, "dtype": a.dtype, "configs": a.configs, "modes": modes,
              "timing": "median of per-iteration CUDA-event times around the model call; back-to-back iterations",
              "results": [], "skipped": [], "errors": []}

    def save():
        result["elapsed_s"] = round(time.time() - t_start, 1)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f, indent=1)
        os.replace(tmp, a.out)

    try:
        import torch
    except Exception as e:
        result["errors"].append("import torch: %s" % e)
        save()
        return 1
    result["versions"] = model_zoo.library_versions()
    if not torch.cuda.is_available():
        result["errors"].append("CUDA is not available to torch")
        save()
        log("CUDA is not available to torch")
        return 1
    result["gpu"] = torch.cuda.get_device_name(0)
    torch.backends.cudnn.benchmark = True
    try:
        import torch._dynamo

        torch._dynamo.config.cache_size_limit = 64
    except Exception:
        pass
    dtype = {"fp16": torch.float16, "fp32": torch.float32, "bf16": torch.bfloat16}[a.dtype]
    signal.signal(signal.SIGALRM, _alarm)

    # The order of work: (mode, configs) groups by importance.
    small = [c for c in configs if c[1] <= 8]
    large = [c for c in configs if c[1] > 8]
    plan = []
    if "eager" in modes:
        plan += [("eager", c) for c in small + large]
    for m in ("compile", "compile-ro"):
        if m in modes:
            plan += [(m, c) for c in small] + [(m, c) for c in large]

    models = {}
    for mode, (name, batch, seq) in plan:
        left = deadline - time.time()
        item = {"model": name, "batch": batch, "seq": seq, "mode": mode}
        if left < MIN_LEFT[mode]:
            item["reason"] = "time limit: %.0f s left, a %s config needs >= %d s" % (left, mode, MIN_LEFT[mode])
            result["skipped"].append(item)
            log("skip %s %s b%d: %s" % (mode, name, batch, item["reason"]))
            save()
            continue
        log("%s %s batch %d%s (%.0f s left)" % (mode, name, batch, " seq %d" % seq if seq else "", left))
        compiled = None
        try:
            signal.alarm(max(1, int(left)))
            if name not in models:
                models.clear()
                torch.cuda.empty_cache()
                t0 = time.time()
                m = model_zoo.build_model(name)  # library default attention (what users get)
                models[name] = m.to(device="cuda", dtype=dtype)
                log("  built %s (%s, attn %s) in %.1f s" % (name, a.dtype, model_zoo.attn_implementation(m),
                                                            time.time() - t0))
            model = models[name]
            args = []
            for _, arr in model_zoo.make_inputs(name, batch, seq):
                t = torch.from_numpy(arr).cuda()
                args.append(t.to(dtype) if t.is_floating_point() else t)
            fn_model = model
            compile_s = None
            if mode != "eager":
                torch._dynamo.reset()
                kw = {"dynamic": False}
                if mode == "compile-ro":
                    kw["mode"] = "reduce-overhead"
                compiled = torch.compile(model, **kw)
                fn_model = compiled
                t0 = time.time()
                with torch.inference_mode():
                    fn_model(*args)
                    torch.cuda.synchronize()
                compile_s = time.time() - t0
                log("  compiled in %.1f s" % compile_s)
            iters = a.iters if batch <= 8 else max(20, a.iters // 5)
            warm = 20 if batch <= 8 else 5

            def call():
                return fn_model(*args)

            with torch.inference_mode():
                ms, span, wall = time_fn(torch, call, iters, warm)
            signal.alarm(0)
            med = statistics.median(ms)
            item.update({
                "median_ms": med, "mean_ms": statistics.fmean(ms), "min_ms": min(ms), "max_ms": max(ms),
                "iters": iters, "warmup": warm, "throughput_items_s": batch * 1000.0 / med,
                "wall_throughput_items_s": batch * iters / wall, "gpu_span_ms": span,
                "compile_s": round(compile_s, 1) if compile_s is not None else None,
                "attn_implementation": model_zoo.attn_implementation(model)})
            result["results"].append(item)
            log("  median %.4f ms (min %.4f), %.1f items/s" % (med, min(ms), item["throughput_items_s"]))
        except Deadline:
            item["reason"] = "time limit reached while running (%s)" % ("compiling" if compiled is not None
                                                                        else "building/timing")
            result["skipped"].append(item)
            log("  %s" % item["reason"])
        except Exception as e:
            signal.alarm(0)
            item["error"] = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0][:300] if str(e).strip()
                                        else "")
            result["errors"].append(item)
            log("  FAILED %s" % item["error"])
        finally:
            signal.alarm(0)
            compiled = None
        save()
    save()
    log("done in %.0f s: %d measured, %d skipped, %d errors -> %s" % (
        time.time() - t_start, len(result["results"]), len(result["skipped"]), len(result["errors"]), a.out))
    return 0 if result["results"] else 1


if __name__ == "__main__":
    sys.exit(main())
