"""Within-process A/B of tracing overhead on PyTorch workloads (issue 4, item 6).

python3 overhead_blocks.py MODE --workloads small,resnet,gemm --rounds R
    [--small-steps N --resnet-steps N --gemm-steps N] [--time-budget S]

One process alternates blocks of steps with tracing off and on, so that the
A/B does not compare two processes (whose untraced speed differs by up to
36% on the H200, see tests/gpu/evidence/2026-11-29-trace-overhead-ab2/).
MODE:
  untraced  a plain process; "on" blocks still call cudaProfilerStart/Stop
            (no-ops without a profiler), so the code path is the gpuscope one
            and on/off is an A/A test of the noise.
  gpuscope  run under `gpuscope trace -c cudaProfilerApi`: collection is on
            only between cudaProfilerStart and cudaProfilerStop.
  profiler  "on" blocks run inside a torch.profiler.profile(CPU, CUDA) started
            with .start() and ended with .stop() (a new one per block).
Per workload (tests/gpu/torch_workloads.py make()): 5 warm-up steps off, one
3-step "on" block (discarded: first-enable costs), then rounds of one off and
one on block, order alternating (off,on then on,off). A block is
sync, t0, N steps, sync, t1; switching happens outside [t0, t1].
Output lines (flushed): META {...}, WARMUP {...}, RESULT {...} per block,
COUNT {...} (profiler mode: kernels Kineto saw in the warm-up on block),
ERROR {...} when a workload fails (the others still run).
--time-budget S: wall seconds from process start; each workload gets an
equal share of what is left when it starts, and a round starts only if the
last round's duration (round 1: an estimate from the warm-up) still fits.
"""
import time

T_START = time.monotonic()  # first: the budget counts from process start

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch_workloads as tw  # noqa: E402

WARMUP_OFF_STEPS = 5
WARMUP_ON_STEPS = 3


def emit(tag, obj):
    print(tag + " " + json.dumps(obj), flush=True)


def elapsed():
    return time.monotonic() - T_START


class Switch:
    """Turns collection on and off around "on" blocks, outside the timing."""

    def __init__(self, mode):
        self.mode = mode
        self.prof = None
        self.warned = False

    def _cudart(self, name):
        rc = getattr(torch.cuda.cudart(), name)()
        try:  # a cudaError enum (torch), an int, or None
            code = int(getattr(rc, "value", rc) or 0)
        except (TypeError, ValueError):
            code = -1
        if code != 0 and not self.warned:
            self.warned = True
            print(f"overhead_blocks: {name} returned {code}", file=sys.stderr, flush=True)

    def on(self):
        if self.mode == "profiler":
            from torch.profiler import ProfilerActivity, profile
            self.prof = profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])
            self.prof.start()
        else:  # untraced (a no-op) and gpuscope (starts collection)
            self._cudart("cudaProfilerStart")

    def off(self):
        """Stops collection; returns the stopped torch.profiler (or None)."""
        if self.mode == "profiler":
            prof, self.prof = self.prof, None
            if prof is not None:
                prof.stop()  # post-processing happens here, untimed
            return prof
        self._cudart("cudaProfilerStop")
        return None


def run_block(step, steps, switch, on):
    """Returns (ms per step, wall seconds of the whole block incl. switching)."""
    w0 = time.perf_counter()
    prof = None
    if on:
        switch.on()
    try:
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        torch.cuda.synchronize()
        t1 = time.perf_counter()
    finally:
        if on:
            prof = switch.off()  # also when a step raised: never leave it on
    return (t1 - t0) * 1000.0 / steps, time.perf_counter() - w0, prof


def count_kernels(prof):
    """Kernels (not copies/memsets) Kineto recorded, by the torch_workloads.py rule."""
    n = 0
    for e in prof.events():
        if e.device_type == torch.autograd.DeviceType.CUDA and not e.name.startswith(("Memcpy", "Memset")):
            n += 1
    return n


