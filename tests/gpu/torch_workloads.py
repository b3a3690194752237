"""PyTorch workloads for scripts/gpu/tracer_check.sh.

python3 torch_workloads.py WORKLOAD [--steps N] [--profiler]
  small    ~400 small elementwise kernels per step (launch-bound)
  resnet   torchvision ResNet-50, random weights, fp16, batch 8, eager
  resnet_graph  the same, captured once in a CUDA graph and replayed
  gemm     large fp16 GEMMs (GPU-bound)
  spawn    a multiprocessing "spawn" child does CUDA work too
Prints one JSON line: workload, ms_per_step, and (with --profiler, which
wraps the whole run in torch.profiler) kernel name counts as Kineto saw them.
"""
import argparse
import collections
import json
import multiprocessing as mp
import sys
import time

import torch


def small_step(x):
    for _ in range(100):  # 4 kernels per iteration -> 400 per step
        x = x * 1.0001
        x = x + 0.5
        x = torch.relu(x)
        x = x - 0.25
    return x


def make(workload):
    dev = "cuda"
    if workload == "small":
        x = torch.randn(1 << 14, device=dev)
        return lambda: small_step(x)
    if workload == "gemm":
        a = torch.randn(8192, 8192, device=dev, dtype=torch.float16)
        b = torch.randn(8192, 8192, device=dev, dtype=torch.float16)
        return lambda: [a @ b for _ in range(4)]
    if workload in ("resnet", "resnet_graph"):
        import torchvision
        model = torchvision.models.resnet50(weights=None).half().to(dev).eval()
        inp = torch.randn(8, 3, 224, 224, device=dev, dtype=torch.float16)
        if workload == "resnet":
            def step():
                with torch.no_grad():
                    return model(inp)
            return step
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s), torch.no_grad():
            for _ in range(3):
                model(inp)  # warm-up before capture (cuDNN autotune, allocator)
        torch.cuda.current_stream().wait_stream(s)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g), torch.no_grad():
            model(inp)
        return g.replay
    raise SystemExit(f"unknown workload {workload}")


def spawn_child(q):
    x = torch.ones(1024, device="cuda")
    for _ in range(10):
        x = x + 1
    torch.cuda.synchronize()
    q.put(float(x[0].item()))


def run(args):
    if args.workload == "spawn":
        ctx = mp.get_context("spawn")
        q = ctx.Queue()
        p = ctx.Process(target=spawn_child, args=(q,))
        p.start()
        val = q.get()
        p.join()
        x = torch.ones(1024, device="cuda") * 2
        torch.cuda.synchronize()
        return {"workload": "spawn", "child_value": val, "child_exit": p.exitcode, "parent_sum": float(x.sum())}
    step = make(args.workload)
    for _ in range(args.warmup):
        step()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    torch.cuda.synchronize()
    ms = (time.perf_counter() - t0) * 1000 / args.steps
    return {"workload": args.workload, "steps": args.steps, "ms_per_step": ms}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--profiler", action="store_true")
    args = ap.parse_args()
    if not args.profiler:
        out = run(args)
    else:
        from torch.profiler import ProfilerActivity, profile
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            out = run(args)
        counts = collections.Counter()
        for e in prof.events():
            if e.device_type == torch.autograd.DeviceType.CUDA and not e.name.startswith(("Memcpy", "Memset")):
                counts[e.name] += 1
        out["profiler_kernels"] = dict(counts)
    print("RESULT " + json.dumps(out))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
