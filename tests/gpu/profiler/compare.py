#!/usr/bin/env python3
"""Compare `gpuscope kernels --csv` with `ncu --csv` for the same program.

Kernels are matched by order (the n-th profiled kernel of each tool) and
their base names are checked to agree; metrics are matched by section and
metric name. Each pair's relative difference is reported; a metric passes
within 2% (durations within 5%: gpu__time_duration and the cycle counts that
measure the same interval, Elapsed Cycles and SM Active Cycles), or when both
values are within a small absolute floor (near-zero percentages, where
relative error is meaningless). Values are compared in base units: a value
printed with a scaled unit (us, Kbyte, Ghz, Tbyte/s...) is converted first, so
the two tools may scale differently without a false verdict.

usage: compare.py LABEL GPUSCOPE.csv NCU.csv  -> report on stdout, exit 0
"""
import csv
import re
import sys

TOL = 0.02
TOL_DURATION = 0.05
ABS_FLOOR = {"%": 0.1}
DURATION_METRICS = {"Duration", "gpu__time_duration.sum", "Elapsed Cycles", "gpc__cycles_elapsed.max",
                    "SM Active Cycles", "sm__cycles_active.avg"}

# Prefix scaling of ncu's unit names ("Kbyte", "Ghz", "usecond"/"us").
_PREFIX = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}
_TIME = {"ns": 1.0, "nsecond": 1.0, "us": 1e3, "usecond": 1e3, "ms": 1e6, "msecond": 1e6, "s": 1e9,
         "second": 1e9}


def base_unit(unit):
    """(base unit name, factor to base) for a unit string as ncu prints it."""
    u = (unit or "").strip()
    if u in _TIME:
        return "ns", _TIME[u]
    head, sep, tail = u.partition("/")
    for p, f in _PREFIX.items():
        if head.startswith(p) and head[1:] in ("byte", "hz", "flop", "inst", "cycle", "sector", "request"):
            return head[1:].lower() + sep + tail, f
    # Byte rates: ncu writes "byte/s"; older gpuscope builds wrote "byte/second".
    if u == "byte/second":
        return "byte/s", 1.0
    return u, 1.0


def rows(path):
    """The CSV rows after the header line (skips ==PROF== and program output)."""
    with open(path, newline="", errors="replace") as f:
        lines = f.readlines()
    start = next((i for i, l in enumerate(lines) if l.startswith('"ID","Process ID"')), None)
    if start is None:
        return []
    body = [l for l in lines[start:] if l.startswith('"')]
    return list(csv.DictReader(body))


def number(text):
    text = (text or "").replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        return None


def base_name(name):
    """First identifier of a kernel name, without return type, templates, args."""
    name = re.sub(r"^(void|__global__)\s+", "", name.strip())
    name = re.split(r"[<(]", name, maxsplit=1)[0]
    return name.split("::")[-1].strip()


def kernels(path):
    """Ordered list of (kernel name, {(section, metric): (unit, value text)})."""
    out, index = [], {}
    for r in rows(path):
        if not r.get("Metric Name"):
            continue  # rule rows
        kid = r["ID"]
        if kid not in index:
            index[kid] = len(out)
            out.append((r["Kernel Name"], {}))
        out[index[kid]][1][(r["Section Name"], r["Metric Name"])] = (r["Metric Unit"], r["Metric Value"])
    return out


def main():
    label, ours_path, ncu_path = sys.argv[1:4]
    ours, ncu = kernels(ours_path), kernels(ncu_path)
    print(f"== {label}: gpuscope {len(ours)} kernels, ncu {len(ncu)} kernels")
    stats = {}
    name_mismatch = 0
    for i, ((on, om), (nn, nm)) in enumerate(zip(ours, ncu)):
        if base_name(on) != base_name(nn):
            name_mismatch += 1
            print(f"  kernel {i}: name differs: gpuscope '{base_name(on)}' ncu '{base_name(nn)}'")
        for key, (nunit, ntext) in nm.items():
            if key not in om:
                continue
            ounit, otext = om[key]
            a, b = number(otext), number(ntext)
            s = stats.setdefault(key, {"n": 0, "pass": 0, "max_rel": 0.0, "worst": "", "unit": nunit,
                                       "units_differ": 0, "tol": TOL})
            s["n"] += 1
            obase, ofactor = base_unit(ounit)
            nbase, nfactor = base_unit(nunit)
            if obase != nbase:
                s["units_differ"] += 1
            if a is not None:
                a *= ofactor
            if b is not None:
                b *= nfactor
            if a is None or b is None:
                if otext == ntext:
                    s["pass"] += 1
                else:
                    s["worst"] = f"k{i} gpuscope={otext} ncu={ntext}"
                continue
            rel = abs(a - b) / abs(b) if b != 0 else (0.0 if a == 0 else float("inf"))
            tol = TOL_DURATION if key[1] in DURATION_METRICS else TOL
            ok = rel <= tol or abs(a - b) <= ABS_FLOOR.get(nbase, 0.0)
            s["tol"] = tol
            s["pass"] += ok
            if rel >= s["max_rel"]:
                s["max_rel"] = rel
                s["worst"] = f"k{i} {base_name(nn)[:40]} gpuscope={otext} ncu={ntext}"
    total = sum(s["n"] for s in stats.values())
    passed = sum(s["pass"] for s in stats.values())
    print(f"  kernels matched by order: {min(len(ours), len(ncu))}, base-name mismatches: {name_mismatch}")
    print(f"  metric values compared: {total}, within tolerance: {passed}")
    print(f"  {'section / metric':70} {'unit':12} {'pass':>7} {'tol':>4} {'max rel':>9}  worst")
    for (section, metric), s in sorted(stats.items()):
        flag = "" if s["pass"] == s["n"] else "  <-- OUT"
        units = f" (base units differ x{s['units_differ']})" if s["units_differ"] else ""
        print(f"  {(section[:28] + ' / ' + metric)[:70]:70} {s['unit'][:12]:12} {s['pass']:>3}/{s['n']:<3} "
              f"{100 * s['tol']:3.0f}% {100 * s['max_rel']:8.2f}%  {s['worst']}{units}{flag}")
    only_ncu = sorted({k for _, m in ncu for k in m} - {k for _, m in ours for k in m})
    if only_ncu:
        print(f"  metrics only ncu reports ({len(only_ncu)}): " + "; ".join(m for _, m in only_ncu))
    print(f"RESULT {label}: {passed}/{total} within tolerance")


if __name__ == "__main__":
    main()