def run_workload(args, name, steps, deadline, hard_deadline):
    base = {"mode": args.mode, "workload": name}
    switch = Switch(args.mode)
    step = tw.make(name)
    off_ms, _, _ = run_block(step, WARMUP_OFF_STEPS, switch, False)
    on_ms, on_wall, prof = run_block(step, WARMUP_ON_STEPS, switch, True)
    emit("WARMUP", dict(base, off_steps=WARMUP_OFF_STEPS, off_ms_per_step=off_ms,
                        on_steps=WARMUP_ON_STEPS, on_ms_per_step=on_ms, on_block_wall_s=on_wall))
    if prof is not None:
        emit("COUNT", dict(base, steps=WARMUP_ON_STEPS, kernels=count_kernels(prof)))
        del prof
    # Round 1 estimate: both blocks' steps at warm-up speed plus the on
    # block's switching once (its wall time less its steps). Scaling the
    # whole wall time by the steps, as before, multiplied torch.profiler's
    # ~3.5 s stop by 33 and left the small loop no round (run C).
    switching = max(0.0, on_wall - WARMUP_ON_STEPS * on_ms / 1000.0)
    est = steps * (off_ms + on_ms) / 1000.0 + switching
    done = 0
    for r in range(1, args.rounds + 1):
        limit = hard_deadline if done == 0 else deadline
        if limit is not None and elapsed() + est > limit:
            break
        r0 = time.perf_counter()
        order = (False, True) if r % 2 == 1 else (True, False)
        for on in order:
            ms, _, prof = run_block(step, steps, switch, on)
            del prof
            emit("RESULT", dict(base, round=r, state="on" if on else "off", steps=steps,
                                ms_per_step=ms, t_s=round(elapsed(), 3)))
        est = time.perf_counter() - r0
        done = r
    return done


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["untraced", "gpuscope", "profiler"])
    ap.add_argument("--workloads", default="small,resnet,gemm")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--small-steps", type=int, default=100)
    ap.add_argument("--resnet-steps", type=int, default=100)
    ap.add_argument("--gemm-steps", type=int, default=40)
    ap.add_argument("--time-budget", type=float, default=None,
                    help="wall seconds from process start (default: no limit)")
    args = ap.parse_args()
    steps_of = {"small": args.small_steps, "resnet": args.resnet_steps, "gemm": args.gemm_steps}
    names = [w for w in args.workloads.split(",") if w]
    emit("META", {"mode": args.mode, "pid": os.getpid(), "torch": torch.__version__,
                  "injection": bool(os.environ.get("CUDA_INJECTION64_PATH")),
                  "trace_ab": os.environ.get("GPUSCOPE_TRACE_AB", ""),
                  "workloads": names, "rounds": args.rounds, "time_budget": args.time_budget})
    if args.mode == "gpuscope" and not os.environ.get("CUDA_INJECTION64_PATH"):
        print("overhead_blocks: mode gpuscope but CUDA_INJECTION64_PATH is unset "
              "(not under gpuscope trace?)", file=sys.stderr, flush=True)
    hard = args.time_budget
    for i, name in enumerate(names):
        # Each workload: an equal share of the budget left when it starts.
        share = None if hard is None else elapsed() + (hard - elapsed()) / (len(names) - i)
        try:
            if name not in steps_of:
                raise ValueError(f"unknown workload {name!r} (small, resnet, gemm)")
            done = run_workload(args, name, steps_of[name], share, hard)
            emit("DONE", {"mode": args.mode, "workload": name, "rounds": done,
                          "t_s": round(elapsed(), 3)})
        except Exception as e:  # one failing workload must not lose the others
            emit("ERROR", {"mode": args.mode, "workload": name, "error": repr(e),
                           "where": traceback.format_exc().strip().splitlines()[-3:]})
        try:
            torch.cuda.empty_cache()  # the next workload starts from a similar allocator
        except Exception as e:
            emit("ERROR", {"mode": args.mode, "workload": name, "error": "empty_cache: " + repr(e)})


if __name__ == "__main__":
    main()
